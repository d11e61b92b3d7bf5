#include "local_attackers.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace alpaca::soak {

std::vector<LocalProbe> LocalProbes(const std::string& local_attacker,
                                    const std::string& fd_attacker, const std::string& port_name) {
  // Another uid is the point of these probes; off root they run as ours.
  std::vector<std::string> as_nobody;
  if (::geteuid() == 0) as_nobody.push_back("--as-nobody");
  std::vector<LocalProbe> out;
  auto add = [&](std::string name, std::vector<std::string> argv) {
    argv.insert(argv.end(), as_nobody.begin(), as_nobody.end());
    out.push_back({std::move(name), std::move(argv)});
  };
  if (!local_attacker.empty()) {
    add("local: 200 silent connects",
        {local_attacker, "silent", "--name", port_name, "--count", "200"});
    add("local: refused connects",
        {local_attacker, "connect", "--name", port_name, "--count", "50"});
  }
  if (!fd_attacker.empty()) {
    add("local: blocking-close fds",
        {fd_attacker, "refused-linger", "--name", port_name, "--count", "4", "--fds", "4"});
    add("local: sparse sections", {fd_attacker, "sparse-sections", "--name", port_name});
  }
  return out;
}

void RunLocalProbe(const LocalProbe& probe, const std::atomic<bool>& stop,
                   std::atomic<std::uint64_t>& rounds) {
  std::vector<char*> argv;
  std::vector<std::string> copy = probe.argv;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  while (!stop) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return;
    pid_t pid = ::fork();
    if (pid < 0) return;
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::FILE* from = ::fdopen(out[0], "r");
    char line[256];
    bool reported = std::fgets(line, sizeof line, from) != nullptr;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    std::fclose(from);
    ++rounds;
    if (!reported) return;  // the program cannot run here: stop this probe
  }
}

}  // namespace alpaca::soak
