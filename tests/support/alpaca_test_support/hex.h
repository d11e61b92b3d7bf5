// Bytes written as hex in a test's expectations ("0500 0b03": spaces and
// line breaks between bytes are allowed), for golden wire formats copied
// from captures and specifications.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace alpaca::test_support {

inline std::vector<std::uint8_t> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out;
  int high = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    int value = nibble(c);
    // A typo in a golden vector is the test's bug: say so, not a mismatch.
    if (value < 0) throw std::invalid_argument("FromHex: not a hex digit: " + std::string(1, c));
    if (high < 0) {
      high = value;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | value));
      high = -1;
    }
  }
  if (high >= 0) throw std::invalid_argument("FromHex: odd number of digits");
  return out;
}

}  // namespace alpaca::test_support
