// Local attackers for the soak: the attacker programs of tests/lpc run in a
// loop against the server's ncalrpc port, as uid 65534 when the soak runs as
// root. Each round starts the program, waits for its first report line (it
// has done its damage), kills it and starts it again, until `stop`.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace alpaca::soak {

struct LocalProbe {
  std::string name;
  std::vector<std::string> argv;  // program and arguments
};

// The probes that need `local_attacker` (lpc_local_attacker) and
// `fd_attacker` (lpc_fd_attacker) against `port_name`; empty paths skip.
std::vector<LocalProbe> LocalProbes(const std::string& local_attacker,
                                    const std::string& fd_attacker, const std::string& port_name);

void RunLocalProbe(const LocalProbe& probe, const std::atomic<bool>& stop,
                   std::atomic<std::uint64_t>& rounds);

}  // namespace alpaca::soak
