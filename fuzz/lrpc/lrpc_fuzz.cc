// libFuzzer target: hostile ncalrpc clients against the real server
// endpoint (ncalrpc::Endpoint) — its decoding of the connect info (the
// bind), of each request's header, object UUID and drep, and its dispatch.
// Nothing is factored out or stubbed: one endpoint serves on a real local
// port for the whole run, and each input is one client that connects with
// fuzzed connect info and sends a fuzzed sequence of requests (inline, or
// through its section view), datagrams and abandoned requests (the server
// sees a lost reply).
//
// Invariants checked (std::abort on a violation):
//   - the connect is accepted exactly when the connect info is a
//     well-formed bind for the registered interface with NDR20; a refusal
//     carries a bind reply with a non-zero status;
//   - every request is answered within 10 seconds with at least a reply
//     header; a malformed one (short header, unknown flags, missing object
//     UUID, unsupported drep) with nca_s_proto_error, did-not-execute, and
//     the connection is closed after it;
//   - a successful reply never says did-not-execute.
//
// The server runs one receive thread, so a client's requests are handled
// in order; the fuzzer's own thread is the client.
#include <fuzzer/FuzzedDataProvider.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/status.h"
#include "alpaca/rpc/status.h"
#include "endpoint.h"
#include "server_connection.h"
#include "test_interface.h"
#include "wire.h"

namespace lpc = alpaca::lpc;
namespace lrpc = alpaca::ncalrpc::wire;
namespace ndr = alpaca::ndr;
namespace rpc = alpaca::rpc;
namespace ncalrpc = alpaca::ncalrpc;
namespace status = alpaca::rpc::status;

namespace {

constexpr std::size_t kMaxCallBytes = 64 * 1024;
// Longer than scripts/fuzz.sh's -timeout=60: a server that really hangs
// is reported by libFuzzer as a timeout input, while a server merely
// starved of CPU on a loaded machine (the campaign once saw a 10-second
// bound trip that way; the input replays in 0.1 s) is not a finding.
constexpr auto kReplyTimeout = std::chrono::seconds(120);

struct Fixture {
  std::string dir;
  std::shared_ptr<rpc::ServerCore> core = std::make_shared<rpc::ServerCore>();
  std::unique_ptr<ncalrpc::Endpoint> endpoint;
};
Fixture* g_fixture = nullptr;

// A broken invariant: says which, then aborts (libFuzzer keeps the input).
#define CHECK(condition)                                                                      \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)

void Teardown() {
  if (g_fixture == nullptr) return;
  g_fixture->endpoint->Stop();
  std::error_code ignored;
  std::filesystem::remove_all(g_fixture->dir, ignored);
}

template <typename T>
std::vector<std::byte> AsBytes(const T& value) {
  std::vector<std::byte> bytes(sizeof(T));
  std::memcpy(bytes.data(), &value, sizeof(T));
  return bytes;
}

// Connect info: a bind that is right, or wrong in one field, or has a few
// bytes overwritten, or is bytes of the input. `acceptable` is whether the
// server must accept it.
std::vector<std::byte> ConnectInfo(FuzzedDataProvider& in, bool& acceptable) {
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    auto raw = in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 64));
    acceptable = false;
    if (raw.size() == sizeof(lrpc::Bind)) {
      auto bind = lrpc::Peek<lrpc::Bind>(raw);
      acceptable = bind->magic == lrpc::kBindMagic && bind->version == lrpc::kVersion &&
                   lrpc::FromBytes(bind->abstract_uuid) == rpc::testing::kAlpacaTest.uuid &&
                   bind->abstract_major == 1 && bind->abstract_minor == 0 &&
                   lrpc::FromBytes(bind->transfer_uuid) == ndr::kNdr20Uuid &&
                   bind->transfer_version == ndr::kNdr20Version;
    }
    return raw;
  }
  lrpc::Bind bind;
  bind.abstract_uuid = lrpc::ToBytes(rpc::testing::kAlpacaTest.uuid);
  bind.abstract_major = 1;
  bind.abstract_minor = 0;
  bind.transfer_uuid = lrpc::ToBytes(ndr::kNdr20Uuid);
  bind.transfer_version = ndr::kNdr20Version;
  bind.flags = in.ConsumeIntegral<std::uint16_t>();  // not looked at
  switch (in.ConsumeIntegralInRange<int>(0, 9)) {
    case 0:
      bind.magic = in.ConsumeIntegral<std::uint32_t>();
      break;
    case 1:
      bind.version = in.ConsumeIntegral<std::uint16_t>();
      break;
    case 2:
      bind.abstract_uuid[in.ConsumeIntegralInRange<int>(0, 15)] ^= 0x40;
      break;
    case 3:
      bind.abstract_major = in.ConsumeIntegral<std::uint16_t>();
      break;
    case 4:
      bind.abstract_minor = in.ConsumeIntegral<std::uint16_t>();
      break;
    case 5:
      bind.transfer_uuid[in.ConsumeIntegralInRange<int>(0, 15)] ^= 0x01;
      break;
    case 6:
      bind.transfer_version = in.ConsumeIntegral<std::uint32_t>();
      break;
    default:
      break;  // the right bind
  }
  acceptable = bind.magic == lrpc::kBindMagic && bind.version == lrpc::kVersion &&
               bind.abstract_uuid == lrpc::ToBytes(rpc::testing::kAlpacaTest.uuid) &&
               bind.abstract_major == 1 && bind.abstract_minor == 0 &&
               bind.transfer_uuid == lrpc::ToBytes(ndr::kNdr20Uuid) &&
               bind.transfer_version == ndr::kNdr20Version;
  auto bytes = AsBytes(bind);
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0) {  // longer or shorter than a bind
    bytes.resize(in.ConsumeIntegralInRange<std::size_t>(0, 2 * sizeof(lrpc::Bind)));
    acceptable = acceptable && bytes.size() == sizeof(lrpc::Bind);
  }
  return bytes;
}

