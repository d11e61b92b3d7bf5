// PortMessage — one LPC message: a PORT_MESSAGE-like header plus its data.
//
// Data of up to kMaxInlineData bytes travels inline in the message; longer
// data is carried through the connection's section (or a per-message section
// when it does not fit), transparently: Data() always spans the whole
// payload. A PortMessage owns its buffer and keeps its capacity across
// receives, so a loop that reuses one message allocates nothing after the
// first large transfer.
//
// Thread contract: a PortMessage is a plain value; one thread at a time.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace alpaca::lpc {

// LPC message types; the numbers are NT's LPC_* values.
enum class MessageType : uint16_t {
  kNone = 0,
  kRequest = 1,             // LPC_REQUEST: expects a reply
  kReply = 2,               // LPC_REPLY
  kDatagram = 3,            // LPC_DATAGRAM: no reply
  kLostReply = 4,           // LPC_LOST_REPLY: the requester stopped waiting
  kPortClosed = 5,          // LPC_PORT_CLOSED: the peer closed its port
  kClientDied = 6,          // LPC_CLIENT_DIED: the client process is gone
  kException = 7,           // LPC_EXCEPTION (reserved; not generated)
  kConnectionRequest = 10,  // LPC_CONNECTION_REQUEST
};

const char* MessageTypeName(MessageType type) noexcept;

// The PORT_MESSAGE header as alpaca keeps it (24 bytes). data_length is the
// inline part; section-borne data is described by the message's view.
struct PortMessageHeader {
  uint16_t data_length = 0;   // bytes of data copied inline
  uint16_t total_length = 0;  // header + inline data
  MessageType type = MessageType::kNone;
  uint16_t data_info_offset = 0;  // non-zero when buffers are declared (see DataInfo)
  uint32_t process_id = 0;        // ClientId.UniqueProcess, from the kernel
  uint32_t thread_id = 0;         // ClientId.UniqueThread, advisory (see docs/lpc.md)
  uint32_t message_id = 0;        // matches a reply to its request
  uint32_t callback_id = 0;       // CallbackId; the connection's view size on connect
};
static_assert(sizeof(PortMessageHeader) == 24);

// Identity of the process that sent a message or asked to connect. Filled in
// from SO_PEERCRED / SCM_CREDENTIALS: never from bytes the peer wrote.
struct ClientIdentity {
  pid_t pid = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

// A buffer the client declares in a request so that the server can read or
// write it directly in the client's memory (NtReadRequestData /
// NtWriteRequestData). Addresses are the client's; the server never
// dereferences them, it only hands them to process_vm_readv/writev.
struct DataInfoEntry {
  uint64_t address = 0;
  uint64_t length = 0;
  uint32_t access = 0;  // kDataRead | kDataWrite
  uint32_t reserved = 0;
};
static_assert(sizeof(DataInfoEntry) == 24);
inline constexpr uint32_t kDataRead = 1;
inline constexpr uint32_t kDataWrite = 2;
inline constexpr size_t kMaxDataInfoEntries = 8;

class PortMessage {
 public:
  static constexpr size_t kMaxInlineData = 256;

  PortMessage() = default;
  PortMessage(const PortMessage& other);
  PortMessage& operator=(const PortMessage& other);
  // A moved-from message is empty (as after Clear) and may be reused: the
  // defaults would leave its size and capacity naming a buffer it no longer has.
  PortMessage(PortMessage&& other) noexcept { *this = std::move(other); }
  PortMessage& operator=(PortMessage&& other) noexcept;

  const PortMessageHeader& Header() const { return header_; }
  PortMessageHeader& MutableHeader() { return header_; }
  MessageType Type() const { return header_.type; }
  uint32_t MessageId() const { return header_.message_id; }
  const ClientIdentity& Sender() const { return sender_; }
  void SetSender(const ClientIdentity& who) { sender_ = who; }

  std::span<const std::byte> Data() const {
    return borrowed_ != nullptr ? std::span<const std::byte>(borrowed_, size_)
                                : std::span<const std::byte>(DataPtr(), size_);
  }
  // Borrowed data is copied into the message first.
  std::span<std::byte> MutableData();
  size_t DataSize() const { return size_; }

  // Sends `bytes` without copying them into the message (large requests
  // that are already in a buffer): Data() is that span until the next
  // ResizeData, SetData, BorrowData or Clear. The caller keeps the bytes
  // alive and unchanged until the send returns. Copies of the message own
  // a copy of the bytes.
  void BorrowData(std::span<const std::byte> bytes) {
    gather_.clear();
    borrowed_ = bytes.data();
    size_ = bytes.size();
  }
  // The same for data that lies in several places (a request whose large
  // arrays the encoder left in the caller's memory): they are sent as one
  // payload without being copied together first. Data() is empty for such
  // a message; Pieces() has the bytes; MutableData() copies them together.
  void BorrowGather(std::vector<std::span<const std::byte>> pieces);
  // The data as pieces (one, unless gathered).
  std::span<const std::span<const std::byte>> Pieces() const;

  // Sets the size without initialising new bytes; returns the writable span.
  std::span<std::byte> ResizeData(size_t size);
  void SetData(std::span<const std::byte> bytes);
  void SetData(std::string_view text);
  void Clear();

  // Declared client buffers (client side: what to grant; server side: what
  // the client granted).
  void DeclareBuffer(std::span<std::byte> buffer, uint32_t access);
  void DeclareBuffer(std::span<const std::byte> buffer);  // read-only
  std::span<const DataInfoEntry> DataInfo() const { return data_info_; }
  void SetDataInfo(std::span<const DataInfoEntry> entries);

 private:
  std::byte* DataPtr() { return size_ <= kMaxInlineData ? inline_.data() : large_.get(); }
  const std::byte* DataPtr() const {
    return size_ <= kMaxInlineData ? inline_.data() : large_.get();
  }

  PortMessageHeader header_{};
  ClientIdentity sender_{};
  size_t size_ = 0;
  const std::byte* borrowed_ = nullptr;
  std::vector<std::span<const std::byte>> gather_;
  mutable std::span<const std::byte> single_;
  std::array<std::byte, kMaxInlineData> inline_{};
  std::unique_ptr<std::byte[]> large_;
  size_t large_capacity_ = 0;
  std::vector<DataInfoEntry> data_info_;
};

}  // namespace alpaca::lpc
