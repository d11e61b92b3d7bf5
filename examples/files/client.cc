// files_client: uploads a buffer to FileService in chunks, reads it back,
// compares every byte and prints the throughput of each direction.
//   files_client [host] [--size MiB] [--chunk MiB] [--no-local-upgrade]
// Without a host: ncalrpc:[files] (large data through the shared section);
// with one: ncacn_ip_tcp:<host>[4748] (upgraded to ncalrpc on this host
// unless --no-local-upgrade).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "files_client.h"

int main(int argc, char** argv) {
  CLI::App app{"files_client: moves a large buffer through FileService"};
  std::string host, endpoint = "files", port = "4748";
  std::size_t size_mib = 64, chunk_mib = 8;
  bool no_upgrade = false;
  app.add_option("host", host, "server host (none: ncalrpc on this host)");
  app.add_option("--size", size_mib, "MiB to move");
  app.add_option("--chunk", chunk_mib, "MiB per call (at most 16)")->check(CLI::Range(1, 16));
  app.add_option("--endpoint", endpoint, "ncalrpc endpoint");
  app.add_option("--port", port, "ncacn_ip_tcp port");
  app.add_flag("--no-local-upgrade", no_upgrade, "use TCP even when the host is this machine");
  CLI11_PARSE(app, argc, argv);

  std::string binding =
      host.empty() ? "ncalrpc:[" + endpoint + "]" : "ncacn_ip_tcp:" + host + "[" + port + "]";
  alpaca::rpc::ClientOptions options;
  if (no_upgrade) options.local_upgrade = alpaca::rpc::LocalUpgrade::kNever;
  const std::size_t total = size_mib << 20, chunk = chunk_mib << 20;
  std::vector<std::uint8_t> data(total);
  std::mt19937_64 random(42);
  for (std::size_t i = 0; i < total; i += 8) {
    std::uint64_t v = random();
    std::memcpy(data.data() + i, &v, std::min<std::size_t>(8, total - i));
  }
  using Clock = std::chrono::steady_clock;
  auto mbps = [](std::size_t bytes, Clock::duration d) {
    return static_cast<double>(bytes) / (1 << 20) / std::chrono::duration<double>(d).count();
  };
  try {
    files::FileServiceClient files(binding, options);
    std::printf("files_client: %s -> %s\n", binding.c_str(), files.Rpc().Binding().c_str());
    const std::string name = "demo.bin";
    auto start = Clock::now();
    for (std::size_t offset = 0; offset < total; offset += chunk) {
      std::size_t n = std::min(chunk, total - offset);
      std::vector<std::uint8_t> piece(data.begin() + static_cast<std::ptrdiff_t>(offset),
                                      data.begin() + static_cast<std::ptrdiff_t>(offset + n));
      files.Put(name, static_cast<std::int64_t>(offset), piece);
    }
    auto put_time = Clock::now() - start;
    std::printf("files_client: put %zu MiB in %zu MiB calls: %.0f MiB/s\n", size_mib, chunk_mib,
                mbps(total, put_time));
    std::printf("files_client: server says %s is %lld bytes\n", name.c_str(),
                static_cast<long long>(files.Size(name)));

    std::vector<std::uint8_t> back;
    start = Clock::now();
    for (std::size_t offset = 0; offset < total; offset += chunk) {
      std::vector<std::uint8_t> piece;
      std::int32_t got = 0;
      files.Get(name, static_cast<std::int64_t>(offset), static_cast<std::int32_t>(chunk), piece,
                got);
      back.insert(back.end(), piece.begin(), piece.end());
    }
    auto get_time = Clock::now() - start;
    std::printf("files_client: got it back: %.0f MiB/s, %s\n", mbps(total, get_time),
                back == data ? "every byte matches" : "MISMATCH");
    files::FileList list;
    files.List(list);
    for (const auto& entry : list.entries.value_or(std::vector<files::FileEntry>{})) {
      std::printf("files_client: listed %s (%lld bytes)\n", entry.name ? entry.name->c_str() : "?",
                  static_cast<long long>(entry.size));
    }
    try {
      files.Size("../etc/passwd");
    } catch (const alpaca::RpcError& e) {
      std::printf("files_client: a name outside the root is refused: %s\n", e.what());
    }
    files.Remove(name);
    return back == data ? 0 : 1;
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "files_client: %s\n", e.what());
    return 1;
  }
}
