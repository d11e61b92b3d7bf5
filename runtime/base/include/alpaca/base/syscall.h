// Syscall helpers: one place that retries EINTR, so callers never forget.
#pragma once

#include <cerrno>
#include <utility>

namespace alpaca {

// Calls fn() until it stops failing with EINTR; returns its last result.
template <typename Fn>
auto RetryEintr(Fn&& fn) -> decltype(fn()) {
  for (;;) {
    auto result = fn();
    if (result == -1 && errno == EINTR) continue;
    return result;
  }
}

}  // namespace alpaca
