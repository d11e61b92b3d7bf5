#include "lrpc_server.h"

#include <atomic>
#include <map>
#include <mutex>

#include "alpaca/lpc/connection_port.h"
#include "alpaca/lpc/status.h"
#include "alpaca/rpc/dispatch.h"
#include "alpaca/rpc/status.h"
#include "lrpc_wire.h"
#include "server_connection.h"

namespace alpaca::rpc {

using lpc::MessageType;

// One client's connection: what its ServerPort carries as context.
struct LrpcEndpoint::Connection {
  const InterfaceRegistration* iface = nullptr;
  dcerpc::PeerInfo peer;
  Association association;
  std::mutex mu;
  // Running calls by message id, so a lost reply reaches `cancelled`.
  std::map<std::uint32_t, std::atomic<bool>*> running;
};

namespace {

std::vector<std::byte> EncodeBindReply(std::uint32_t status, std::uint32_t group,
                                       std::uint32_t max_request) {
  lrpc::BindReply reply;
  reply.status = status;
  reply.assoc_group_id = group;
  reply.max_request_bytes = max_request;
  std::vector<std::byte> bytes(sizeof(reply));
  std::memcpy(bytes.data(), &reply, sizeof(reply));
  return bytes;
}

void SendReply(lpc::ServerPort& port, const lpc::PortMessage& request, lpc::PortMessage& reply,
               std::uint32_t status, std::uint32_t flags, std::span<const std::uint8_t> stub) {
  lrpc::ReplyHeader header;
  header.status = status;
  header.flags = flags;
  auto data = reply.ResizeData(sizeof(header) + stub.size());
  std::memcpy(data.data(), &header, sizeof(header));
  if (!stub.empty()) std::memcpy(data.data() + sizeof(header), stub.data(), stub.size());
  // kReplyMismatch: the client stopped waiting (lost reply) or is gone;
  // either way nobody wants this reply any more.
  (void)port.Reply(request, reply);
}

}  // namespace

LrpcEndpoint::LrpcEndpoint(std::shared_ptr<ServerCore> core, std::string endpoint,
                           const ServerOptions& options)
    : core_(std::move(core)), endpoint_(std::move(endpoint)), options_(options) {}

LrpcEndpoint::~LrpcEndpoint() { Stop(); }

std::error_code LrpcEndpoint::Start() {
  lpc::PortAttributes attributes;
  attributes.max_connect_info_length = sizeof(lrpc::Bind);
  attributes.max_data_length = options_.max_call_bytes + sizeof(lrpc::RequestHeader) + 16;
  // A client may hold its connection view plus one largest request.
  attributes.max_pool_usage = std::max(attributes.max_pool_usage, 2 * attributes.max_data_length);
  lpc::PortSecurity security;
  security.allow_everyone = options_.local_security.allow_everyone;
  security.allowed_uids.assign(options_.local_security.allowed_uids.begin(),
                               options_.local_security.allowed_uids.end());
  security.allowed_gids.assign(options_.local_security.allowed_gids.begin(),
                               options_.local_security.allowed_gids.end());
  std::unique_ptr<lpc::ConnectionPort> port;
  if (auto ec = lpc::ConnectionPort::Create(endpoint_, attributes, security, port)) return ec;
  port_ = std::move(port);
  std::size_t threads = std::max<std::size_t>(1, options_.worker_threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Serve(); });
  return {};
}

void LrpcEndpoint::StopAccepting() { *accepting_ = false; }

void LrpcEndpoint::Stop() {
  if (!port_) return;
  port_->Close();  // wakes every thread with kPortDisconnected
  for (auto& t : threads_) t.join();
  threads_.clear();
  port_.reset();
}

