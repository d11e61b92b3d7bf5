// Serves Hello on ncalrpc and calls it from the same process. It includes
// only the generated headers: they bring in what a server and a client need.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "hello_client.h"
#include "hello_server.h"

class Impl final : public hello::HelloServer {
  void Greet(const std::string& name, std::optional<std::string>& greeting) override {
    greeting = "hello, " + name;
  }
};

int main() {
  std::string endpoint = "consumer-" + std::to_string(::getpid());
  alpaca::rpc::Server server;
  server.UseProtseqEp("ncalrpc", endpoint);
  server.RegisterInterface(hello::HelloServer::Registration(std::make_shared<Impl>()));
  server.Listen();
  hello::HelloClient client("ncalrpc:[" + endpoint + "]");
  std::optional<std::string> greeting;
  client.Greet("installed alpaca", greeting);
  std::printf("%s\n", greeting ? greeting->c_str() : "(null)");
  return greeting == std::string("hello, installed alpaca") ? 0 : 1;
}
