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

// All of the above. Reports nothing: the remoting pass has refused what the
// codecs cannot carry, so std::logic_error means a bug in idlc.
Outputs GenerateCpp(const FilePlan& plan);

}  // namespace alpaca::idl::gen
