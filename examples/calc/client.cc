// calc_client: calls the Calculator. Without a host it uses the local port
// transport (ncalrpc:[calc]); with one, ncacn_ip_tcp:<host>[4747] -- which
// alpaca upgrades to ncalrpc when <host> is this machine, unless
// --no-local-upgrade says otherwise.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "calc_client.h"

namespace {

// The demo doubles as a test (ctest runs it): a wrong answer fails the run.
int failures = 0;

void Expect(bool ok, const char* what) {
  if (ok) return;
  ++failures;
  std::fprintf(stderr, "calc_client: WRONG: expected %s\n", what);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"calc_client: calls the Calculator interface"};
  std::string host;
  std::string endpoint = "calc";
  std::string port = "4747";
  bool no_upgrade = false;
  app.add_option("host", host, "server host for ncacn_ip_tcp (none: ncalrpc on this host)");
  app.add_option("--endpoint", endpoint, "ncalrpc endpoint");
  app.add_option("--port", port, "ncacn_ip_tcp port");
  app.add_flag("--no-local-upgrade", no_upgrade, "use TCP even when the host is this machine");
  CLI11_PARSE(app, argc, argv);

  std::string binding =
      host.empty() ? "ncalrpc:[" + endpoint + "]" : "ncacn_ip_tcp:" + host + "[" + port + "]";
  alpaca::rpc::ClientOptions options;
  if (no_upgrade) options.local_upgrade = alpaca::rpc::LocalUpgrade::kNever;
  try {
    calc::CalculatorClient calc(binding, options);
    std::printf("client: %s -> %s\n", binding.c_str(), calc.Rpc().Binding().c_str());

    std::int32_t sum = calc.Add(2, 40);
    std::printf("client: Add(2, 40) = %d\n", sum);
    Expect(sum == 42, "Add(2, 40) is 42");

    std::int32_t remainder = 0;
    std::int32_t quotient = calc.Divide(17, 5, remainder);
    std::printf("client: Divide(17, 5) = %d remainder %d\n", quotient, remainder);
    Expect(quotient == 3 && remainder == 2, "Divide(17, 5) is 3 remainder 2");
    try {
      calc.Divide(1, 0, remainder);
      Expect(false, "Divide(1, 0) faults");
    } catch (const alpaca::RpcError& e) {
      std::printf("client: Divide(1, 0) failed as it should: %s\n", e.what());
      Expect(e.Status() == alpaca::rpc::status::kNcaFaultIntDivByZero,
             "Divide(1, 0) faults with nca_s_fault_int_div_by_zero");
    }

    std::vector<std::int32_t> values(1000);
    for (int i = 0; i < 1000; ++i) values[static_cast<std::size_t>(i)] = i + 1;
    std::int64_t total = calc.Sum(values);
    std::printf("client: Sum(1..1000) = %lld\n", static_cast<long long>(total));
    Expect(total == 500500, "Sum(1..1000) is 500500");

    calc::Complex product;
    calc.Multiply({1, 2}, {3, 4}, product);
    std::printf("client: (1+2i)(3+4i) = %g%+gi\n", product.re, product.im);
    Expect(product.re == -5 && product.im == 10, "(1+2i)(3+4i) is -5+10i");

    std::optional<std::string> text;
    calc.Describe(7, text);
    std::printf("client: 7 is %s\n", text ? text->c_str() : "(null)");
    Expect(text == "odd", "7 is odd");

    calc::MEMORY memory;
    calc.OpenMemory(memory);
    for (double v : {1.5, 2.5, 3.0}) calc.Accumulate(memory, v);
    double kept = calc.Accumulate(memory, 0);
    std::printf("client: memory total %g\n", kept);
    Expect(kept == 7.0, "the context handle keeps the total 7");
    calc.CloseMemory(memory);
    std::printf("client: memory closed (handle is %s)\n", memory.IsNull() ? "null" : "live");
    Expect(memory.IsNull(), "CloseMemory nulls the handle");
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "calc_client: %s\n", e.what());
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