void LrpcEndpoint::Serve() {
  lpc::ReceivedMessage received;
  lpc::PortMessage reply;
  // Replies are encoded after room for their header and sent from there.
  ndr::Encoder out(std::vector<std::uint8_t>{}, sizeof(lrpc::ReplyHeader));
  const ndr::Limits call_limits = core_->call_limits;
  for (;;) {
    if (auto ec = port_->ReplyWaitReceive(received)) {
      if (ec == lpc::Status::kPortDisconnected) return;  // Stop()
      continue;
    }
    lpc::PortMessage& message = received.message;
    switch (message.Type()) {
      case MessageType::kConnectionRequest: {
        lpc::ConnectionRequest request = std::move(received.connection);
        auto bind = lrpc::Peek<lrpc::Bind>(request.ConnectInfo());
        std::uint32_t refusal = status::kOk;
        const InterfaceRegistration* iface = nullptr;
        if (!bind || request.ConnectInfo().size() != sizeof(lrpc::Bind) ||
            bind->magic != lrpc::kBindMagic || bind->version != lrpc::kVersion) {
          refusal = status::kProtocolError;
        } else if (lrpc::FromBytes(bind->transfer_uuid) != ndr::kNdr20Uuid ||
                   bind->transfer_version != ndr::kNdr20Version) {
          refusal = status::kUnsupportedTransSyn;
        } else {
          std::lock_guard lock(core_->mu);
          iface = core_->Find(
              {lrpc::FromBytes(bind->abstract_uuid), bind->abstract_major, bind->abstract_minor});
          if (iface == nullptr) {
            refusal = status::kUnknownIf;
          } else if (core_->stopping || !*accepting_) {
            refusal = status::kServerTooBusy;
          }
        }
        if (refusal != status::kOk) {
          (void)port_->Refuse(std::move(request), EncodeBindReply(refusal, 0, 0));
          break;
        }
        auto connection = std::make_shared<Connection>();
        connection->iface = iface;
        const lpc::ClientIdentity& who = request.Client();
        connection->peer.protseq = "ncalrpc";
        connection->peer.address = endpoint_;
        connection->peer.local = dcerpc::LocalIdentity{who.pid, who.uid, who.gid};
        std::shared_ptr<lpc::ServerPort> server_port;
        (void)port_->AcceptAndComplete(
            std::move(request),
            EncodeBindReply(status::kOk, core_->next_assoc_group.fetch_add(1),
                            static_cast<std::uint32_t>(options_.max_call_bytes)),
            connection, server_port);
        break;
      }
      case MessageType::kRequest: {
        auto connection = std::static_pointer_cast<Connection>(received.port->Context());
        lpc::ServerPort& client = *received.port;
        auto data = message.Data();
        auto header = lrpc::Peek<lrpc::RequestHeader>(data);
        std::size_t stub_offset = sizeof(lrpc::RequestHeader);
        std::optional<Uuid> object;
        if (header && (header->flags & lrpc::kRequestHasObject)) {
          auto bytes =
              lrpc::Peek<lrpc::UuidBytes>(data.subspan(std::min(stub_offset, data.size())));
          if (bytes) object = lrpc::FromBytes(*bytes);
          stub_offset += sizeof(lrpc::UuidBytes);
        }
        ndr::Drep drep;
        if (header) drep.bytes = header->drep;
        if (!header || (header->flags & ~lrpc::kRequestHasObject) || stub_offset > data.size() ||
            !drep.Supported()) {
          // A client that sends garbage is treated as compromised.
          SendReply(client, message, reply, status::kNcaProtoError, lrpc::kReplyDidNotExecute, {});
          client.Close();
          connection->association.Close();
          break;
        }
        {
          std::lock_guard lock(core_->mu);
          if (auto refused = core_->AdmitCall()) {
            SendReply(client, message, reply, refused, lrpc::kReplyDidNotExecute, {});
            break;
          }
        }
        std::atomic<bool> cancelled{false};
        {
          std::lock_guard lock(connection->mu);
          connection->running[message.MessageId()] = &cancelled;
        }
        connection->association.BeginCall();
        CallContext call{
            connection->peer, connection->iface->id,  header->opnum, object, message.MessageId(),
            cancelled,        connection->association};
        out.Clear();
        auto stub = data.subspan(stub_offset);
        DispatchResult result =
            DispatchCall(*connection->iface, call,
                         {reinterpret_cast<const std::uint8_t*>(stub.data()), stub.size()}, drep,
                         call_limits, out);
        {
          std::lock_guard lock(connection->mu);
          connection->running.erase(message.MessageId());
        }
        if (result.status == status::kOk) {
          lrpc::ReplyHeader reply_header;
          std::memcpy(out.Buffer().data(), &reply_header, sizeof(reply_header));
          reply.BorrowData(std::as_bytes(out.Buffer()));
          // kReplyMismatch: the client stopped waiting or is gone.
          (void)client.Reply(message, reply);
          reply.Clear();
        } else {
          SendReply(client, message, reply, result.status,
                    result.did_not_execute ? lrpc::kReplyDidNotExecute : 0, {});
        }
        connection->association.EndCall();
        core_->EndCall();
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
        if (connection) connection->association.Close();
        break;
      }
      default:
        break;  // datagrams are not part of ncalrpc
    }
    received.port.reset();
  }
}

}  // namespace alpaca::rpc
