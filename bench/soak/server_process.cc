#include "server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <stdexcept>

namespace alpaca::soak {

ServerProcess::ServerProcess(const std::string& exe, const std::vector<std::string>& args) {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe");
  }
  std::vector<std::string> argv_s{exe, "--port", "0", "--stats"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  to_ = ::fdopen(in[1], "w");
  from_ = ::fdopen(out[0], "r");
  std::array<char, 256> line{};
  unsigned port = 0;
  unsigned epm = 0;
  if (!std::fgets(line.data(), line.size(), from_) ||
      std::sscanf(line.data(), "READY %u %u", &port, &epm) != 2) {
    throw std::runtime_error("server did not start: " + exe);
  }
  port_ = static_cast<std::uint16_t>(port);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  if (to_) std::fclose(to_);
  if (from_) std::fclose(from_);
}

nlohmann::json ServerProcess::Stats() {
  std::fputs("stats\n", to_);
  std::fflush(to_);
  std::string line;
  for (int c; (c = std::fgetc(from_)) != EOF && c != '\n';) line.push_back(static_cast<char>(c));
  if (line.rfind("STATS ", 0) != 0) throw std::runtime_error("server gone: '" + line + "'");
  return nlohmann::json::parse(line.substr(6));
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace alpaca::soak
