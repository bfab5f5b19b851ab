// Copyright 2026 The natfwt Authors.
//
// NET_LUID / IF_LUID values (spec 3.2, 9) as plain uint64_t:
//
//    63            48 47                    24 23                     0
//   +----------------+------------------------+------------------------+
//   |     IfType     |      NetLuidIndex      |        Reserved        |
//   +----------------+------------------------+------------------------+
//
// (Windows ifdef.h NET_LUID_LH: Reserved:24, NetLuidIndex:24, IfType:16,
// first field in the least significant bits.) natfwt synthesises its own
// LUIDs with IfType 131 and a persistent NetLuidIndex from the association
// store (spec 9); Reserved is always 0. They key the association records
// everywhere, and are what providers see where the OS has no LUIDs (Linux);
// where it has (Windows), providers see the OS's LUID of the interface
// instead (association_format.h, os_luid).
//
// Thread-safety: constexpr functions on values.

#ifndef NATFWT_FACADE_IDENTITY_LUID_H_
#define NATFWT_FACADE_IDENTITY_LUID_H_

#include <cstdint>

namespace natfwt::cp {

// IANA ifType 131, "tunnel" (Windows IF_TYPE_TUNNEL; spec 9).
inline constexpr uint16_t kIfTypeTunnel = 131;

// NetLuidIndex is a 24-bit field.
inline constexpr uint32_t kMaxNetLuidIndex = (uint32_t{1} << 24) - 1;

// The LUID with `if_type` and the low 24 bits of `net_luid_index`
// (Reserved = 0).
constexpr uint64_t MakeNetLuid(uint16_t if_type, uint32_t net_luid_index) {
  return (uint64_t{if_type} << 48) |
         (uint64_t{net_luid_index & kMaxNetLuidIndex} << 24);
}

constexpr uint16_t NetLuidIfType(uint64_t luid) {
  return static_cast<uint16_t>(luid >> 48);
}

constexpr uint32_t NetLuidIndex(uint64_t luid) {
  return static_cast<uint32_t>(luid >> 24) & kMaxNetLuidIndex;
}

constexpr uint32_t NetLuidReserved(uint64_t luid) {
  return static_cast<uint32_t>(luid) & kMaxNetLuidIndex;
}

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_IDENTITY_LUID_H_
