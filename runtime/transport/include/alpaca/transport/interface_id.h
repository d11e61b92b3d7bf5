// An RPC interface's identity: its UUID and version, what a client binds
// to and a server registers (the abstract syntax of a presentation
// context).
#pragma once

#include <cstdint>

#include "alpaca/base/uuid.h"
#include "alpaca/dcerpc/pdu.h"

namespace alpaca::rpc {

struct InterfaceId {
  Uuid uuid;
  std::uint16_t major = 0;
  std::uint16_t minor = 0;
  friend bool operator==(const InterfaceId&, const InterfaceId&) = default;
  dcerpc::SyntaxId Syntax() const { return {uuid, major, minor}; }
};

}  // namespace alpaca::rpc
