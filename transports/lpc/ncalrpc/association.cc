#include "association.h"

#include <poll.h>

#include <cstring>

#include "alpaca/lpc/client_port.h"
#include "alpaca/lpc/status.h"
#include "alpaca/transport/status.h"
#include "wire.h"

namespace alpaca::ncalrpc {
namespace {

namespace status = rpc::status;

using Clock = std::chrono::steady_clock;

std::uint32_t ConnectStatus(const std::error_code& ec) {
  if (ec == lpc::Status::kAccessDenied) return status::kAccessDenied;
  if (ec == lpc::Status::kTimeout) return status::kTimeout;
  if (ec == lpc::Status::kQuotaExceeded) return status::kServerTooBusy;
  return status::kServerUnavailable;
}

// A port failure during a call: the server went away, or refused the data.
[[noreturn]] void ThrowCallStatus(const std::error_code& ec) {
  if (ec == lpc::Status::kTimeout) throw RpcError(status::kTimeout);
  if (ec == lpc::Status::kQuotaExceeded || ec == lpc::Status::kMessageTooLong) {
    throw RpcError(status::kNcaFaultRemoteNoMemory, "ncalrpc: " + ec.message());
  }
  throw RpcError(status::kCallFailed, "ncalrpc: " + ec.message());
}

// Waits for the reply of a request begun with BeginRequest, polling the
// cancel flag: the slow path, taken only for calls that can be cancelled.
std::error_code WaitCancellable(lpc::ClientPort& port, std::uint32_t id, Clock::time_point deadline,
                                const std::atomic<bool>& cancel, bool& cancelled) {
  for (;;) {
    auto ec = port.PollRequest(id);
    if (ec != lpc::Status::kTimeout) return ec;
    if (cancel.load()) {
      cancelled = true;
      port.CancelRequest(id);  // the server hears a lost reply
      return lpc::Status::kTimeout;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      port.CancelRequest(id);
      return lpc::Status::kTimeout;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{port.WaitHandle(), POLLIN, 0};
    (void)::poll(&p, 1, static_cast<int>(std::min<long long>(left + 1, 20)));
  }
}

}  // namespace

Association::Association(const std::string& endpoint, const rpc::InterfaceId& iface,
                         const rpc::ClientOptions& options)
    : endpoint_(endpoint) {
  wire::Bind bind;
  bind.abstract_uuid = wire::ToBytes(iface.uuid);
  bind.abstract_major = iface.major;
  bind.abstract_minor = iface.minor;
  bind.transfer_uuid = wire::ToBytes(ndr::kNdr20Uuid);
  bind.transfer_version = ndr::kNdr20Version;
  std::array<std::byte, sizeof(bind)> info;
  std::memcpy(info.data(), &bind, sizeof(bind));

  lpc::ConnectOptions connect;
  connect.timeout = options.connect_timeout;
  connect.section_size = options.local_section_size;
  // Unset, the port library still demands the namespace owner's uid.
  if (options.local_server_uid) connect.required_server_uid = *options.local_server_uid;
  connect.max_receive_length = options.max_response_bytes + sizeof(wire::ReplyHeader);
  std::vector<std::byte> reply_info;
  auto ec = lpc::ClientPort::Connect(endpoint, info, connect, port_, &reply_info);
  auto reply = wire::Peek<wire::BindReply>(reply_info);
  if (ec == lpc::Status::kConnectionRefused) {
    // The bind was refused: the reply info says why.
    std::uint32_t why = reply && reply->magic == wire::kBindReplyMagic && reply->status != 0
                            ? reply->status
                            : status::kCallFailedDne;
    throw RpcError(why, "ncalrpc:[" + endpoint + "]");
  }
  if (ec) throw RpcError(ConnectStatus(ec), "ncalrpc:[" + endpoint + "]: " + ec.message());
  if (!reply || reply->magic != wire::kBindReplyMagic || reply->status != 0) {
    throw RpcError(status::kProtocolError, "ncalrpc:[" + endpoint + "]: bad bind reply");
  }
  assoc_group_id_ = reply->assoc_group_id;
  max_request_bytes_ = reply->max_request_bytes;
}

Association::~Association() = default;

std::int32_t Association::ServerPid() const { return port_->Server().pid; }

transport::AssociationInfo Association::Info() const {
  transport::AssociationInfo info;
  info.binding = "ncalrpc:[" + endpoint_ + "]";
  info.assoc_group_id = assoc_group_id_;
  lpc::PortInformation port = port_->Query();
  info.paths = rpc::MessagePaths{port.messages_sent, port.messages_received, port.section_messages,
                                 port.large_section_messages};
  return info;
}

std::vector<std::uint8_t> Association::Call(std::uint16_t opnum, const std::optional<Uuid>& object,
                                            ndr::Encoder& request, const rpc::CallOptions& options,
                                            ndr::Drep& drep) {
  const std::size_t stub_size = request.Size();
  if (stub_size > max_request_bytes_) {
    // What the server would refuse anyway, said before sending it.
    throw RpcError(status::kNcaFaultRemoteNoMemory, "ncalrpc: request of " +
                                                        std::to_string(stub_size) +
                                                        " bytes is over the server's limit of " +
                                                        std::to_string(max_request_bytes_));
  }
  wire::RequestHeader header;
  header.opnum = opnum;
  std::size_t prefix = sizeof(header);
  if (object) {
    header.flags |= wire::kRequestHasObject;
    prefix += sizeof(wire::UuidBytes);
  }
  // The header goes into the encoder's headroom, right before the stub, and
  // the message borrows the whole -- with the large arrays the encoder left
  // in the caller's memory as pieces of their own: no copy of the stub data
  // before the section (or the inline frame).
  if (request.Headroom() < prefix) {
    request.Flatten();
    std::span<const std::uint8_t> stub = request.Stub();
    scratch_.resize(prefix + stub.size());
    if (!stub.empty()) std::memcpy(scratch_.data() + prefix, stub.data(), stub.size());
  }
  std::span<std::uint8_t> message = request.Headroom() >= prefix
                                        ? request.Buffer().subspan(request.Headroom() - prefix)
                                        : std::span<std::uint8_t>(scratch_);
  std::memcpy(message.data(), &header, sizeof(header));
  if (object) {
    auto bytes = wire::ToBytes(*object);
    std::memcpy(message.data() + sizeof(header), bytes.data(), bytes.size());
  }
  request_.Clear();
  auto references = request.References();
  if (references.empty() || message.data() == scratch_.data()) {
    request_.BorrowData(std::as_bytes(message));
  } else {
    // Buffer offsets of the references, relative to where the message starts.
    std::size_t start = static_cast<std::size_t>(message.data() - request.Buffer().data());
    std::vector<std::span<const std::byte>> pieces;
    std::size_t from = start;
    for (const auto& r : references) {
      pieces.push_back(std::as_bytes(request.Buffer().subspan(from, r.at - from)));
      pieces.push_back(std::as_bytes(r.bytes));
      from = r.at;
    }
    pieces.push_back(std::as_bytes(request.Buffer().subspan(from)));
    request_.BorrowGather(std::move(pieces));
  }

  std::error_code ec;
  bool cancelled = false;
  if (options.cancel == nullptr) {
    ec = port_->RequestWaitReply(request_, reply_, options.timeout);
  } else {
    std::uint32_t id = 0;
    ec = port_->BeginRequest(request_, reply_, id);
    if (!ec) {
      ec = WaitCancellable(*port_, id, Clock::now() + options.timeout, *options.cancel, cancelled);
    }
  }
  request_.Clear();  // drops the borrowed span
  if (cancelled) throw RpcError(status::kCallCancelled);
  if (ec) {
    // A timeout or a refused size leaves the port usable; anything else
    // (the server disconnected, a broken message) ends this connection.
    if (ec != lpc::Status::kTimeout && ec != lpc::Status::kQuotaExceeded &&
        ec != lpc::Status::kMessageTooLong) {
      connected_ = false;
    }
    ThrowCallStatus(ec);
  }

  auto bytes = reply_.Data();
  auto reply_header = wire::Peek<wire::ReplyHeader>(bytes);
  if (!reply_header) throw RpcError(status::kProtocolError, "ncalrpc: short reply");
  if (reply_header->status != 0) throw RpcError(reply_header->status);
  drep.bytes = reply_header->drep;
  auto body = bytes.subspan(sizeof(wire::ReplyHeader));
  const auto* first = reinterpret_cast<const std::uint8_t*>(body.data());
  return std::vector<std::uint8_t>(first, first + body.size());
}

}  // namespace alpaca::ncalrpc
