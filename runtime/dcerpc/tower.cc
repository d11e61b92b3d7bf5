#include "alpaca/dcerpc/tower.h"

#include "alpaca/ndr/decoder.h"
#include "alpaca/ndr/encoder.h"
#include "alpaca/ndr/types.h"

namespace alpaca::dcerpc {
namespace {

// Appendix L protocol identifiers.
constexpr std::uint8_t kFloorUuid = 0x0d;
constexpr std::uint8_t kFloorRpcCo = 0x0b;
constexpr std::uint8_t kFloorTcp = 0x07;
constexpr std::uint8_t kFloorIp = 0x09;

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

}  // namespace alpaca::dcerpc
