// Uuid: a DCE UUID as a value (C706 Appendix A), with parse and format of the
// canonical "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" text form. The fields are
// kept as numbers; their wire byte order is the NDR encoder's business.
#pragma once

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace alpaca {

struct Uuid {
  std::uint32_t time_low = 0;
  std::uint16_t time_mid = 0;
  std::uint16_t time_hi_and_version = 0;
  std::array<std::uint8_t, 8> clock_seq_and_node{};

  friend auto operator<=>(const Uuid&, const Uuid&) = default;

  bool IsNil() const { return *this == Uuid{}; }

  // Parses the 36-character canonical form (either case); nullopt otherwise.
  static std::optional<Uuid> Parse(std::string_view text) {
    if (text.size() != 36) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    std::array<std::uint8_t, 16> b{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < 36;) {
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (text[i] != '-') return std::nullopt;
        ++i;
        continue;
      }
      int hi = hex(text[i]), lo = hex(text[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      b[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
      i += 2;
    }
    Uuid u;
    u.time_low =
        std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    u.time_mid = static_cast<std::uint16_t>(b[4] << 8 | b[5]);
    u.time_hi_and_version = static_cast<std::uint16_t>(b[6] << 8 | b[7]);
    for (int i = 0; i < 8; ++i) u.clock_seq_and_node[i] = b[8 + i];
    return u;
  }

  // A random (version 4) UUID from the kernel's CSPRNG: unguessable, so
  // fit for handles a peer must not forge (context handles).
  static Uuid Random() {
    std::array<std::uint8_t, 16> b{};
    std::size_t got = 0;
    while (got < b.size()) {
      ssize_t n = ::getrandom(b.data() + got, b.size() - got, 0);
      if (n > 0) {
        got += static_cast<std::size_t>(n);
      } else if (errno != EINTR) {
        std::abort();  // ENOSYS: a kernel older than 3.17, not supported
      }
    }
    Uuid u;
    u.time_low =
        std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    u.time_mid = static_cast<std::uint16_t>(b[4] << 8 | b[5]);
    u.time_hi_and_version = static_cast<std::uint16_t>((b[6] & 0x0f) << 8 | b[7] | 0x4000);
    for (int i = 0; i < 8; ++i) u.clock_seq_and_node[i] = b[8 + i];
    u.clock_seq_and_node[0] = static_cast<std::uint8_t>((u.clock_seq_and_node[0] & 0x3f) | 0x80);
    return u;
  }

  // Lower-case canonical form.
  std::string ToString() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    auto put = [&](std::uint64_t v, int bytes) {
      for (int i = bytes - 1; i >= 0; --i) {
        auto byte = static_cast<unsigned>(v >> (8 * i)) & 0xff;
        s += kHex[byte >> 4];
        s += kHex[byte & 15];
      }
    };
    put(time_low, 4);
    s += '-';
    put(time_mid, 2);
    s += '-';
    put(time_hi_and_version, 2);
    s += '-';
    put(clock_seq_and_node[0], 1);
    put(clock_seq_and_node[1], 1);
    s += '-';
    for (int i = 2; i < 8; ++i) put(clock_seq_and_node[i], 1);
    return s;
  }
};

// For constants written in code, e.g. UuidFromLiteral("8a885d04-...").
// Intended for literals in code; a malformed literal is a programming error
// and yields the nil UUID (tests catch that).
inline Uuid UuidFromLiteral(std::string_view text) { return Uuid::Parse(text).value_or(Uuid{}); }

}  // namespace alpaca
