// Negative tests: every tests/idl/errors/*.idl is invalid (or warned-about) IDL whose
// `// expect: file:line:col: severity: message` comment lines (at the end of
// the file, so they do not move the lines they refer to) list, in order,
// exactly the diagnostics (notes included) idlc must report for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "idlc/diag/diagnostics.h"
#include "idlc/driver/loader.h"

namespace alpaca::idl {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> ErrorFiles() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(IDLC_ERRORS_DIR)) {
    if (entry.path().extension() == ".idl") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> Expected(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  const std::string prefix = "// expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line.substr(prefix.size()));
  }
  return lines;
}

class ErrorsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ErrorsTest, ReportsExactDiagnostics) {
  fs::path dir(IDLC_ERRORS_DIR);
  fs::path path = dir / GetParam();
  SourceManager sources;
  CollectingSink sink;
  CompileFile(path.string(), PreprocessorOptions{}, sources, sink);
  std::vector<std::string> actual;
  auto add = [&](const Diagnostic& d) {
    std::string header = FormatDiagnosticHeader(sources, d);
    // Print paths relative to the errors directory.
    std::string prefix = dir.string() + "/";
    if (header.rfind(prefix, 0) == 0) header = header.substr(prefix.size());
    actual.push_back(header);
  };
  for (const Diagnostic& d : sink.diagnostics()) {
    add(d);
    for (const Diagnostic& note : d.notes) add(note);
  }
  std::vector<std::string> expected = Expected(path);
  ASSERT_FALSE(expected.empty()) << GetParam() << " has no // expect: lines";
  EXPECT_EQ(actual, expected);
  // A file that expects only warnings must still compile.
  bool expects_error = std::any_of(expected.begin(), expected.end(), [](const std::string& line) {
    return line.find(": error: ") != std::string::npos;
  });
  if (expects_error) {
    EXPECT_GT(sink.error_count(), 0);
  } else {
    EXPECT_EQ(sink.error_count(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Files, ErrorsTest, ::testing::ValuesIn(ErrorFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name =
                               param_info.param.substr(0, param_info.param.size() - 4);
                           return name;
                         });

}  // namespace
}  // namespace alpaca::idl
