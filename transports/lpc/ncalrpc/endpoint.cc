#include "endpoint.h"

#include <unistd.h>

#include <cstring>
#include <map>
#include <mutex>

#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"
#include "alpaca/transport/status.h"
#include "local_offer.h"
#include "wire.h"

namespace alpaca::ncalrpc {

namespace status = rpc::status;
using lpc::MessageType;

// One client's connection: what its ServerPort carries as context.
struct Endpoint::Connection {
  std::shared_ptr<transport::ServerAssociation> association;
  std::mutex mu;
  // Running calls by message id, so a lost reply reaches `cancelled`.
  std::map<std::uint32_t, std::atomic<bool>*> running;
};

namespace {

std::vector<std::byte> EncodeBindReply(std::uint32_t status, std::uint32_t group,
                                       std::uint32_t max_request) {
  wire::BindReply reply;
  reply.status = status;
  reply.assoc_group_id = group;
  reply.max_request_bytes = max_request;
  std::vector<std::byte> bytes(sizeof(reply));
  std::memcpy(bytes.data(), &reply, sizeof(reply));
  return bytes;
}

void SendReply(lpc::ServerPort& port, const lpc::PortMessage& request, lpc::PortMessage& reply,
               std::uint32_t status, std::uint32_t flags, std::span<const std::uint8_t> stub) {
  wire::ReplyHeader header;
  header.status = status;
  header.flags = flags;
  auto data = reply.ResizeData(sizeof(header) + stub.size());
  std::memcpy(data.data(), &header, sizeof(header));
  if (!stub.empty()) std::memcpy(data.data() + sizeof(header), stub.data(), stub.size());
  // kReplyMismatch: the client stopped waiting (lost reply) or is gone;
  // either way nobody wants this reply any more.
  (void)port.Reply(request, reply);
}

// What RpcServerUseProtseqEp reports on Windows: a name a live server
// holds is a duplicate; a malformed one is invalid; the rest cannot be
// created.
std::uint32_t EndpointFailure(const std::error_code& ec) {
  if (ec == lpc::Status::kObjectNameCollision) return status::kDuplicateEndpoint;
  if (ec == lpc::Status::kObjectNameInvalid) return status::kInvalidEndpointFormat;
  return status::kCantCreateEndpoint;
}

// The local offer of one TCP port, withdrawn with the advertisement.
class TcpOffer final : public transport::Advertisement {
 public:
  explicit TcpOffer(std::uint16_t port) : port_(port) {}
  ~TcpOffer() override { WithdrawLocalOffer(port_); }

 private:
  std::uint16_t port_;
};

}  // namespace

// The answer to one request, sent from the receive thread's reusable
// message and encoder. The core completes it before Call returns (a
// deferred completion would need a message of its own per call: the async
// issue's server half).
class Endpoint::Reply final : public transport::ServerReply {
 public:
  void Reset(lpc::ServerPort& port, const lpc::PortMessage& request) {
    port_ = &port;
    request_ = &request;
    out_.Clear();
  }

  ndr::Encoder& Out() override { return out_; }

  void Complete(transport::CallResult result) override {
    if (result.status != status::kOk) {
      SendReply(*port_, *request_, reply_, result.status,
                result.did_not_execute ? wire::kReplyDidNotExecute : 0, {});
      return;
    }
    // The response stub was encoded after room for the header.
    wire::ReplyHeader header;
    std::memcpy(out_.Buffer().data(), &header, sizeof(header));
    reply_.BorrowData(std::as_bytes(out_.Buffer()));
    // kReplyMismatch: the client stopped waiting or is gone.
    (void)port_->Reply(*request_, reply_);
    reply_.Clear();
  }

 private:
  lpc::ServerPort* port_ = nullptr;            // not owned: the received message's
  const lpc::PortMessage* request_ = nullptr;  // not owned
  lpc::PortMessage reply_;
  ndr::Encoder out_{std::vector<std::uint8_t>{}, sizeof(wire::ReplyHeader)};
};

Endpoint::Endpoint(std::shared_ptr<transport::ServerHost> host, std::string endpoint,
                   const rpc::ServerOptions& options)
    : host_(std::move(host)), endpoint_(std::move(endpoint)), options_(options) {}

Endpoint::~Endpoint() { Stop(); }

void Endpoint::Start() {
  lpc::PortAttributes attributes;
  attributes.max_connect_info_length = sizeof(wire::Bind);
  attributes.max_data_length = options_.max_call_bytes + sizeof(wire::RequestHeader) + 16;
  // A client may hold its connection view plus one largest request.
  attributes.max_pool_usage = std::max(attributes.max_pool_usage, 2 * attributes.max_data_length);
  lpc::PortSecurity security;
  security.allow_everyone = options_.local_security.allow_everyone;
  security.allowed_uids.assign(options_.local_security.allowed_uids.begin(),
                               options_.local_security.allowed_uids.end());
  security.allowed_gids.assign(options_.local_security.allowed_gids.begin(),
                               options_.local_security.allowed_gids.end());
  std::unique_ptr<lpc::ConnectionPort> port;
  if (auto ec = lpc::ConnectionPort::Create(endpoint_, attributes, security, port)) {
    throw RpcError(EndpointFailure(ec),
                   "cannot listen on ncalrpc:[" + endpoint_ + "]: " + ec.message());
  }
  port_ = std::move(port);
  accepting_ = true;  // again, after a Stop
  std::size_t threads = std::max<std::size_t>(1, options_.worker_threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Serve(); });
}

void Endpoint::StopAccepting() { accepting_ = false; }

void Endpoint::Stop() {
  if (!port_) return;
  port_->Close();  // wakes every thread with kPortDisconnected
  for (auto& t : threads_) t.join();
  threads_.clear();
  port_.reset();
}

