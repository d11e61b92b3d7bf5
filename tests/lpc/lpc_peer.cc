// lpc_peer — the other process in the local port tests: a port server or a
// port client driven by command-line options, reporting what happened on
// stdout one line per event so the test can assert on it.
//
//   lpc_peer serve  --name N [limits, security] [--threads K]
//   lpc_peer client --name N --op OP [...]
//
// Server behaviour (echo server with a few commands in the request data):
//   "sleep:<ms>"   reply after a delay       "hold"      never reply
//   "read:<n>"     NtReadRequestData of n bytes from buffer 0, reply with them
//   "write:<n>"    NtWriteRequestData of a pattern into buffer 0, reply "OK"
//   "big:<n>"      reply with n pattern bytes     anything else: echoed
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"
#include "pattern.h"

namespace lpc = alpaca::lpc;
using namespace std::chrono_literals;

namespace {

void Say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

std::string StatusName(std::error_code ec) {
  if (!ec) return "OK";
  if (ec.category() == lpc::LpcCategory()) {
    static const char* names[] = {
        "kSuccess",          "kObjectNameNotFound", "kObjectNameCollision", "kObjectNameInvalid",
        "kAccessDenied",     "kConnectionRefused",  "kPortDisconnected",    "kTimeout",
        "kInvalidParameter", "kMessageTooLong",     "kConnectInfoTooLong",  "kQuotaExceeded",
        "kInvalidMessage",   "kInvalidView",        "kSectionError",        "kReplyMismatch",
        "kInvalidDataInfo",  "kPartialCopy",        "kSystemError"};
    if (ec.value() >= 0 && ec.value() < static_cast<int>(std::size(names)))
      return names[ec.value()];
  }
  return "errno:" + ec.message();
}

std::string AsString(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void DropToNobody() {
  if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
    Say("DROP_FAILED");
    std::exit(3);
  }
}

struct ServeOptions {
  std::string name;
  int threads = 1;
  size_t max_message_length = 256;
  size_t max_connect_info = 256;
  size_t max_pool = size_t{512} << 20;
  std::vector<uid_t> allow_uids;
  std::vector<gid_t> allow_gids;
  bool everyone = false;
  bool nobody = false;
};

void HandleRequest(lpc::ConnectionPort& port, lpc::ReceivedMessage& in, lpc::PortMessage& reply) {
  // The command is the text before the first NUL (or the whole of a short
  // message), so that large requests can carry one too.
  std::string text = AsString(in.message.Data().first(std::min<size_t>(in.message.DataSize(), 64)));
  text = text.substr(0, text.find('\0'));
  if (in.message.DataSize() > 64 && text.size() == 64) text.clear();
  reply.Clear();
  if (text == "hold") return;
  if (text.rfind("sleep:", 0) == 0) {
    Say("SLEEPING");  // the request has arrived: tests may now kill or close
    std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(text.substr(6))));
    reply.SetData("slept");
  } else if (text.rfind("read:", 0) == 0) {
    std::vector<std::byte> bytes(std::stoul(text.substr(5)));
    auto ec = in.port->ReadRequestData(in.message, 0, 0, bytes);
    if (ec) {
      reply.SetData("ERR " + StatusName(ec));
    } else {
      reply.SetData(bytes);
    }
  } else if (text.rfind("write:", 0) == 0) {
    std::vector<std::byte> bytes(std::stoul(text.substr(6)));
    alpaca::lpc::testing::FillPattern(bytes, 99);
    auto ec = in.port->WriteRequestData(in.message, 0, 0, bytes);
    reply.SetData(ec ? "ERR " + StatusName(ec) : std::string("OK"));
  } else if (text.rfind("big:", 0) == 0) {
    auto out = reply.ResizeData(std::stoul(text.substr(4)));
    alpaca::lpc::testing::FillPattern(out, 7);
  } else {
    reply.SetData(in.message.Data());
  }
  auto ec = in.port->Reply(in.message, reply);
  if (ec) Say("REPLY_FAILED " + StatusName(ec));
  (void)port;
}

