#include "test_interface.h"

#include <type_traits>

#include "alpaca/rpc/status.h"

namespace alpaca::rpc::testing {
namespace {

// Point: 8-aligned (its largest member is a hyper).
void WritePoint(ndr::Encoder& e, const Point& p) {
  e.Align(8);
  e.Write(p.x);
  e.Write(p.y);
  e.Write(p.tag);
  e.Write(p.z);
}

Point ReadPoint(ndr::Decoder& d) {
  Point p;
  d.Align(8);
  p.x = d.Read<std::int32_t>();
  p.y = d.Read<std::int32_t>();
  p.tag = d.Read<std::int16_t>();
  p.z = d.Read<std::int64_t>();
  return p;
}

// The methods wrap on overflow: a client (or a fuzzer) chooses the values,
// and signed overflow would be undefined behaviour in the server.
template <typename T>
T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}

// Each server stub: unmarshal, validate (Finish), run, marshal.
std::uint32_t SumStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  auto a = in.Read<std::int8_t>();
  auto b = in.Read<std::int16_t>();
  auto c = in.Read<std::int32_t>();
  auto d = in.Read<std::int64_t>();
  auto f = in.Read<float>();
  auto g = in.Read<double>();
  if (in.Finish()) return status::kBadStubData;
  out.Write(static_cast<double>(a) + b + c + static_cast<double>(d) + f + g);
  out.Write<std::int32_t>(WrapAdd<std::int32_t>(WrapAdd<std::int32_t>(a, b), c));
  return status::kOk;
}

std::uint32_t SumArrayStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  auto count = in.Read<std::int32_t>();
  std::vector<std::int32_t> values;
  in.ReadConformantArray(values);
  if (in.Finish()) return status::kBadStubData;
  if (count < 0 || static_cast<std::size_t>(count) != values.size()) return status::kBadStubData;
  std::int64_t sum = 0;
  for (auto v : values) sum += v;
  out.Write(sum);
  out.Write(count);
  return status::kOk;
}

std::uint32_t GreetStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  std::u16string name;
  in.ReadWideString(name);
  if (in.Finish()) return status::kBadStubData;
  std::u16string reply = u"Hello, " + name + u"!";
  if (out.WriteUniquePointer(true)) out.WriteWideString(reply);
  out.Write(static_cast<std::int32_t>(name.size()));
  return status::kOk;
}

std::uint32_t ScalePointStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  Point p = ReadPoint(in);
  if (in.Finish()) return status::kBadStubData;
  Point s{WrapAdd(p.x, p.x), WrapAdd(p.y, p.y), p.tag, WrapAdd(p.z, p.z)};
  WritePoint(out, s);
  out.Write<std::int32_t>(0);
  return status::kOk;
}

std::uint32_t IncrementStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  auto value = in.Read<std::int32_t>();
  Point p = ReadPoint(in);
  if (in.Finish()) return status::kBadStubData;
  out.Write(WrapAdd(value, 1));
  WritePoint(out, {WrapAdd(p.x, 1), WrapAdd(p.y, 1), WrapAdd<std::int16_t>(p.tag, 1),
                   WrapAdd<std::int64_t>(p.z, 1)});
  out.Write<std::int32_t>(0);
  return status::kOk;
}

std::uint32_t MaybeLengthStub(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  std::optional<std::u16string> text;
  if (in.ReadUniquePointer()) in.ReadWideString(text.emplace());
  if (in.Finish()) return status::kBadStubData;
  out.Write<std::int32_t>(text ? static_cast<std::int32_t>(text->size()) : -1);
  return status::kOk;
}

std::uint32_t FailStub(CallContext&, ndr::Decoder& in, ndr::Encoder&) {
  auto code = in.Read<std::int32_t>();
  if (in.Finish()) return status::kBadStubData;
  throw RpcError(static_cast<std::uint32_t>(code), "Fail");
}

std::vector<std::uint8_t> Invoke(Client& c, std::uint16_t opnum, const ndr::Encoder& e) {
  return c.Call(opnum, e.Bytes());
}

void CheckDone(ndr::Decoder& d) {
  if (d.Finish()) throw RpcError(status::kBadStubData, d.Error().message());
}

}  // namespace

InterfaceRegistration AlpacaTestRegistration() {
  InterfaceRegistration r;
  r.id = kAlpacaTest;
  r.methods = {SumStub,       SumArrayStub,    GreetStub, ScalePointStub,
               IncrementStub, MaybeLengthStub, FailStub};
  return r;
}

std::int32_t AlpacaTestProxy::Sum(std::int8_t a, std::int16_t b, std::int32_t c, std::int64_t d,
                                  float f, double g, double& total) {
  ndr::Encoder e;
  e.Write(a);
  e.Write(b);
  e.Write(c);
  e.Write(d);
  e.Write(f);
  e.Write(g);
  auto reply = Invoke(client_, 0, e);
  ndr::Decoder r(reply);
  total = r.Read<double>();
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::SumArray(const std::vector<std::int32_t>& values, std::int64_t& sum) {
  ndr::Encoder e;
  e.Write(static_cast<std::int32_t>(values.size()));
  e.WriteConformantArray<std::int32_t>(values);
  auto reply = Invoke(client_, 1, e);
  ndr::Decoder r(reply);
  sum = r.Read<std::int64_t>();
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::Greet(const std::u16string& name,
                                    std::optional<std::u16string>& reply_text) {
  ndr::Encoder e;
  e.WriteWideString(name);
  auto reply = Invoke(client_, 2, e);
  ndr::Decoder r(reply);
  reply_text.reset();
  if (r.ReadUniquePointer()) r.ReadWideString(reply_text.emplace());
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::ScalePoint(const Point& p, Point& scaled) {
  ndr::Encoder e;
  WritePoint(e, p);
  auto reply = Invoke(client_, 3, e);
  ndr::Decoder r(reply);
  scaled = ReadPoint(r);
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::Increment(std::int32_t& value, Point& p) {
  ndr::Encoder e;
  e.Write(value);
  WritePoint(e, p);
  auto reply = Invoke(client_, 4, e);
  ndr::Decoder r(reply);
  value = r.Read<std::int32_t>();
  p = ReadPoint(r);
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::MaybeLength(const std::optional<std::u16string>& text) {
  ndr::Encoder e;
  if (e.WriteUniquePointer(text.has_value())) e.WriteWideString(*text);
  auto reply = Invoke(client_, 5, e);
  ndr::Decoder r(reply);
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

std::int32_t AlpacaTestProxy::Fail(std::int32_t code) {
  ndr::Encoder e;
  e.Write(code);
  auto reply = Invoke(client_, 6, e);
  ndr::Decoder r(reply);
  auto result = r.Read<std::int32_t>();
  CheckDone(r);
  return result;
}

}  // namespace alpaca::rpc::testing
