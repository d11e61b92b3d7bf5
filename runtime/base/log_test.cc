#include "alpaca/base/log.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace alpaca {
namespace {

// Restores the default sink and level whatever a test does.
struct LogTest : ::testing::Test {
  LogLevel saved_level = ConfiguredLogLevel();
  ~LogTest() override {
    SetLogSink({});
    SetLogLevel(saved_level);
  }
};

TEST_F(LogTest, AnInstalledSinkReceivesLinesAtTheConfiguredLevel) {
  std::vector<std::pair<LogLevel, std::string>> lines;
  SetLogSink([&](LogLevel level, std::string_view text) { lines.emplace_back(level, text); });
  SetLogLevel(LogLevel::kInfo);
  Log(LogLevel::kError, "refused a peer");
  Log(LogLevel::kInfo, "chose ncalrpc");
  Log(LogLevel::kDebug, "not at info");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], std::make_pair(LogLevel::kError, std::string("refused a peer")));
  EXPECT_EQ(lines[1], std::make_pair(LogLevel::kInfo, std::string("chose ncalrpc")));
}

TEST_F(LogTest, SetLogSinkReturnsThePreviousSinkAndEmptyRestoresStderr) {
  int first = 0;
  EXPECT_FALSE(SetLogSink([&](LogLevel, std::string_view) { ++first; }));  // was stderr
  auto previous = SetLogSink({});
  ASSERT_TRUE(previous);
  previous(LogLevel::kError, "x");
  EXPECT_EQ(first, 1);
  SetLogLevel(LogLevel::kError);
  testing::internal::CaptureStderr();
  Log(LogLevel::kError, "to stderr");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "alpaca[error]: to stderr\n");
  EXPECT_EQ(first, 1);
}

}  // namespace
}  // namespace alpaca
