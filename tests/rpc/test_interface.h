// The interop test interface, with a hand-written server stub and client
// proxy. Hand-written on purpose: it encodes NDR independently of idlc, so
// the interop tests (Impacket, tshark, Wine) check the runtime without a
// generator bug hiding on both ends; idlc's output is checked by the
// conformance tests. Its IDL, for the record:
//
//   [uuid(4b8d1f2e-7a3c-4e5b-9c0d-1a2b3c4d5e6f), version(1.0)]
//   interface AlpacaTest {
//     typedef struct { long x; long y; short tag; hyper z; } Point;
//     long Sum([in] small a, [in] short b, [in] long c, [in] hyper d,
//              [in] float f, [in] double g, [out] double* total);      // 0
//     long SumArray([in] long count, [in, size_is(count)] long* values,
//                   [out] hyper* sum);                                  // 1
//     long Greet([in, string] wchar_t* name,
//                [out, string] wchar_t** reply);                        // 2
//     long ScalePoint([in] Point p, [out] Point* scaled);              // 3
//     long Increment([in, out] long* value, [in, out] Point* p);        // 4
//     long MaybeLength([in, unique, string] wchar_t* text);             // 5
//     long Fail([in] long status);   // faults with `status`            // 6
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alpaca/rpc/client.h"
#include "alpaca/rpc/interface.h"

namespace alpaca::rpc::testing {

inline const InterfaceId kAlpacaTest{UuidFromLiteral("4b8d1f2e-7a3c-4e5b-9c0d-1a2b3c4d5e6f"), 1, 0};

struct Point {
  std::int32_t x = 0;
  std::int32_t y = 0;
  std::int16_t tag = 0;
  std::int64_t z = 0;
  friend bool operator==(const Point&, const Point&) = default;
};

// Server side: the stub and the implementation in one registration.
InterfaceRegistration AlpacaTestRegistration();

// Client side: a proxy per method; faults throw alpaca::RpcError.
class AlpacaTestProxy {
 public:
  explicit AlpacaTestProxy(Client& client) : client_(client) {}
  std::int32_t Sum(std::int8_t a, std::int16_t b, std::int32_t c, std::int64_t d, float f, double g,
                   double& total);
  std::int32_t SumArray(const std::vector<std::int32_t>& values, std::int64_t& sum);
  std::int32_t Greet(const std::u16string& name, std::optional<std::u16string>& reply);
  std::int32_t ScalePoint(const Point& p, Point& scaled);
  std::int32_t Increment(std::int32_t& value, Point& p);
  std::int32_t MaybeLength(const std::optional<std::u16string>& text);
  std::int32_t Fail(std::int32_t status);

 private:
  Client& client_;
};

}  // namespace alpaca::rpc::testing
