// Shared fixture of the multi-process port tests: a private namespace
// directory per test (ALPACA_LPC_DIR, inherited by children) and helpers to
// start lpc_peer as a server or a client process.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"
#include "alpaca_test_support/temp_dir.h"
#include "child_process.h"

namespace alpaca::lpc::testing {

class LpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Traversable by the unprivileged children some tests start.
    ::chmod(dir_.c_str(), 0777);
    ::setenv("ALPACA_LPC_DIR", dir_.c_str(), 1);
  }

  // Starts `lpc_peer serve --name name extra...` and waits for READY.
  std::unique_ptr<ChildProcess> StartServer(const std::string& name,
                                            std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {PeerPath(), "serve", "--name", name};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = std::make_unique<ChildProcess>(argv);
    auto ready = child->WaitForLine("READY");
    EXPECT_TRUE(ready.has_value()) << "server did not start";
    return child;
  }

  std::unique_ptr<ChildProcess> StartClient(const std::string& name, const std::string& op,
                                            std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {PeerPath(), "client", "--name", name, "--op", op};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv);
  }

  // A server port in this (the test) process.
  std::unique_ptr<ConnectionPort> CreatePort(const std::string& name,
                                             PortAttributes attributes = {},
                                             PortSecurity security = {}) {
    std::unique_ptr<ConnectionPort> port;
    auto ec = ConnectionPort::Create(name, attributes, security, port);
    EXPECT_FALSE(ec) << ec.message();
    return port;
  }

  // Receives until a message of `type` arrives (accepting connections on the
  // way); fails the test on timeout.
  ReceivedMessage ReceiveType(ConnectionPort& port, MessageType type,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      ReceivedMessage in;
      auto left = deadline - std::chrono::steady_clock::now();
      auto ec =
          port.ReplyWaitReceive(in, std::chrono::duration_cast<std::chrono::nanoseconds>(left));
      if (ec) {
        ADD_FAILURE() << "waiting for " << MessageTypeName(type) << ": " << ec.message();
        return in;
      }
      if (in.message.Type() == type) return in;
      if (in.message.Type() == MessageType::kConnectionRequest) {
        std::shared_ptr<ServerPort> client;
        EXPECT_FALSE(port.AcceptAndComplete(std::move(in.connection), {}, nullptr, client));
        accepted_.push_back(client);
      }
    }
  }

  // Under /tmp, not $TMPDIR: socket paths must fit sun_path (108 bytes),
  // and the children running as uid 65534 must be able to reach it.
  alpaca::test_support::TempDir temp_{"alpaca-lpc-test", "/tmp"};
  const std::string dir_ = temp_.Path().string();  // the port namespace
  std::vector<std::shared_ptr<ServerPort>> accepted_;
};

inline std::span<const std::byte> Bytes(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

inline std::string Text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace alpaca::lpc::testing
