// Reads a whole file as bytes: the preprocessor's sources and the import
// cache's entries and dependency checks.
#pragma once

#include <string>

namespace alpaca::idl {

// False when the file cannot be opened or read (errno tells why).
bool ReadFileText(const std::string& path, std::string& out);

}  // namespace alpaca::idl
