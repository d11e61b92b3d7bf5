// Fuzzes the CO PDU parsers and what the server does with their results:
// header validation, every body parser, context negotiation and fragment
// reassembly. The input is a stream of PDUs (each framed by its own
// frag_length, as on a TCP connection).
#include <cstddef>
#include <cstdint>
#include <span>

#include "alpaca/dcerpc/fragments.h"
#include "alpaca/dcerpc/negotiation.h"
#include "alpaca/dcerpc/pdu.h"

using namespace alpaca::dcerpc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  Reassembler reassembler(1 << 16);
  const SyntaxId known{alpaca::UuidFromLiteral("e1af8308-5d1f-11c9-91a4-08002b14a0fa"), 3, 0};
  while (in.size() >= kCommonHeaderSize) {
    Header h;
    if (ParseHeader(in, h)) return 0;  // the server closes the connection
    auto pdu = in.first(h.frag_length);
    in = in.subspan(h.frag_length);
    switch (h.ptype) {
      case PacketType::kBind:
      case PacketType::kAlterContext: {
        BindPdu b;
        if (!ParseBind(pdu, h, b)) {
          auto r = NegotiateContexts(b.contexts, [&](const SyntaxId& s) { return s == known; });
          BindAckPdu ack;
          ack.results = r.results;
          (void)EncodeBindAck(PacketType::kBindAck, h.call_id, ack);
        }
        break;
      }
      case PacketType::kBindAck: {
        BindAckPdu a;
        (void)ParseBindAck(pdu, h, a);
        break;
      }
      case PacketType::kBindNak: {
        BindNakPdu n;
        (void)ParseBindNak(pdu, h, n);
        break;
      }
      case PacketType::kFault: {
        FaultPdu f;
        (void)ParseFault(pdu, h, f);
        break;
      }
      case PacketType::kResponse: {
        ResponsePdu r;
        (void)ParseResponse(pdu, h, r);
        break;
      }
      case PacketType::kRequest: {
        RequestPdu r;
        if (ParseRequest(pdu, h, r)) break;
        if (reassembler.Add(h.pfc_flags & kPfcFirstFrag, h.pfc_flags & kPfcLastFrag, r.alloc_hint,
                            r.stub)) {
          reassembler.Take();
        } else if (reassembler.Complete()) {
          auto stub = reassembler.Take();
          (void)BuildResponseFragments(h.call_id, r.context_id, stub, kMinFragSize);
        }
        break;
      }
      default:
        break;
    }
  }
  return 0;
}
