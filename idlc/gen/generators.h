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

void GenerateTypesHeader(const FilePlan& plan, Outputs& out);
void GenerateCodecs(const FilePlan& plan, Outputs& out);
void GenerateClient(const FilePlan& plan, Outputs& out);
void GenerateServer(const FilePlan& plan, Outputs& out);

// A size or switch expression whose names the codecs cannot resolve in
// their scope (a pointer named without '*', a name that is neither a
// parameter nor a field there), where it is. The remoting pass checks the
// expressions' form, not yet these scopes (issue 16 §2: resolved size
// expressions), so this is the one error a generator still reports.
struct GenerateError : std::runtime_error {
  GenerateError(Location where, const std::string& what) : std::runtime_error(what), loc(where) {}
  Location loc;
};

// All of the above. Throws GenerateError (above); std::logic_error means a
// bug in idlc.
Outputs GenerateCpp(const FilePlan& plan);

}  // namespace alpaca::idl::gen
