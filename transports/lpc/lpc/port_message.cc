#include "alpaca/lpc/port_message.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace alpaca::lpc {

const char* MessageTypeName(MessageType type) noexcept {
  switch (type) {
    case MessageType::kNone:
      return "none";
    case MessageType::kRequest:
      return "request";
    case MessageType::kReply:
      return "reply";
    case MessageType::kDatagram:
      return "datagram";
    case MessageType::kLostReply:
      return "lost reply";
    case MessageType::kPortClosed:
      return "port closed";
    case MessageType::kClientDied:
      return "client died";
    case MessageType::kException:
      return "exception";
    case MessageType::kConnectionRequest:
      return "connection request";
  }
  return "unknown";
}

PortMessage::PortMessage(const PortMessage& other) { *this = other; }

PortMessage& PortMessage::operator=(const PortMessage& other) {
  if (this == &other) return *this;
  header_ = other.header_;
  sender_ = other.sender_;
  if (!other.gather_.empty()) {
    auto dst = ResizeData(other.size_);
    size_t at = 0;
    for (auto piece : other.gather_) {
      if (!piece.empty()) std::memcpy(dst.data() + at, piece.data(), piece.size());
      at += piece.size();
    }
  } else {
    SetData(other.Data());
  }
  data_info_ = other.data_info_;
  return *this;
}

PortMessage& PortMessage::operator=(PortMessage&& other) noexcept {
  if (this == &other) return *this;
  header_ = std::exchange(other.header_, {});
  sender_ = std::exchange(other.sender_, {});
  size_ = std::exchange(other.size_, 0);
  borrowed_ = std::exchange(other.borrowed_, nullptr);
  gather_ = std::move(other.gather_);
  other.gather_.clear();
  single_ = {};
  other.single_ = {};
  if (size_ <= kMaxInlineData) std::memcpy(inline_.data(), other.inline_.data(), size_);
  large_ = std::move(other.large_);
  large_capacity_ = std::exchange(other.large_capacity_, 0);
  data_info_ = std::move(other.data_info_);
  other.data_info_.clear();
  return *this;
}

void PortMessage::BorrowGather(std::vector<std::span<const std::byte>> pieces) {
  borrowed_ = nullptr;
  size_ = 0;
  for (auto piece : pieces) size_ += piece.size();
  gather_ = std::move(pieces);
}

std::span<const std::span<const std::byte>> PortMessage::Pieces() const {
  if (!gather_.empty()) return gather_;
  single_ = Data();
  return {&single_, 1};
}

std::span<std::byte> PortMessage::MutableData() {
  if (!gather_.empty()) {
    PortMessage copy(*this);  // copies the pieces together
    *this = std::move(copy);
  }
  if (borrowed_ != nullptr) SetData(Data());
  return {DataPtr(), size_};
}

std::span<std::byte> PortMessage::ResizeData(size_t size) {
  gather_.clear();
  if (borrowed_ != nullptr) {
    // Keep the borrowed bytes readable for a SetData(Data()) of themselves.
    const std::byte* from = borrowed_;
    size_t had = size_;
    borrowed_ = nullptr;
    size_ = 0;
    auto dst = ResizeData(size);
    if (from != dst.data()) std::memmove(dst.data(), from, std::min(had, size));
    return dst;
  }
  if (size > kMaxInlineData && size > large_capacity_) {
    // make_unique_for_overwrite: no zero fill; the caller writes every byte.
    large_ = std::make_unique_for_overwrite<std::byte[]>(size);
    large_capacity_ = size;
  }
  size_ = size;
  return MutableData();
}

void PortMessage::SetData(std::span<const std::byte> bytes) {
  gather_.clear();
  if (borrowed_ != nullptr) {
    borrowed_ = nullptr;
    size_ = 0;
  }
  auto dst = ResizeData(bytes.size());
  if (!bytes.empty() && dst.data() != bytes.data())
    std::memmove(dst.data(), bytes.data(), bytes.size());
}

void PortMessage::SetData(std::string_view text) {
  SetData(std::as_bytes(std::span(text.data(), text.size())));
}

void PortMessage::Clear() {
  header_ = {};
  sender_ = {};
  size_ = 0;
  borrowed_ = nullptr;
  gather_.clear();
  data_info_.clear();
}

void PortMessage::DeclareBuffer(std::span<std::byte> buffer, uint32_t access) {
  if (data_info_.size() >= kMaxDataInfoEntries) {
    throw std::length_error("at most 8 buffers can be declared in one request");
  }
  data_info_.push_back({reinterpret_cast<uint64_t>(buffer.data()), buffer.size(),
                        access & (kDataRead | kDataWrite), 0});
}

void PortMessage::DeclareBuffer(std::span<const std::byte> buffer) {
  if (data_info_.size() >= kMaxDataInfoEntries) {
    throw std::length_error("at most 8 buffers can be declared in one request");
  }
  data_info_.push_back({reinterpret_cast<uint64_t>(buffer.data()), buffer.size(), kDataRead, 0});
}

void PortMessage::SetDataInfo(std::span<const DataInfoEntry> entries) {
  data_info_.assign(entries.begin(), entries.end());
}

}  // namespace alpaca::lpc
