// Server-side presentation context negotiation (C706 12.6.4.3, MS-RPCE
// 3.3.1.5.3): for each proposed context pick NDR20 if the abstract syntax is
// registered; refuse others with the reason Windows gives; answer bind time
// feature negotiation with negotiate_ack.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "alpaca/dcerpc/pdu.h"

namespace alpaca::dcerpc {

// Features alpaca's server supports: it keeps the connection on orphaned.
inline constexpr std::uint16_t kServerFeatures = kFeatureKeepConnectionOnOrphan;

struct NegotiationResult {
  std::vector<ContextResultEntry> results;  // one per proposed context, in order
  // context_id -> abstract syntax, for the contexts accepted now.
  std::map<std::uint16_t, SyntaxId> accepted;
};

// `known` says whether an abstract syntax (uuid + version) is registered.
// Interface version matching: same major, server minor >= client minor.
NegotiationResult NegotiateContexts(const std::vector<PresentationContext>& proposed,
                                    const std::function<bool(const SyntaxId&)>& known);

}  // namespace alpaca::dcerpc
