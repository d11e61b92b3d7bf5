#include "alpaca/dcerpc/negotiation.h"

namespace alpaca::dcerpc {

NegotiationResult NegotiateContexts(const std::vector<PresentationContext>& proposed,
                                    const std::function<bool(const SyntaxId&)>& known) {
  NegotiationResult out;
  const SyntaxId ndr20 = Ndr20Syntax();
  for (const auto& c : proposed) {
    ContextResultEntry r;  // transfer_syntax stays nil when refused
    std::uint16_t features = 0;
    bool feature_negotiation = c.transfer_syntaxes.size() == 1 &&
                               IsBindTimeFeatureSyntax(c.transfer_syntaxes[0], &features);
    if (feature_negotiation) {
      // MS-RPCE 3.3.1.5.3: negotiate_ack, reason = features both support.
      r.result = ContextResult::kNegotiateAck;
      r.reason = static_cast<std::uint16_t>(features & kServerFeatures);
    } else if (!known(c.abstract_syntax)) {
      r.result = ContextResult::kProviderRejection;
      r.reason = static_cast<std::uint16_t>(ContextReason::kAbstractSyntaxNotSupported);
    } else {
      bool has_ndr20 = false;
      for (const auto& t : c.transfer_syntaxes) has_ndr20 |= t == ndr20;
      if (has_ndr20) {
        r.result = ContextResult::kAcceptance;
        r.reason = 0;
        r.transfer_syntax = ndr20;
        out.accepted[c.context_id] = c.abstract_syntax;
      } else {
        r.result = ContextResult::kProviderRejection;
        r.reason = static_cast<std::uint16_t>(ContextReason::kProposedTransferSyntaxesNotSupported);
      }
    }
    out.results.push_back(r);
  }
  return out;
}

}  // namespace alpaca::dcerpc