rpc::StringBinding Endpoint::Binding() const {
  rpc::StringBinding b;
  b.protseq = "ncalrpc";
  b.endpoint = endpoint_;
  return b;
}

std::unique_ptr<transport::Advertisement> Endpoint::Advertise(
    const rpc::StringBinding& other, std::span<const rpc::InterfaceId> interfaces) {
  // Only TCP clients are upgraded: offers are keyed by TCP port.
  if (other.protseq != "ncacn_ip_tcp") return nullptr;
  std::optional<std::uint16_t> tcp_port = rpc::ParseTcpPort(other.endpoint);
  if (!tcp_port) return nullptr;
  LocalOffer offer;
  offer.pid = static_cast<std::int32_t>(::getpid());
  offer.endpoint = endpoint_;
  offer.interfaces.assign(interfaces.begin(), interfaces.end());
  // Best effort: without the offer, local clients simply use TCP.
  if (PublishLocalOffer(*tcp_port, offer)) return nullptr;
  return std::make_unique<TcpOffer>(*tcp_port);
}

void Endpoint::Serve() {
  lpc::ReceivedMessage received;
  Reply reply;
  for (;;) {
    if (auto ec = port_->ReplyWaitReceive(received)) {
      if (ec == lpc::Status::kPortDisconnected) return;  // Stop()
      continue;
    }
    lpc::PortMessage& message = received.message;
    switch (message.Type()) {
      case MessageType::kConnectionRequest: {
        lpc::ConnectionRequest request = std::move(received.connection);
        auto bind = wire::Peek<wire::Bind>(request.ConnectInfo());
        if (!bind || request.ConnectInfo().size() != sizeof(wire::Bind) ||
            bind->magic != wire::kBindMagic || bind->version != wire::kVersion) {
          (void)port_->Refuse(std::move(request), EncodeBindReply(status::kProtocolError, 0, 0));
          break;
        }
        const lpc::ClientIdentity& who = request.Client();
        dcerpc::PeerInfo peer;
        peer.protseq = "ncalrpc";
        peer.address = endpoint_;
        peer.local = dcerpc::LocalIdentity{who.pid, who.uid, who.gid};
        // The 32-bit transfer syntax version is major | minor << 16.
        transport::BindResult bound = host_->Bind(
            {wire::FromBytes(bind->abstract_uuid), bind->abstract_major, bind->abstract_minor},
            {wire::FromBytes(bind->transfer_uuid),
             static_cast<std::uint16_t>(bind->transfer_version & 0xffff),
             static_cast<std::uint16_t>(bind->transfer_version >> 16)},
            peer);
        if (bound.status == status::kOk && !accepting_) bound.status = status::kServerTooBusy;
        if (bound.status != status::kOk) {
          (void)port_->Refuse(std::move(request), EncodeBindReply(bound.status, 0, 0));
          break;
        }
        auto connection = std::make_shared<Connection>();
        connection->association = std::move(bound.association);
        std::shared_ptr<lpc::ServerPort> server_port;
        (void)port_->AcceptAndComplete(
            std::move(request),
            EncodeBindReply(status::kOk, bound.assoc_group_id, bound.max_request_bytes), connection,
            server_port);
        break;
      }
      case MessageType::kRequest: {
        auto connection = std::static_pointer_cast<Connection>(received.port->Context());
        lpc::ServerPort& client = *received.port;
        auto data = message.Data();
        auto header = wire::Peek<wire::RequestHeader>(data);
        std::size_t stub_offset = sizeof(wire::RequestHeader);
        transport::CallRequest call;
        if (header && (header->flags & wire::kRequestHasObject)) {
          auto bytes =
              wire::Peek<wire::UuidBytes>(data.subspan(std::min(stub_offset, data.size())));
          if (bytes) call.object = wire::FromBytes(*bytes);
          stub_offset += sizeof(wire::UuidBytes);
        }
        if (header) call.drep.bytes = header->drep;
        if (!header || (header->flags & ~wire::kRequestHasObject) || stub_offset > data.size() ||
            !call.drep.Supported()) {
          // A client that sends garbage is treated as compromised.
          lpc::PortMessage refusal;
          SendReply(client, message, refusal, status::kNcaProtoError, wire::kReplyDidNotExecute,
                    {});
          client.Close();
          connection->association->Close();
          break;
        }
        std::atomic<bool> cancelled{false};
        {
          std::lock_guard lock(connection->mu);
          connection->running[message.MessageId()] = &cancelled;
        }
        auto stub = data.subspan(stub_offset);
        call.opnum = header->opnum;
        call.call_id = message.MessageId();
        call.stub = {reinterpret_cast<const std::uint8_t*>(stub.data()), stub.size()};
        call.cancelled = &cancelled;
        reply.Reset(client, message);
        connection->association->Call(call, reply);
        std::lock_guard lock(connection->mu);
        connection->running.erase(message.MessageId());
        break;
      }
      case MessageType::kLostReply: {
        auto connection = std::static_pointer_cast<Connection>(received.port->Context());
        std::lock_guard lock(connection->mu);
        if (auto it = connection->running.find(message.MessageId());
            it != connection->running.end()) {
          *it->second = true;
          it->second->notify_all();  // under mu: the call is still running
        }
        break;
      }
      case MessageType::kPortClosed:
      case MessageType::kClientDied: {
        auto connection = std::static_pointer_cast<Connection>(received.port->Context());
        if (connection) connection->association->Close();
        break;
      }
      default:
        break;  // datagrams are not part of ncalrpc
    }
    received.port.reset();
  }
}

}  // namespace alpaca::ncalrpc
