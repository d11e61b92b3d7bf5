// alpaca_test_server: serves AlpacaTest over ncacn_ip_tcp (and, with
// --ncalrpc NAME, over local ports too; with --epm-port, an endpoint mapper
// that maps it) until SIGTERM/SIGINT, then stops gracefully.
// Prints "READY <port> <epm_port>" once listening, for the test drivers.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "rpc/endpoint_mapper.h"
#include "rpc/server.h"
#include "rpc/status.h"
#include "test_interface.h"

int main(int argc, char** argv) {
  using namespace alpaca::rpc;
  std::string port = "0";
  std::string epm_port;
  std::string ncalrpc;
  std::string address = "127.0.0.1";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--port") == 0) port = argv[i + 1];
    else if (std::strcmp(argv[i], "--epm-port") == 0) epm_port = argv[i + 1];
    else if (std::strcmp(argv[i], "--ncalrpc") == 0) ncalrpc = argv[i + 1];
    else if (std::strcmp(argv[i], "--address") == 0) address = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--port N] [--epm-port N] [--ncalrpc NAME] [--address A]\n", argv[0]);
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts

  try {
    ServerOptions options;
    options.tcp_address = address;
    options.worker_threads = 8;
    options.max_concurrent_calls = 256;
    Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    if (!ncalrpc.empty()) server.UseProtseqEp("ncalrpc", ncalrpc);
    server.RegisterInterface(testing::AlpacaTestRegistration());
    server.Listen();
    std::uint16_t bound = server.TcpPorts()[0];

    EndpointMapper epm;
    std::unique_ptr<Server> epm_server;
    std::uint16_t epm_bound = 0;
    if (!epm_port.empty()) {
      epm.AddTcpEndpoint(testing::kAlpacaTest, bound, 0x7f000001);
      epm_server = std::make_unique<Server>(options);
      epm_server->UseProtseqEp("ncacn_ip_tcp", epm_port);
      epm_server->RegisterInterface(epm.Registration());
      epm_server->Listen();
      epm_bound = epm_server->TcpPorts()[0];
    }
    std::printf("READY %u %u\n", bound, epm_bound);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    if (epm_server) epm_server->Stop();
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "alpaca_test_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
