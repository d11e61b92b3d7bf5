#include "alpaca/rpc/endpoint_mapper.h"

#include "alpaca/rpc/client.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {
namespace {

// Appendix L protocol identifiers.
constexpr std::uint8_t kFloorUuid = 0x0d;
constexpr std::uint8_t kFloorRpcCo = 0x0b;
constexpr std::uint8_t kFloorTcp = 0x07;
constexpr std::uint8_t kFloorIp = 0x09;
constexpr std::uint32_t kMaxTowers = 500;  // [range(0,500)] in the IDL

void Put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
  v.push_back(static_cast<std::uint8_t>(x));
  v.push_back(static_cast<std::uint8_t>(x >> 8));
}

void PutUuidFloor(std::vector<std::uint8_t>& v, const Uuid& u, std::uint16_t major,
                  std::uint16_t minor) {
  Put16(v, 19);
  v.push_back(kFloorUuid);
  ndr::Encoder e;
  e.WriteUuid(u);
  v.insert(v.end(), e.Bytes().begin(), e.Bytes().end());
  Put16(v, major);
  Put16(v, 2);
  Put16(v, minor);
}

struct Floor {
  std::span<const std::uint8_t> lhs, rhs;
};

// Wire form of twr_t: conformance hoisted, then tower_length, then octets.
void WriteTower(ndr::Encoder& e, const std::vector<std::uint8_t>& octets) {
  e.WriteConformance(static_cast<std::uint32_t>(octets.size()));
  e.Write(static_cast<std::uint32_t>(octets.size()));
  e.WriteBytes(octets);
}

bool ReadTower(ndr::Decoder& d, std::vector<std::uint8_t>& octets) {
  std::uint32_t max = d.ReadConformance();
  std::uint32_t length = d.Read<std::uint32_t>();
  if (!d.Ok() || length != max) {
    d.Fail(ndr::Errc::kBadVariance);
    return false;
  }
  if (!d.CheckCount(length, 1, 1)) return false;
  octets.resize(length);
  return d.ReadBytes(octets);
}

}  // namespace

std::vector<std::uint8_t> EncodeTcpTower(const TcpTower& t) {
  std::vector<std::uint8_t> v;
  Put16(v, 5);
  PutUuidFloor(v, t.interface_id.uuid, t.interface_id.major, t.interface_id.minor);
  PutUuidFloor(v, ndr::kNdr20Uuid, 2, 0);
  Put16(v, 1);
  v.push_back(kFloorRpcCo);
  Put16(v, 2);
  Put16(v, 0);
  Put16(v, 1);
  v.push_back(kFloorTcp);
  Put16(v, 2);
  v.push_back(static_cast<std::uint8_t>(t.port >> 8));  // big-endian
  v.push_back(static_cast<std::uint8_t>(t.port));
  Put16(v, 1);
  v.push_back(kFloorIp);
  Put16(v, 4);
  for (int shift = 24; shift >= 0; shift -= 8)
    v.push_back(static_cast<std::uint8_t>(t.ipv4 >> shift));
  return v;
}

std::optional<TcpTower> DecodeTcpTower(std::span<const std::uint8_t> octets) {
  std::size_t pos = 0;
  auto get16 = [&](std::uint16_t& x) {
    if (octets.size() - pos < 2) return false;
    x = static_cast<std::uint16_t>(octets[pos] | octets[pos + 1] << 8);
    pos += 2;
    return true;
  };
  auto take = [&](std::size_t n, std::span<const std::uint8_t>& out) {
    if (octets.size() - pos < n) return false;
    out = octets.subspan(pos, n);
    pos += n;
    return true;
  };
  std::uint16_t count = 0;
  if (!get16(count) || count < 1 || count > 16) return std::nullopt;
  std::vector<Floor> floors;
  for (unsigned i = 0; i < count; ++i) {
    std::uint16_t n = 0;
    Floor f;
    if (!get16(n) || !take(n, f.lhs) || !get16(n) || !take(n, f.rhs)) return std::nullopt;
    floors.push_back(f);
  }
  const Floor& f1 = floors[0];
  if (f1.lhs.size() != 19 || f1.lhs[0] != kFloorUuid || f1.rhs.size() != 2) return std::nullopt;
  TcpTower t;
  ndr::Decoder d(f1.lhs.subspan(1));
  t.interface_id.uuid = d.ReadUuid();
  t.interface_id.major = d.Read<std::uint16_t>();
  t.interface_id.minor = static_cast<std::uint16_t>(f1.rhs[0] | f1.rhs[1] << 8);
  for (std::size_t i = 1; i < floors.size(); ++i) {
    const Floor& f = floors[i];
    if (f.lhs.size() != 1) continue;
    if (f.lhs[0] == kFloorTcp && f.rhs.size() == 2) {
      t.port = static_cast<std::uint16_t>(f.rhs[0] << 8 | f.rhs[1]);
    } else if (f.lhs[0] == kFloorIp && f.rhs.size() == 4) {
      t.ipv4 = std::uint32_t{f.rhs[0]} << 24 | std::uint32_t{f.rhs[1]} << 16 |
               std::uint32_t{f.rhs[2]} << 8 | f.rhs[3];
    }
  }
  return t;
}

