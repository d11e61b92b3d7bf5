// The C++ generators. Each writes one kind of output from the FilePlan and
// nothing else: the types header, the NDR codecs, the client proxy, the
// server stub. GenerateCpp runs all of them; its outputs are named
// <stem>_types.h, <stem>_ndr.h/.cc, <stem>_client.h/.cc and
// <stem>_server.h/.cc.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "idlc/gen/plan.h"

namespace alpaca::idl::gen {

// File name -> contents; written by the driver.
using Outputs = std::map<std::string, std::string>;

// A construct the generators found they cannot express, where it is.
struct GenerateError : std::runtime_error {
  GenerateError(Location where, const std::string& what) : std::runtime_error(what), loc(where) {}
  Location loc;
};

void GenerateTypesHeader(const FilePlan& plan, Outputs& out);
void GenerateCodecs(const FilePlan& plan, Outputs& out);
void GenerateClient(const FilePlan& plan, Outputs& out);
void GenerateServer(const FilePlan& plan, Outputs& out);

// All of the above. Throws GenerateError for a construct the generators
// found they cannot express (the driver reports it as a diagnostic).
Outputs GenerateCpp(const FilePlan& plan);

}  // namespace alpaca::idl::gen
