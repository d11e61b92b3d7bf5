#include "alpaca/transport/string_binding.h"

#include <charconv>

#include "alpaca/transport/status.h"

namespace alpaca::rpc {
namespace {

bool IsProtseqChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

// Characters that would change the structure of the binding.
bool HasReserved(std::string_view s) { return s.find_first_of("[]@,=") != std::string_view::npos; }

}  // namespace

std::error_code StringBinding::Parse(std::string_view text, StringBinding& out) {
  const auto bad = status::MakeStatus(status::kInvalidStringBinding);
  StringBinding b;
  auto at = text.find('@');
  auto colon = text.find(':');
  if (at != std::string_view::npos && at < colon) {
    b.object = Uuid::Parse(text.substr(0, at));
    if (!b.object) return bad;
    text.remove_prefix(at + 1);
    colon = text.find(':');
  }
  if (colon == std::string_view::npos || colon == 0) return bad;
  for (char c : text.substr(0, colon)) {
    if (!IsProtseqChar(c)) return bad;
  }
  b.protseq = std::string(text.substr(0, colon));
  text.remove_prefix(colon + 1);
  auto open = text.find('[');
  b.network_address = std::string(text.substr(0, open));
  if (HasReserved(b.network_address)) return bad;
  if (open != std::string_view::npos) {
    if (text.back() != ']') return bad;
    std::string_view inside = text.substr(open + 1, text.size() - open - 2);
    if (inside.find_first_of("[]") != std::string_view::npos) return bad;
    bool first = true;
    while (true) {
      auto comma = inside.find(',');
      std::string_view part = inside.substr(0, comma);
      if (first) {
        // "endpoint=" is an allowed spelling of the endpoint (MS RPC).
        if (part.substr(0, 9) == "endpoint=") part.remove_prefix(9);
        if (part.find('=') != std::string_view::npos) return bad;
        b.endpoint = std::string(part);
        first = false;
      } else {
        auto eq = part.find('=');
        if (eq == std::string_view::npos || eq == 0 || eq + 1 == part.size()) return bad;
        b.options.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
      }
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
  }
  out = std::move(b);
  return {};
}

std::string StringBinding::Compose() const {
  std::string s;
  if (object) s += object->ToString() + "@";
  s += protseq + ":" + network_address;
  if (!endpoint.empty() || !options.empty()) {
    s += "[" + endpoint;
    for (const auto& [k, v] : options) s += "," + k + "=" + v;
    s += "]";
  }
  return s;
}

std::optional<std::uint16_t> ParseTcpPort(std::string_view endpoint) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(endpoint.data(), endpoint.data() + endpoint.size(), value);
  if (ec != std::errc() || end != endpoint.data() + endpoint.size() || value == 0 ||
      value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace alpaca::rpc
