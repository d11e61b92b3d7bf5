// Minimal diagnostics for operators: lines on stderr, enabled by the
// environment (ALPACA_LOG=error|info|debug; default error). The level is
// read once, on first use; there is nothing else to configure. Used for
// decisions a user may want to see, such as which transport a binding chose.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace alpaca {

enum class LogLevel { kError = 0, kInfo = 1, kDebug = 2 };

inline LogLevel ConfiguredLogLevel() {
  static const LogLevel level = [] {
    const char* v = std::getenv("ALPACA_LOG");
    if (v == nullptr) return LogLevel::kError;
    if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
    if (std::strcmp(v, "info") == 0) return LogLevel::kInfo;
    return LogLevel::kError;
  }();
  return level;
}

inline bool LogEnabled(LogLevel level) { return level <= ConfiguredLogLevel(); }

inline void Log(LogLevel level, std::string_view text) {
  if (!LogEnabled(level)) return;
  static constexpr const char* kNames[] = {"error", "info", "debug"};
  std::fprintf(stderr, "alpaca[%s]: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(text.size()), text.data());
}

}  // namespace alpaca
