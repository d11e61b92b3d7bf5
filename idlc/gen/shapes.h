// Shapes: a wire form (idlc/sema/wire.h) lowered to C++: the same facts,
// plus the C++ type of a value of that shape, the fixed-width type written
// on the wire, and whether a pointer is boxed. Built once per use site by
// the Planner (planner.h) and immutable afterwards.
#pragma once

#include <memory>
#include <string>

#include "idlc/sema/model.h"

namespace alpaca::idl::gen {

using ShapeKind = WireKind;

struct Shape : WireNode<Shape> {
  std::string cpp;  // the C++ type of a value of this shape
  // kPrimitive, kBool: the fixed-width C++ type written on the wire.
  std::string wire;
  // kPointer: unique -> std::unique_ptr (recursive types), full -> shared_ptr
  bool boxed = false;
};
using ShapePtr = std::shared_ptr<const Shape>;

}  // namespace alpaca::idl::gen