// Stub data for an AlpacaTest method: what its proxy sends, or input bytes.
std::vector<std::uint8_t> Stub(FuzzedDataProvider& in, std::uint16_t opnum) {
  if (in.ConsumeIntegralInRange<int>(0, 3) == 0) {
    return in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 128));
  }
  ndr::Encoder e;
  switch (opnum) {
    case 0:
      e.Write(in.ConsumeIntegral<std::int8_t>());
      e.Write(in.ConsumeIntegral<std::int16_t>());
      e.Write(in.ConsumeIntegral<std::int32_t>());
      e.Write(in.ConsumeIntegral<std::int64_t>());
      e.Write(in.ConsumeFloatingPoint<float>());
      e.Write(in.ConsumeFloatingPoint<double>());
      break;
    case 1: {  // large enough to need the section, sometimes past the limit
      auto count = in.ConsumeIntegralInRange<std::uint32_t>(0, kMaxCallBytes / 4 + 16);
      std::vector<std::int32_t> values(count, in.ConsumeIntegral<std::int32_t>());
      e.Write(static_cast<std::int32_t>(count));
      e.WriteConformantArray<std::int32_t>(values);
      break;
    }
    case 2:
    case 5: {
      std::string text = in.ConsumeRandomLengthString(64);
      if (opnum == 5 && !e.WriteUniquePointer(in.ConsumeBool())) break;
      e.WriteWideString(std::u16string(text.begin(), text.end()));
      break;
    }
    case 3:
    case 4:
      if (opnum == 4) e.Write(in.ConsumeIntegral<std::int32_t>());
      e.Align(8);
      e.Write(in.ConsumeIntegral<std::int32_t>());
      e.Write(in.ConsumeIntegral<std::int32_t>());
      e.Write(in.ConsumeIntegral<std::int16_t>());
      e.Write(in.ConsumeIntegral<std::int64_t>());
      break;
    default:
      e.Write(in.ConsumeIntegral<std::int32_t>());
      break;
  }
  return e.Take();
}

// One request's data, and whether the server must reject it as malformed.
std::vector<std::byte> RequestData(FuzzedDataProvider& in, bool& malformed) {
  if (in.ConsumeIntegralInRange<int>(0, 7) == 0) {
    auto raw = in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 40));
    auto header = lrpc::Peek<lrpc::RequestHeader>(raw);
    ndr::Drep drep;
    if (header) drep.bytes = header->drep;
    malformed = !header || (header->flags & ~lrpc::kRequestHasObject) != 0 ||
                ((header->flags & lrpc::kRequestHasObject) && raw.size() < 24) || !drep.Supported();
    return raw;
  }
  lrpc::RequestHeader header;
  header.opnum = in.ConsumeIntegralInRange<std::uint16_t>(0, 8);
  if (in.ConsumeIntegralInRange<int>(0, 5) == 0) header.flags = lrpc::kRequestHasObject;
  if (in.ConsumeIntegralInRange<int>(0, 15) == 0)
    header.flags = in.ConsumeIntegral<std::uint16_t>();
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      header.drep = {0x00, 0, 0, 0};
      break;  // big-endian integers
    case 1:
      for (auto& b : header.drep) b = in.ConsumeIntegral<std::uint8_t>();
      break;
    default:
      break;
  }
  std::vector<std::uint8_t> stub = Stub(in, header.opnum);
  auto bytes = AsBytes(header);
  bool object = header.flags & lrpc::kRequestHasObject;
  if (object) {
    alpaca::Uuid uuid;
    uuid.time_low = in.ConsumeIntegral<std::uint32_t>();
    auto u = lrpc::ToBytes(uuid);
    // A missing or cut-off object UUID now and then.
    std::size_t keep = in.ConsumeIntegralInRange<int>(0, 7) == 0
                           ? in.ConsumeIntegralInRange<std::size_t>(0, 15)
                           : u.size();
    for (std::size_t i = 0; i < keep; ++i) bytes.push_back(std::byte{u[i]});
    if (keep < u.size()) stub.clear();
  }
  for (auto b : stub) bytes.push_back(std::byte{b});
  ndr::Drep drep;
  drep.bytes = header.drep;
  malformed = (header.flags & ~lrpc::kRequestHasObject) != 0 ||
              (object && bytes.size() < sizeof(header) + 16) || !drep.Supported();
  return bytes;
}

