// Remote attackers for the soak: each loop plays one of the hostile-peer
// probes (issue: hostile network peers) against a TCP port, over and over,
// until `stop` is set. Every loop is bounded by its own events (a reply,
// EOF, EAGAIN), never by sleeping.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace alpaca::soak {

struct HostileProbe {
  std::string name;
  // Plays the probe until `stop`, counting each attempt in `rounds`.
  std::function<void(std::uint16_t port, const std::atomic<bool>& stop,
                     std::atomic<std::uint64_t>& rounds)>
      run;
};

// pipelined requests then RST; requests whose replies are never read;
// silent connections; unfinished large calls; calls over max_call_bytes;
// garbage framing.
std::vector<HostileProbe> TcpProbes();

}  // namespace alpaca::soak
