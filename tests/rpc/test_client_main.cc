// alpaca_test_client: alpaca's client against alpaca_test_server in another
// process. Checks every method's results (base types, conformant array,
// [string] wchar_t*, struct, [in,out] pointers, unique NULL/non-NULL, a
// fault), then optionally `--clients N --calls M` concurrent clients with
// every result checked. Exit status 0 only if every check passed.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "alpaca/rpc/status.h"
#include "test_interface.h"

namespace {

using namespace alpaca::rpc;
using namespace alpaca::rpc::testing;

std::atomic<int> failures{0};

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

void Functional(const std::string& binding, const ClientOptions& options,
                const std::string& expect_protseq) {
  Client client(binding, kAlpacaTest, options);
  std::printf("%s -> %s\n", binding.c_str(), client.Binding().c_str());
  if (!expect_protseq.empty()) CHECK(client.Protseq() == expect_protseq);
  AlpacaTestProxy p(client);
  double total = 0;
  CHECK(p.Sum(-5, 300, 70000, 1ll << 40, 0.5f, 0.25, total) == -5 + 300 + 70000);
  CHECK(total == -5 + 300 + 70000 + static_cast<double>(1ll << 40) + 0.75);

  std::vector<std::int32_t> values;
  for (int i = -500; i < 1500; ++i) values.push_back(i * 1000);  // spans fragments
  std::int64_t sum = 0;
  CHECK(p.SumArray(values, sum) == 2000);
  std::int64_t expected = 0;
  for (auto v : values) expected += v;
  CHECK(sum == expected);

  std::optional<std::u16string> reply;
  CHECK(p.Greet(u"w\u00f6rld", reply) == 5);
  CHECK(reply && *reply == u"Hello, w\u00f6rld!");

  Point scaled;
  CHECK(p.ScalePoint({1, -2, 7, 1ll << 33}, scaled) == 0);
  CHECK((scaled == Point{2, -4, 7, 1ll << 34}));

  std::int32_t value = 41;
  Point pt{10, 20, 30, 40};
  CHECK(p.Increment(value, pt) == 0);
  CHECK(value == 42);
  CHECK((pt == Point{11, 21, 31, 41}));

  CHECK(p.MaybeLength(std::nullopt) == -1);
  CHECK(p.MaybeLength(u"four") == 4);

  try {
    p.Fail(0x1c010002);
    CHECK(false);
  } catch (const alpaca::RpcError& e) {
    CHECK(e.Status() == 0x1c010002u);
  }
  try {
    client.Call(99, {});
    CHECK(false);
  } catch (const alpaca::RpcError& e) {
    CHECK(e.Status() == status::kNcaOpRangeError);
  }
  std::printf("functional checks done\n");
}

void Stress(const std::string& binding, const ClientOptions& options, int clients, int calls) {
  std::atomic<long> ok{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      try {
        Client client(binding, kAlpacaTest, options);
        AlpacaTestProxy p(client);
        for (int i = 0; i < calls; ++i) {
          std::int32_t value = t * 100000 + i;
          Point pt{t, i, static_cast<std::int16_t>(i % 1000), std::int64_t{t} * i};
          if (p.Increment(value, pt) == 0 && value == t * 100000 + i + 1 &&
              pt == Point{t + 1, i + 1, static_cast<std::int16_t>(i % 1000 + 1),
                          std::int64_t{t} * i + 1}) {
            ++ok;
          } else {
            ++failures;
          }
        }
      } catch (const alpaca::RpcError& e) {
        std::fprintf(stderr, "client %d: %s\n", t, e.what());
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("stress: %d clients x %d calls: %ld ok in %.2f s (%.0f calls/s)\n", clients, calls,
              ok.load(), secs, ok.load() / secs);
  CHECK(ok.load() == static_cast<long>(clients) * calls);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"alpaca_test_client: checks alpaca_test_server's methods over a binding"};
  std::string binding;
  std::string expect_protseq;
  ClientOptions options;
  int clients = 0, calls = 0;
  int no_local_upgrade = 0;
  app.add_option("--binding", binding, "string binding of the server")->required();
  app.add_option("--epm-port", options.epmapper_port, "endpoint mapper port");
  app.add_option("--clients", clients, "concurrent clients for the stress part");
  app.add_option("--calls", calls, "calls per client");
  app.add_option("--expect-protseq", expect_protseq, "protocol sequence the binding must choose");
  app.add_option("--no-local-upgrade", no_local_upgrade, "1: never upgrade TCP to ncalrpc");
  CLI11_PARSE(app, argc, argv);
  if (no_local_upgrade == 1) options.local_upgrade = LocalUpgrade::kNever;
  try {
    Functional(binding, options, expect_protseq);
    if (clients > 0) Stress(binding, options, clients, calls);
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "unexpected RpcError: %s\n", e.what());
    return 1;
  }
  if (failures) std::fprintf(stderr, "%d check(s) failed\n", failures.load());
  return failures ? 1 : 0;
}
