// demo_server — a local port server: creates `\RPC Control\alpaca-demo`,
// accepts every client, and answers each request with a summary of what it
// received (inline text upper-cased; long data as length and checksum).
// Prints one line per event. Stops after --clients clients have left.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "alpaca/lpc/connection_port.h"

namespace lpc = alpaca::lpc;

namespace {

uint32_t Checksum(std::span<const std::byte> data, uint32_t sum = 0) {
  for (std::byte b : data) sum = sum * 31 + static_cast<uint32_t>(b);
  return sum;
}

// A declared buffer's length is only the client's word (it may say 2^62):
// refuse what is over this, and read the rest in pieces of kReadPiece, so
// that what a client declares costs the server no memory.
constexpr uint64_t kMaxDeclaredRead = uint64_t{256} << 20;
constexpr uint64_t kReadPiece = uint64_t{64} << 10;

std::string ReadDeclaredBuffer(lpc::ServerPort& port, const lpc::PortMessage& request) {
  uint64_t length = request.DataInfo()[0].length;
  if (length > kMaxDeclaredRead) {
    return "declared buffer of " + std::to_string(length) + " bytes refused (limit " +
           std::to_string(kMaxDeclaredRead) + ")";
  }
  std::vector<std::byte> piece(std::min(length, kReadPiece));
  uint32_t sum = 0;
  for (uint64_t at = 0; at < length; at += piece.size()) {
    auto part = std::span(piece).first(std::min<uint64_t>(piece.size(), length - at));
    if (auto ec = port.ReadRequestData(request, 0, at, part)) return "read failed: " + ec.message();
    sum = Checksum(part, sum);
  }
  return "read " + std::to_string(length) + " bytes from your memory, checksum " +
         std::to_string(sum);
}

std::string Describe(const lpc::PortMessage& m) {
  return std::string(lpc::MessageTypeName(m.Type())) + " from pid " +
         std::to_string(m.Sender().pid) + " (uid " + std::to_string(m.Sender().uid) + ")";
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "\\RPC Control\\alpaca-demo";
  int clients = 1;
  CLI::App app{"alpaca local port demo server"};
  app.add_option("--name", name, "port name");
  app.add_option("--clients", clients, "exit after this many clients have gone");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<lpc::ConnectionPort> port;
  if (auto ec = lpc::ConnectionPort::Create(name, {}, {}, port)) {
    std::fprintf(stderr, "server: cannot create %s: %s\n", name.c_str(), ec.message().c_str());
    return 1;
  }
  std::printf("server: listening on %s\n", port->Name().c_str());
  std::fflush(stdout);

  lpc::ReceivedMessage in;
  lpc::PortMessage reply;
  int gone = 0;
  while (gone < clients) {
    if (auto ec = port->ReplyWaitReceive(in)) {
      std::fprintf(stderr, "server: receive failed: %s\n", ec.message().c_str());
      return 1;
    }
    switch (in.message.Type()) {
      case lpc::MessageType::kConnectionRequest: {
        std::string info(reinterpret_cast<const char*>(in.connection.ConnectInfo().data()),
                         in.connection.ConnectInfo().size());
        std::printf(
            "server: connection request from pid %d uid %u, connect info \"%s\", "
            "section %zu bytes\n",
            in.connection.Client().pid, in.connection.Client().uid, info.c_str(),
            in.connection.SectionSize());
        std::string welcome = "welcome, pid " + std::to_string(in.connection.Client().pid);
        std::shared_ptr<lpc::ServerPort> client;
        if (auto ec = port->AcceptAndComplete(std::move(in.connection),
                                              std::as_bytes(std::span(welcome)), nullptr, client)) {
          std::printf("server: accept failed: %s\n", ec.message().c_str());
        }
        break;
      }
      case lpc::MessageType::kRequest: {
        auto data = in.message.Data();
        std::string answer;
        if (!in.message.DataInfo().empty()) {
          // The client declared a buffer: read it straight from its memory.
          answer = ReadDeclaredBuffer(*in.port, in.message);
        } else if (data.size() <= lpc::PortMessage::kMaxInlineData) {
          answer.assign(reinterpret_cast<const char*>(data.data()), data.size());
          std::transform(answer.begin(), answer.end(), answer.begin(),
                         [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        } else {
          answer = "got " + std::to_string(data.size()) + " bytes, checksum " +
                   std::to_string(Checksum(data));
        }
        std::printf("server: %s, %zu bytes -> \"%s\"\n", Describe(in.message).c_str(), data.size(),
                    answer.substr(0, 60).c_str());
        reply.SetData(answer);
        (void)in.port->Reply(in.message, reply);
        break;
      }
      case lpc::MessageType::kPortClosed:
      case lpc::MessageType::kClientDied:
        std::printf("server: %s\n", Describe(in.message).c_str());
        ++gone;
        break;
      default:
        std::printf("server: %s, %zu bytes\n", Describe(in.message).c_str(), in.message.DataSize());
        break;
    }
    std::fflush(stdout);
    in.port.reset();
  }
  std::printf("server: done\n");
  return 0;
}
