// Diagnostics for operators: decisions a user may want to see (which
// transport a binding chose, a peer cut off for breaking a limit). By default
// they are lines on stderr, "alpaca[level]: text", at the level ALPACA_LOG
// names (error|info|debug; default error), read once on first use. A service
// that keeps its own logs installs a sink and, if it likes, a level:
//
//   alpaca::SetLogSink([](alpaca::LogLevel level, std::string_view text) {
//     my_logger.Write(level == alpaca::LogLevel::kError ? kWarning : kInfo, text);
//   });
//   alpaca::SetLogLevel(alpaca::LogLevel::kInfo);
//
// The sink is called on alpaca's own threads, possibly several at once, and
// must not call back into alpaca. Process-wide on purpose: one log per process.
#pragma once

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

namespace alpaca {

enum class LogLevel { kError = 0, kInfo = 1, kDebug = 2 };

using LogSink = std::function<void(LogLevel level, std::string_view text)>;

namespace log_detail {

struct State {
  std::mutex mutex;
  std::shared_ptr<const LogSink> sink;  // null: stderr
  std::atomic<int> level{-1};           // -1: as ALPACA_LOG says
};

inline State& GetState() {
  static State state;
  return state;
}

inline LogLevel FromEnvironment() {
  static const LogLevel level = [] {
    const char* v = std::getenv("ALPACA_LOG");
    if (v == nullptr) return LogLevel::kError;
    if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
    if (std::strcmp(v, "info") == 0) return LogLevel::kInfo;
    return LogLevel::kError;
  }();
  return level;
}

}  // namespace log_detail

inline LogLevel ConfiguredLogLevel() {
  int set = log_detail::GetState().level.load(std::memory_order_relaxed);
  return set < 0 ? log_detail::FromEnvironment() : static_cast<LogLevel>(set);
}

// Overrides ALPACA_LOG for the rest of the process.
inline void SetLogLevel(LogLevel level) {
  log_detail::GetState().level.store(static_cast<int>(level), std::memory_order_relaxed);
}

// Installs `sink` for every later line (an empty one restores stderr) and
// returns the one it replaces (empty for stderr).
inline LogSink SetLogSink(LogSink sink) {
  auto& state = log_detail::GetState();
  std::shared_ptr<const LogSink> next;
  if (sink) next = std::make_shared<const LogSink>(std::move(sink));
  std::lock_guard lock(state.mutex);
  auto previous = std::exchange(state.sink, std::move(next));
  return previous ? *previous : LogSink{};
}

inline bool LogEnabled(LogLevel level) { return level <= ConfiguredLogLevel(); }

inline void Log(LogLevel level, std::string_view text) {
  if (!LogEnabled(level)) return;
  std::shared_ptr<const LogSink> sink;
  {
    auto& state = log_detail::GetState();
    std::lock_guard lock(state.mutex);
    sink = state.sink;  // held across the call: a concurrent SetLogSink cannot free it
  }
  if (sink) {
    (*sink)(level, text);
    return;
  }
  static constexpr const char* kNames[] = {"error", "info", "debug"};
  std::fprintf(stderr, "alpaca[%s]: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(text.size()), text.data());
}

}  // namespace alpaca
