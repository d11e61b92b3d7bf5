// Fuzzes ndr::Decoder the way stubs drive it. The first byte (n) says how
// many of the following bytes are a "script" of decode operations; the rest
// is the stub data. Any crash, sanitizer report, allocation beyond
// Limits::max_allocation or a read past the buffer is a bug.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"

namespace {

using alpaca::ndr::Decoder;

// struct Node { long value; [unique] Node* next; }, as a deferred pointee.
void ListNode(Decoder& d) {
  d.Read<std::uint32_t>();
  if (d.ReadUniquePointer()) d.Defer(ListNode);
}

void RunOp(Decoder& d, std::uint8_t op, int nesting) {
  switch (op % 18) {
    case 0:
      d.Read<std::uint8_t>();
      break;
    case 1:
      d.Read<std::uint16_t>();
      break;
    case 2:
      d.Read<std::uint32_t>();
      break;
    case 3:
      d.Read<std::uint64_t>();
      break;
    case 4:
      d.Read<double>();
      break;
    case 5:
      d.ReadEnum16();
      break;
    case 6: {
      std::vector<std::uint32_t> v;
      d.ReadConformantArray(v);
      break;
    }
    case 7: {
      std::vector<std::uint16_t> v;
      d.ReadConformantVaryingArray(v);
      break;
    }
    case 8: {
      std::string s;
      d.ReadString(s);
      break;
    }
    case 9: {
      std::u16string s;
      d.ReadWideString(s);
      break;
    }
    case 10:
      d.ReadUuid();
      break;
    case 11:
      d.ReadContextHandle();
      break;
    case 12: {
      std::uint32_t id = 0;
      bool first = false;
      if (d.ReadFullPointer(id, first) && first)
        d.Defer([](Decoder& dd) { dd.Read<std::uint32_t>(); });
      break;
    }
    case 13: {
      // A linked list of unique pointers: recursion bounded by max_depth.
      if (d.ReadUniquePointer()) d.Defer(ListNode);
      break;
    }
    case 14:
      d.FlushDeferred();
      break;
    case 15:
      d.Align(8);
      break;
    case 16: {
      Decoder::DepthGuard guard(d);
      if (nesting < 100) RunOp(d, static_cast<std::uint8_t>(op / 18), nesting + 1);
      break;
    }
    case 17: {
      // Struct with hoisted conformance: max_count, then fields, then array.
      std::uint32_t max = d.ReadConformance();
      d.Read<std::uint32_t>();
      if (d.CheckCount(max, 2, 2)) {
        std::vector<std::uint16_t> v;
        d.ReadElements(max, v);
      }
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t script = std::min<std::size_t>(data[0], size - 1);
  std::span<const std::uint8_t> ops(data + 1, script);
  std::span<const std::uint8_t> stub(data + 1 + script, size - 1 - script);
  alpaca::ndr::Limits limits;
  limits.max_allocation = 1 << 20;
  limits.max_depth = 32;
  alpaca::ndr::Drep drep;
  if (!ops.empty() && (ops[0] & 0x80)) drep.bytes[0] = 0x00;  // big-endian too
  Decoder d(stub, drep, limits);
  for (std::uint8_t op : ops) RunOp(d, op, 0);
  d.FlushDeferred();
  (void)d.Finish();
  return 0;
}
