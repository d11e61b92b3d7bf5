// oracle_server: MsUnions.idl's methods on ncacn_ip_tcp (--port N, 0: any)
// until SIGTERM, for wine_client.c. Each method echoes the union it was
// given and answers `tail` with `lead`, so the bytes after a union show
// where alpaca ended it. Prints "READY <tcp port> 0" once listening, for
// run_with_server.py.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include "MsUnions_server.h"

namespace {

class Echo final : public MsUnions::MsUnionsServer {
 public:
  void EchoByShort(char lead, std::int16_t, const MsUnions::ByShort& value, MsUnions::ByShort& echo,
                   char& tail) override {
    echo = value;
    tail = lead;
  }
  void EchoByChar(char lead, char, const MsUnions::ByChar& value, MsUnions::ByChar& echo,
                  char& tail) override {
    echo = value;
    tail = lead;
  }
  void EchoByLong(char lead, std::int32_t, const MsUnions::ByLong& value, MsUnions::ByLong& echo,
                  char& tail) override {
    echo = value;
    tail = lead;
  }
  void EchoByLevel(char lead, MsUnions::Level, const MsUnions::ByLevel& value,
                   MsUnions::ByLevel& echo, char& tail) override {
    echo = value;
    tail = lead;
  }
  void EchoEncapsulated(std::int64_t lead, const MsUnions::Encapsulated& value,
                        MsUnions::Encapsulated& echo, char& tail) override {
    echo = value;
    tail = static_cast<char>(lead);
  }
  void EchoHolder(char lead, const MsUnions::Holder& value, MsUnions::Holder& echo,
                  char& tail) override {
    echo = value;
    tail = lead;
  }
  // Not called by wine_client: their bytes are checked in process.
  void ShortArm(const MsUnions::ByShort&) override {}
  void CharArm(const MsUnions::ByChar&) override {}
  void Nested(const MsUnions::Outer&) override {}
  void LevelThenEncapsulated(MsUnions::Level&, MsUnions::Encapsulated& value, char&) override {
    value.set_c('c');
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"oracle_server: MsUnions.idl over ncacn_ip_tcp"};
  std::string port = "0";
  app.add_option("--port", port, "TCP port (0: any)");
  CLI11_PARSE(app, argc, argv);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    alpaca::rpc::ServerOptions options;
    options.tcp_address = "127.0.0.1";
    alpaca::rpc::Server server(options);
    server.UseProtseqEp("ncacn_ip_tcp", port);
    server.RegisterInterface(MsUnions::MsUnionsServer::Registration(std::make_shared<Echo>()));
    server.Listen();
    std::printf("READY %u 0\n", server.TcpPorts()[0]);
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    server.Stop();
  } catch (const alpaca::RpcError& e) {
    std::fprintf(stderr, "oracle_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