void EndpointMapper::AddTcpEndpoint(const InterfaceId& iface, std::uint16_t port,
                                    std::uint32_t ipv4) {
  std::lock_guard lock(*mu_);
  entries_->push_back({iface, port, ipv4});
}

InterfaceRegistration EndpointMapper::Registration() {
  InterfaceRegistration r;
  r.id = kEpmapperInterface;
  // Only ept_map: the other operations fault with nca_s_op_rng_error.
  r.methods.resize(kEptMapOpnum + 1);
  r.methods[kEptMapOpnum] = [mu = mu_, entries = entries_](CallContext& call, ndr::Decoder& in,
                                                           ndr::Encoder& out) {
    EndpointMapper view;
    view.mu_ = mu;
    view.entries_ = entries;
    return view.EptMap(call, in, out);
  };
  return r;
}

std::uint32_t EndpointMapper::EptMap(CallContext&, ndr::Decoder& in, ndr::Encoder& out) {
  // [in, ptr] uuid_p_t object
  std::uint32_t ref = 0;
  bool first = false;
  if (in.ReadFullPointer(ref, first)) in.ReadUuid();
  // [in, ptr] twr_p_t map_tower
  std::vector<std::uint8_t> tower;
  if (in.ReadFullPointer(ref, first)) ReadTower(in, tower);
  ndr::ContextHandle handle = in.ReadContextHandle();
  std::uint32_t max_towers = in.Read<std::uint32_t>();
  if (in.Finish() || max_towers > kMaxTowers) return status::kBadStubData;
  (void)handle;  // lookups are not resumable: always one batch

  std::vector<std::vector<std::uint8_t>> found;
  if (auto wanted = DecodeTcpTower(tower)) {
    std::lock_guard lock(*mu_);
    for (const auto& e : *entries_) {
      if (found.size() >= max_towers) break;
      if (e.interface_id.uuid == wanted->interface_id.uuid &&
          e.interface_id.major == wanted->interface_id.major &&
          e.interface_id.minor >= wanted->interface_id.minor) {
        found.push_back(EncodeTcpTower(e));
      }
    }
  }
  out.WriteContextHandle({});  // [in,out] entry_handle: done, NULL
  out.Write(static_cast<std::uint32_t>(found.size()));
  // [out, ptr, size_is(max_towers), length_is(*num_towers)] twr_p_t towers[]
  out.WriteConformance(max_towers);
  out.WriteVariance(0, static_cast<std::uint32_t>(found.size()));
  for (const auto& t : found) {
    if (out.WriteFullPointer(&t)) out.Defer([&t](ndr::Encoder& e) { WriteTower(e, t); });
  }
  out.FlushDeferred();
  out.Write(found.empty() ? kEptNotRegisteredWire : 0u);  // error_status_t
  return status::kOk;
}

std::uint16_t EptMapTcpPort(const std::string& host, std::uint16_t epm_port,
                            const InterfaceId& iface, std::chrono::milliseconds timeout) {
  ClientOptions options;
  options.connect_timeout = timeout;
  Client epm("ncacn_ip_tcp:" + host + "[" + std::to_string(epm_port) + "]", kEpmapperInterface,
             options);
  ndr::Encoder e;
  Uuid nil;
  if (e.WriteFullPointer(&nil)) e.WriteUuid(nil);
  std::vector<std::uint8_t> tower = EncodeTcpTower({iface, 0, 0});
  if (e.WriteFullPointer(&tower)) WriteTower(e, tower);
  e.WriteContextHandle({});
  e.Write<std::uint32_t>(4);
  CallOptions call;
  call.timeout = timeout;
  std::vector<std::uint8_t> reply = epm.Call(kEptMapOpnum, e.Bytes(), call);

  ndr::Decoder d(reply);
  d.ReadContextHandle();
  std::uint32_t num = d.Read<std::uint32_t>();
  std::uint32_t max = d.ReadConformance(), offset = 0, actual = 0;
  d.ReadVariance(max, offset, actual);
  if (!d.Ok() || actual != num || !d.CheckCount(actual, 4, 4)) {
    throw RpcError(status::kBadStubData, "ept_map reply");
  }
  std::vector<bool> present(actual);
  for (std::uint32_t i = 0; i < actual; ++i) {
    std::uint32_t ref = 0;
    bool first = false;
    present[i] = d.ReadFullPointer(ref, first) && first;
  }
  std::optional<std::uint16_t> port;
  for (std::uint32_t i = 0; i < actual && d.Ok(); ++i) {
    if (!present[i]) continue;
    std::vector<std::uint8_t> octets;
    if (!ReadTower(d, octets)) break;
    auto t = DecodeTcpTower(octets);
    if (!port && t && t->port != 0) port = t->port;
  }
  std::uint32_t result = d.Read<std::uint32_t>();
  if (!d.Ok()) throw RpcError(status::kBadStubData, "ept_map reply");
  if (result != 0 || !port) {
    throw RpcError(status::kEptNotRegistered, iface.uuid.ToString() + " at " + host);
  }
  return *port;
}

}  // namespace alpaca::rpc