int Serve(const ServeOptions& options) {
  if (options.nobody) DropToNobody();
  lpc::PortAttributes attributes;
  attributes.max_message_length = options.max_message_length;
  attributes.max_connect_info_length = options.max_connect_info;
  attributes.max_pool_usage = options.max_pool;
  lpc::PortSecurity security;
  security.allowed_uids = options.allow_uids;
  security.allowed_gids = options.allow_gids;
  security.allow_everyone = options.everyone;
  std::unique_ptr<lpc::ConnectionPort> port;
  if (auto ec = lpc::ConnectionPort::Create(options.name, attributes, security, port)) {
    Say("CREATE_FAILED " + StatusName(ec));
    return 2;
  }
  Say("READY " + std::to_string(::getpid()));

  auto worker = [&] {
    lpc::ReceivedMessage in;
    lpc::PortMessage reply;
    for (;;) {
      auto ec = port->ReplyWaitReceive(in);
      if (ec) {
        Say("RECEIVE_FAILED " + StatusName(ec));
        return;
      }
      const auto& who = in.message.Sender();
      switch (in.message.Type()) {
        case lpc::MessageType::kConnectionRequest: {
          std::string info = AsString(in.connection.ConnectInfo());
          Say("CONNECT pid=" + std::to_string(who.pid) + " uid=" + std::to_string(who.uid) +
              " gid=" + std::to_string(who.gid) + " info=" + info.substr(0, 40) +
              " section=" + std::to_string(in.connection.SectionSize()));
          if (info.rfind("refuse", 0) == 0) {
            std::string why = "go away";
            (void)port->Refuse(std::move(in.connection), std::as_bytes(std::span(why)));
          } else {
            std::string welcome = "welcome:" + info.substr(0, 8);
            std::shared_ptr<lpc::ServerPort> client;
            auto aec = port->AcceptAndComplete(std::move(in.connection),
                                               std::as_bytes(std::span(welcome)), nullptr, client);
            if (aec) Say("ACCEPT_FAILED " + StatusName(aec));
          }
          break;
        }
        case lpc::MessageType::kRequest:
          HandleRequest(*port, in, reply);
          break;
        case lpc::MessageType::kDatagram: {
          Say("DATAGRAM pid=" + std::to_string(who.pid) +
              " size=" + std::to_string(in.message.DataSize()));
          if (AsString(in.message.Data()) == "ping-back") {
            lpc::PortMessage back;
            back.SetData("pong");
            (void)in.port->SendDatagram(back);
          } else if (AsString(in.message.Data()) == "close-me") {
            in.port->Close();
          }
          break;
        }
        case lpc::MessageType::kLostReply:
          Say("LOST_REPLY id=" + std::to_string(in.message.MessageId()));
          break;
        case lpc::MessageType::kPortClosed:
          Say("PORT_CLOSED pid=" + std::to_string(who.pid));
          break;
        case lpc::MessageType::kClientDied:
          Say("CLIENT_DIED pid=" + std::to_string(who.pid));
          break;
        default:
          Say("UNEXPECTED");
      }
      in.port.reset();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < options.threads; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return 0;
}

struct ClientOptions {
  std::string name;
  std::string op;
  std::string info = "hello";
  size_t count = 1;
  size_t size = 16;
  size_t section = size_t{1} << 20;
  bool nobody = false;
};

int Client(const ClientOptions& options) {
  if (options.nobody) DropToNobody();
  lpc::ConnectOptions connect;
  connect.section_size = options.section;
  connect.allow_server_memory_access = true;
  auto info = std::as_bytes(std::span(options.info));

  if (options.op == "churn") {
    for (size_t i = 0; i < options.count; ++i) {
      std::unique_ptr<lpc::ClientPort> port;
      if (auto ec = lpc::ClientPort::Connect(options.name, info, connect, port)) {
        Say("CONNECT_FAILED " + StatusName(ec) + " at " + std::to_string(i));
        return 1;
      }
    }
    Say("CHURN_DONE");
    return 0;
  }

  std::unique_ptr<lpc::ClientPort> port;
  std::vector<std::byte> reply_info;
  auto ec = lpc::ClientPort::Connect(options.name, info, connect, port, &reply_info);
  Say("CONNECTED " + StatusName(ec) + " " + AsString(reply_info));
  if (ec) return 0;

  if (options.op == "connect") return 0;
  if (options.op == "echo") {
    lpc::PortMessage request, reply;
    for (size_t i = 0; i < options.count; ++i) {
      auto data = request.ResizeData(options.size);
      alpaca::lpc::testing::FillPattern(data, static_cast<uint32_t>(i + ::getpid()));
      if (auto rec = port->RequestWaitReply(request, reply)) {
        Say("ECHO_FAILED " + StatusName(rec));
        return 1;
      }
      if (reply.DataSize() != options.size ||
          std::memcmp(reply.Data().data(), request.Data().data(), options.size) != 0) {
        Say("ECHO_MISMATCH at " + std::to_string(i));
        return 1;
      }
    }
    Say("ECHO_OK " + std::to_string(options.count));
    return 0;
  }
  if (options.op == "call") {  // one request whose text is --info2 style: use size as sleep
    lpc::PortMessage request, reply;
    request.SetData("sleep:" + std::to_string(options.size));
    Say("CALLING");
    auto start = std::chrono::steady_clock::now();
    auto rec = port->RequestWaitReply(request, reply);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    Say("CALL_DONE " + StatusName(rec) + " ms=" + std::to_string(ms));
    return 0;
  }
  if (options.op == "flood") {
    lpc::PortMessage datagram;
    datagram.ResizeData(200);
    for (size_t i = 0; i < 1000000; ++i) {
      if (auto fec = port->Request(datagram)) {
        Say("FLOOD_STOPPED " + StatusName(fec) + " after=" + std::to_string(i));
        return 0;
      }
    }
    Say("FLOOD_NEVER_STOPPED");
    return 1;
  }
  if (options.op == "garbage") {
    std::mt19937 rng(static_cast<uint32_t>(::getpid()));
    std::vector<unsigned char> junk(options.size);
    for (auto& b : junk) b = static_cast<unsigned char>(rng());
    (void)!::send(port->WaitHandle(), junk.data(), junk.size(), MSG_NOSIGNAL);
    lpc::PortMessage request, reply;
    request.SetData("after garbage");
    auto rec = port->RequestWaitReply(request, reply, std::chrono::seconds(5));
    Say("AFTER_GARBAGE " + StatusName(rec));
    return 0;
  }
  if (options.op == "idle") {
    Say("IDLE");
    std::this_thread::sleep_for(std::chrono::hours(1));
    return 0;
  }
  Say("UNKNOWN_OP");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"alpaca local port test peer"};
  app.require_subcommand(1);
  ServeOptions serve;
  auto* s = app.add_subcommand("serve", "run an echo port server");
  s->add_option("--name", serve.name)->required();
  s->add_option("--threads", serve.threads);
  s->add_option("--max-message-length", serve.max_message_length);
  s->add_option("--max-connect-info", serve.max_connect_info);
  s->add_option("--max-pool", serve.max_pool);
  s->add_option("--allow-uid", serve.allow_uids);
  s->add_option("--allow-gid", serve.allow_gids);
  s->add_flag("--everyone", serve.everyone);
  s->add_flag("--as-nobody", serve.nobody);
  ClientOptions client;
  auto* c = app.add_subcommand("client", "connect and run one operation");
  c->add_option("--name", client.name)->required();
  c->add_option("--op", client.op)->required();
  c->add_option("--info", client.info);
  c->add_option("--count", client.count);
  c->add_option("--size", client.size);
  c->add_option("--section", client.section);
  c->add_flag("--as-nobody", client.nobody);
  CLI11_PARSE(app, argc, argv);
  if (s->parsed()) return Serve(serve);
  return Client(client);
}
