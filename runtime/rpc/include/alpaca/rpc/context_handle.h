// Context handles (MIDL [context_handle]): state a server keeps for one
// client across calls. On the wire a context handle is 20 bytes
// (ndr::ContextHandle); the two sides hold different things:
//
//   client: ClientContext<Tag>, the opaque wire value the server handed out,
//           typed by a tag per IDL context handle type so that handles of
//           different types cannot be mixed up at compile time;
//   server: ServerContext, the state itself (any type, held by shared_ptr).
//
// The server's state lives in the association (the client's connection) it
// was created on. When the client closes the connection or its process dies,
// the association runs the rundown: the generated stub's <Type>_rundown hook,
// then the last reference to the state goes, so its destructor runs.
#pragma once

#include <cstdint>
#include <memory>
#include <typeinfo>
#include <utility>

#include "alpaca/ndr/types.h"

namespace alpaca::rpc {

// The server's side of a context handle: empty (the NULL handle) or a piece
// of state of some type T. Value type; copies share the state.
class ServerContext {
 public:
  ServerContext() = default;
  template <typename T>
  explicit ServerContext(std::shared_ptr<T> state)
      : state_(std::move(state)), type_(state_ ? &typeid(T) : nullptr) {}

  template <typename T, typename... Args>
  static ServerContext Make(Args&&... args) {
    return ServerContext(std::make_shared<T>(std::forward<Args>(args)...));
  }

  explicit operator bool() const { return state_ != nullptr; }
  // The state as T, or null when empty or of another type.
  template <typename T>
  T* Get() const {
    return state_ && *type_ == typeid(T) ? static_cast<T*>(state_.get()) : nullptr;
  }
  template <typename T>
  std::shared_ptr<T> Shared() const {
    return Get<T>() != nullptr ? std::static_pointer_cast<T>(state_) : nullptr;
  }
  // Closing a handle in a method ([in, out] handle set to NULL).
  void Reset() {
    state_.reset();
    type_ = nullptr;
  }
  friend bool operator==(const ServerContext& a, const ServerContext& b) {
    return a.state_ == b.state_;
  }

 private:
  std::shared_ptr<void> state_;
  const std::type_info* type_ = nullptr;
};

// The client's side: the wire value, nothing the client can interpret,
// and the association (rpc::Client::Association()) it came from: the server
// knows it only there, so after a reconnect the client refuses to send it
// (rpc::Client::ContextWire). Tag distinguishes the IDL types; generated
// code declares one per type.
template <typename Tag>
class ClientContext {
 public:
  ClientContext() = default;
  // A handle of no known association (0): only the server can judge it.
  explicit ClientContext(const ndr::ContextHandle& wire) : wire_(wire) {}

  bool IsNull() const { return wire_.IsNull(); }
  explicit operator bool() const { return !IsNull(); }
  const ndr::ContextHandle& Wire() const { return wire_; }
  std::uint64_t Association() const { return association_; }
  void SetWire(const ndr::ContextHandle& wire, std::uint64_t association = 0) {
    wire_ = wire;
    association_ = association;
  }
  friend bool operator==(const ClientContext&, const ClientContext&) = default;

 private:
  ndr::ContextHandle wire_;
  std::uint64_t association_ = 0;
};

}  // namespace alpaca::rpc
