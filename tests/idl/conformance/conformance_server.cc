// conformance_server: implements tests/idl/conformance/conformance.idl with
// the generated server stub, on ncalrpc (--ncalrpc NAME), ncacn_unix_stream
// (--unix NAME) and ncacn_ip_tcp (--port N, 0: any) until SIGTERM. Prints "READY <tcp port> 0" once
// listening, for run_with_server.py.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "alpaca/rpc/server.h"
#include "conformance_impl.h"

int main(int argc, char** argv) {
  CLI::App app{"conformance_server: conformance.idl over ncalrpc, ncacn_unix_stream, ncacn_ip_tcp"};
  std::string port = "0", ncalrpc, unix_stream;
  int everyone = 0;
  long deny_uid = -1;
  app.add_option("--port", port, "TCP port (0: any)");
  app.add_option("--ncalrpc", ncalrpc, "also listen on this ncalrpc endpoint");
  app.add_option("--unix", unix_stream, "also listen on this ncacn_unix_stream endpoint");
  app.add_option("--everyone", everyone, "1: any local uid may call over local transports");
  app.add_option("--deny-uid", deny_uid, "the security callback refuses this uid");
  CLI11_PARSE(app, argc, argv);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    alpaca::rpc::ServerOptions options;
    options.tcp_address = "0.0.0.0";
    options.max_call_bytes = 64u << 20;
    options.max_call_memory = 32u << 20;  // the client's largest reply is 16 MiB
    options.local_security.allow_everyone = everyone == 1;
    alpaca::rpc::Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    if (!ncalrpc.empty()) server.UseProtseqEp("ncalrpc", ncalrpc);
    if (!unix_stream.empty()) server.UseProtseqEp("ncacn_unix_stream", unix_stream);
    // The interface's security callback sees the caller's kernel-verified
    // identity over the local transports: --deny-uid refuses one uid.
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
