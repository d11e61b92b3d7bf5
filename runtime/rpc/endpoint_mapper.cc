#include "alpaca/rpc/endpoint_mapper.h"

#include "alpaca/rpc/client.h"
#include "alpaca/rpc/status.h"

namespace alpaca::rpc {
namespace {

constexpr std::uint32_t kMaxTowers = 500;  // [range(0,500)] in the IDL

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

void EndpointMapper::AddTcpEndpoint(const InterfaceId& iface, std::uint16_t port,
                                    std::uint32_t ipv4) {
  std::lock_guard lock(*mu_);
  entries_->push_back({iface.Syntax(), port, ipv4});
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

std::vector<std::vector<std::uint8_t>> EptMapTowers(const StringBinding& epm,
                                                    std::span<const std::uint8_t> tower,
                                                    const ClientOptions& options) {
  ClientOptions epm_options;
  epm_options.connect_timeout = options.connect_timeout;
  epm_options.transports = options.transports;
  Client client(epm.Compose(), kEpmapperInterface, epm_options);
  ndr::Encoder e;
  Uuid nil;
  if (e.WriteFullPointer(&nil)) e.WriteUuid(nil);
  std::vector<std::uint8_t> wanted(tower.begin(), tower.end());
  if (e.WriteFullPointer(&wanted)) WriteTower(e, wanted);
  e.WriteContextHandle({});
  e.Write<std::uint32_t>(4);
  CallOptions call;
  call.timeout = options.connect_timeout;
  std::vector<std::uint8_t> reply = client.Call(kEptMapOpnum, e.Bytes(), call);

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
  std::vector<std::vector<std::uint8_t>> towers;
  for (std::uint32_t i = 0; i < actual && d.Ok(); ++i) {
    if (!present[i]) continue;
    std::vector<std::uint8_t> octets;
    if (!ReadTower(d, octets)) break;
    towers.push_back(std::move(octets));
  }
  std::uint32_t result = d.Read<std::uint32_t>();
  if (!d.Ok()) throw RpcError(status::kBadStubData, "ept_map reply");
  if (result != 0) towers.clear();
  return towers;
}

}  // namespace alpaca::rpc
