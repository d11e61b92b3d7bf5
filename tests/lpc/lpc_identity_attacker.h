// What lpc_identity_attacker and its tests agree on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace alpaca::lpc::testing {

// A fixed address, free in every process here, where the attacker declares
// its buffer and the victim keeps its secret: the same number in both.
inline constexpr uintptr_t kAddress = 0x5a5a00000000;
inline constexpr size_t kSecretLength = 32;
inline constexpr char kSecret[] = "root-secret-0123456789abcdefghij";
inline constexpr char kAttackerBytes[] = "attacker-bytes-0123456789abcdefg";
static_assert(sizeof(kSecret) == kSecretLength + 1 && sizeof(kAttackerBytes) == kSecretLength + 1);

inline std::string AttackerPath() { return ALPACA_LPC_IDENTITY_ATTACKER_PATH; }

}  // namespace alpaca::lpc::testing
