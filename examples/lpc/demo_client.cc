// demo_client — connects to the demo server and shows each way a local
// port moves data: inline (up to 256 bytes), through the connection
// section, through a section view written in place, and by the server
// reading the client's memory directly. Prints what it sent and got back.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/status.h"

namespace lpc = alpaca::lpc;

namespace {

std::string Text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

int Fail(const char* what, std::error_code ec) {
  std::fprintf(stderr, "client: %s failed: %s\n", what, ec.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = "\\RPC Control\\alpaca-demo";
  CLI::App app{"alpaca local port demo client"};
  app.add_option("--name", name, "port name");
  CLI11_PARSE(app, argc, argv);

  lpc::ConnectOptions options;
  options.section_size = size_t{40} << 20;
  options.allow_server_memory_access = true;
  std::unique_ptr<lpc::ClientPort> port;
  std::vector<std::byte> reply_info;
  std::string info = "demo client";
  for (int attempt = 0;; ++attempt) {
    auto ec =
        lpc::ClientPort::Connect(name, std::as_bytes(std::span(info)), options, port, &reply_info);
    if (!ec) break;
    if (ec != lpc::Status::kObjectNameNotFound || attempt > 100) return Fail("connect", ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("client: connected to %s (server pid %d), reply info \"%s\"\n", name.c_str(),
              port->Server().pid, Text(reply_info).c_str());

  lpc::PortMessage request, reply;
  auto call = [&](const char* label) -> int {
    auto start = std::chrono::steady_clock::now();
    if (auto ec = port->RequestWaitReply(request, reply)) return Fail(label, ec);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::printf("client: %-34s -> \"%s\" (%lld us)\n", label,
                Text(reply.Data()).substr(0, 48).c_str(), static_cast<long long>(us));
    return 0;
  };

  request.SetData("hello over a local port");
  if (call("23 bytes inline")) return 1;
  request.SetData(std::string(256, 'x'));
  if (call("256 bytes inline (the limit)")) return 1;
  request.ResizeData(64 * 1024);
  std::memset(request.MutableData().data(), 'a', request.DataSize());
  if (call("64 KiB through the section")) return 1;
  request.ResizeData(size_t{64} << 20);
  std::memset(request.MutableData().data(), 'b', request.DataSize());
  if (call("64 MiB in a per-message section")) return 1;
  {
    lpc::SectionView view;
    if (auto ec = port->AcquireView(size_t{16} << 20, view)) return Fail("view", ec);
    std::memset(view.Data().data(), 'c', view.Data().size());
    lpc::PortMessage header;
    auto start = std::chrono::steady_clock::now();
    if (auto ec = port->RequestWaitReply(view, header, reply)) return Fail("view request", ec);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::printf("client: %-34s -> \"%s\" (%lld us)\n", "16 MiB written in a section view",
                Text(reply.Data()).c_str(), static_cast<long long>(us));
  }
  std::vector<std::byte> mine(size_t{8} << 20, std::byte{'d'});
  lpc::PortMessage read_request;
  read_request.SetData("please read my buffer");
  read_request.DeclareBuffer(std::span<const std::byte>(mine));
  request = read_request;
  if (call("8 MiB read from client memory")) return 1;

  lpc::PortMessage datagram;
  datagram.SetData("a datagram needs no reply");
  if (auto ec = port->Request(datagram)) return Fail("datagram", ec);
  std::printf("client: sent a datagram; sent %llu messages, %llu via the section\n",
              static_cast<unsigned long long>(port->Query().messages_sent),
              static_cast<unsigned long long>(port->Query().section_messages));
  port->Close();
  std::printf("client: closed the port\n");
  return 0;
}