// Sends one request and checks the reply. False once the connection is
// gone (as expected after a malformed request).
bool Call(FuzzedDataProvider& in, lpc::ClientPort& client) {
  bool malformed = false;
  std::vector<std::byte> data = RequestData(in, malformed);
  lpc::PortMessage request;
  lpc::PortMessage reply;
  std::error_code ec;
  lpc::SectionView view;
  if (in.ConsumeBool() && !data.empty() && !client.AcquireView(data.size(), view)) {
    // Written in place in the connection section, as large ncalrpc calls are.
    std::memcpy(view.Data().data(), data.data(), data.size());
    ec = client.RequestWaitReply(view, request, reply, kReplyTimeout);
  } else {
    request.SetData(data);
    ec = client.RequestWaitReply(request, reply, kReplyTimeout);
  }
  CHECK(ec != lpc::Status::kTimeout);  // every request is answered
  if (ec) return false;                // e.g. too long for the port: the port refused it
  auto header = lrpc::Peek<lrpc::ReplyHeader>(reply.Data());
  CHECK(header.has_value());
  if (malformed) {
    CHECK(header->status == status::kNcaProtoError && (header->flags & lrpc::kReplyDidNotExecute));
    // The server closed the connection after the fault.
    lpc::PortMessage again;
    lpc::PortMessage ignored;
    again.SetData(AsBytes(lrpc::RequestHeader{}));
    CHECK(client.RequestWaitReply(again, ignored, kReplyTimeout) == lpc::Status::kPortDisconnected);
    return false;
  }
  if (header->status == status::kOk) {
    CHECK(!(header->flags & lrpc::kReplyDidNotExecute));
  } else {
    CHECK(reply.DataSize() == sizeof(lrpc::ReplyHeader));
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A private port namespace: nothing else on the machine is reached, and
  // parallel runs do not collide.
  char dir[] = "/tmp/alpaca-fuzz-lrpc-XXXXXX";
  if (::mkdtemp(dir) == nullptr) std::abort();
  ::setenv("ALPACA_LPC_DIR", dir, 1);
  g_fixture = new Fixture;
  g_fixture->dir = dir;
  g_fixture->core->interfaces.push_back(alpaca::rpc::testing::AlpacaTestRegistration());
  rpc::ServerOptions options;
  options.worker_threads = 1;
  options.max_call_bytes = kMaxCallBytes;
  g_fixture->core->max_call_bytes = options.max_call_bytes;  // as Server does
  g_fixture->core->call_limits = options.CallLimits();
  g_fixture->endpoint = std::make_unique<ncalrpc::Endpoint>(g_fixture->core, "fuzz", options);
  g_fixture->endpoint->Start();  // throws, and so aborts, when it cannot
  std::atexit(Teardown);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  bool acceptable = false;
  std::vector<std::byte> info = ConnectInfo(in, acceptable);
  lpc::ConnectOptions options;
  options.timeout = kReplyTimeout;
  options.section_size = in.ConsumeBool() ? 256 * 1024 : 0;
  std::unique_ptr<lpc::ClientPort> client;
  std::vector<std::byte> reply_info;
  auto ec = lpc::ClientPort::Connect("fuzz", info, options, client, &reply_info);
  if (info.size() > sizeof(lrpc::Bind)) {
    CHECK(ec == lpc::Status::kConnectInfoTooLong);  // the port refuses it before the server
    return 0;
  }
  auto bind_reply = lrpc::Peek<lrpc::BindReply>(reply_info);
  if (ec) {
    CHECK(ec == lpc::Status::kConnectionRefused && !acceptable);
    CHECK(bind_reply && bind_reply->magic == lrpc::kBindReplyMagic &&
          bind_reply->status != status::kOk);
    return 0;
  }
  CHECK(acceptable && bind_reply && bind_reply->status == status::kOk &&
        bind_reply->max_request_bytes == kMaxCallBytes);

  for (int step = 0; step < 24 && in.remaining_bytes() > 0; ++step) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0: {  // a datagram: not part of ncalrpc, ignored
        lpc::PortMessage datagram;
        datagram.SetData(in.ConsumeBytes<std::byte>(in.ConsumeIntegralInRange<std::size_t>(0, 32)));
        (void)client->Request(datagram);
        break;
      }
      case 1: {  // a request the client stops waiting for: a lost reply
        bool malformed = false;
        lpc::PortMessage request;
        lpc::PortMessage reply;
        request.SetData(RequestData(in, malformed));
        std::uint32_t id = 0;
        if (client->BeginRequest(request, reply, id)) return 0;
        client->CancelRequest(id);
        if (malformed) return 0;  // the server closes; nothing more to send
        break;
      }
      default:
        if (!Call(in, *client)) return 0;
        break;
    }
  }
  return 0;
}
