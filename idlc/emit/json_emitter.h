// The first generator: the semantic model as JSON (--emit=json). Reads only
// the Model. Types are fully resolved (aliases stripped, the alias name kept
// beside); named structs, unions, enums and interfaces are referenced by
// name inside types and described once under "types".
#pragma once

#include <nlohmann/json.hpp>

#include "idlc/sema/model.h"

namespace alpaca::idl {

// `include_imported`: also list entities that came from imported files.
nlohmann::ordered_json ModelToJson(const Model& model, bool include_imported = false);

}  // namespace alpaca::idl
