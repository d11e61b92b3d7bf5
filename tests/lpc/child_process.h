// ChildProcess — a program started with posix_spawn whose stdout the test
// reads line by line. Multi-process tests use it to run the real peer
// program (lpc_peer) as a separate process, never a thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace alpaca::lpc::testing {

class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills (SIGKILL) and reaps a child still running

  pid_t Pid() const { return pid_; }
  // Next line of stdout without the newline; nullopt on EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Reads lines until one starts with `prefix`; returns it.
  std::optional<std::string> WaitForLine(
      const std::string& prefix, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Kill(int signal);
  // Waits for exit; returns the exit code, or 128 + signal, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
  bool reaped_ = false;
  int status_ = 0;
};

// Path of the peer program, baked in by CMake.
std::string PeerPath();

}  // namespace alpaca::lpc::testing
