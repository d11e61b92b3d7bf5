// Prints "name hex" lines: alpaca's NDR encoding of a fixed set of values.
// impacket_vectors.py encodes the same values with Impacket's NDR encoder
// and compares byte for byte.
#include <cstdio>
#include <string>
#include <vector>

#include "alpaca/ndr/encoder.h"

namespace {

using alpaca::ndr::Encoder;

void Print(const char* name, const Encoder& e) {
  std::printf("%s ", name);
  for (auto b : e.Bytes()) std::printf("%02x", b);
  std::printf("\n");
}

}  // namespace

int main() {
  {  // struct { u8; u16; u32; hyper; float; double } - natural alignment.
    Encoder e;
    e.Write<std::uint8_t>(0x01);
    e.Write<std::uint16_t>(0x0203);
    e.Write<std::uint32_t>(0x04050607);
    e.Write<std::int64_t>(-2);
    e.Write<float>(1.5f);
    e.Write<double>(-0.25);
    Print("base_types", e);
  }
  {  // top-level conformant array of DWORD: [size_is(3)] DWORD a[]
    Encoder e;
    std::vector<std::uint32_t> a{1, 2, 0xdeadbeef};
    e.WriteConformantArray<std::uint32_t>(a);
    Print("conformant_dword_array", e);
  }
  {  // [string] wchar_t* as a top-level [ref] parameter
    Encoder e;
    e.WriteWideString(u"alpaca");
    Print("wide_string", e);
  }
  {  // [string] char*
    Encoder e;
    e.WriteString("hello");
    Print("char_string", e);
  }
  {  // struct { DWORD n; [size_is(n)] WORD a[]; } - conformance hoisted
    Encoder e;
    std::vector<std::uint16_t> a{7, 8, 9};
    e.WriteConformance(3);
    e.Align(4);
    e.Write<std::uint32_t>(3);
    e.WriteElements<std::uint16_t>(a);
    Print("struct_conformant_array", e);
  }
  {  // [unique] DWORD* NULL, then non-NULL
    Encoder e;
    e.WriteUniquePointer(false);
    if (e.WriteUniquePointer(true)) e.Write<std::uint32_t>(42);
    Print("unique_pointers", e);
  }
  {  // struct { DWORD x; [unique] DWORD* p; [unique,string] wchar_t* s; }
    Encoder e;
    std::uint32_t value = 0x11223344;
    e.Write<std::uint32_t>(5);
    if (e.WriteUniquePointer(true)) e.Defer([value](Encoder& d) { d.Write(value); });
    if (e.WriteUniquePointer(true)) e.Defer([](Encoder& d) { d.WriteWideString(u"ab"); });
    e.FlushDeferred();
    Print("struct_embedded_pointers", e);
  }
  {  // encapsulated-style: switch_type(DWORD) union, arm 2 = hyper
    Encoder e;
    e.Write<std::uint32_t>(2);
    e.Write<std::uint64_t>(0x0102030405060708ull);
    Print("union_hyper_arm", e);
  }
  {  // context handle
    Encoder e;
    alpaca::ndr::ContextHandle h;
    h.attributes = 0;
    h.uuid = alpaca::UuidFromLiteral("01234567-89ab-cdef-0123-456789abcdef");
    e.WriteContextHandle(h);
    Print("context_handle", e);
  }
  return 0;
}
