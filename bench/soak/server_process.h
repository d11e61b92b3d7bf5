// The server under test as a child process: alpaca_test_server with --stats,
// its READY line read, its counters fetched as JSON over its stdin/stdout.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace alpaca::soak {

class ServerProcess {
 public:
  // Starts `exe args...` (--port 0 --stats are added) and waits for READY.
  ServerProcess(const std::string& exe, const std::vector<std::string>& args);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t Port() const { return port_; }
  // {"tcp_connections":..,"rss_kb":..,"fds":..,"threads":..,...}
  nlohmann::json Stats();
  // SIGTERM, then the exit status (0 is a graceful stop).
  int Stop();

 private:
  pid_t pid_ = -1;
  std::FILE* to_ = nullptr;
  std::FILE* from_ = nullptr;
  std::uint16_t port_ = 0;
};

}  // namespace alpaca::soak
