// conformance_server: implements tests/idl/conformance/conformance.idl with
// the generated server stub, on ncalrpc (--ncalrpc NAME) and ncacn_ip_tcp
// (--port N, 0: any) until SIGTERM. Prints "READY <tcp port> 0" once
// listening, for run_with_server.py.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "conformance_impl.h"
#include "rpc/server.h"

int main(int argc, char** argv) {
  std::string port = "0", ncalrpc;
  bool everyone = false;
  long deny_uid = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--port") {
      port = value;
    } else if (flag == "--ncalrpc") {
      ncalrpc = value;
    } else if (flag == "--everyone") {
      everyone = value == "1";
    } else if (flag == "--deny-uid") {
      deny_uid = std::stol(value);
    } else {
      std::fprintf(stderr, "conformance_server: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    alpaca::rpc::ServerOptions options;
    options.tcp_address = "0.0.0.0";
    options.max_call_bytes = 64u << 20;
    options.local_security.allow_everyone = everyone;
    alpaca::rpc::Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    if (!ncalrpc.empty()) server.UseProtseqEp("ncalrpc", ncalrpc);
    // The interface's security callback sees the caller's kernel-verified
    // identity over ncalrpc: --deny-uid refuses one uid.
    alpaca::rpc::SecurityCallback security;
    if (deny_uid >= 0) {
      security = [deny_uid](const alpaca::rpc::CallContext& call) {
        return !(call.peer.local && call.peer.local->uid == static_cast<std::uint32_t>(deny_uid));
      };
    }
    server.RegisterInterface(conformance::ConformanceServer::Registration(
        std::make_shared<conformance_impl::Impl>(), std::move(security)));
    server.Listen();
    std::printf("READY %u 0\n", server.TcpPorts()[0]);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "conformance_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
