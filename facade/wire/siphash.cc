// Copyright 2026 The natfwt Authors.

#include "facade/wire/siphash.h"

#include <cstddef>

namespace natfwt::cp {
namespace {

constexpr uint64_t Rotl(uint64_t x, int bits) {
  return (x << bits) | (x >> (64 - bits));
}

// Little-endian load of up to 8 bytes.
uint64_t LoadLe(const uint8_t* bytes, size_t count) {
  uint64_t word = 0;
  for (size_t i = 0; i < count; ++i) word |= uint64_t{bytes[i]} << (8 * i);
  return word;
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  // One SipRound (paper section 2.1).
  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13) ^ v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16) ^ v2;
    v0 += v3;
    v3 = Rotl(v3, 21) ^ v0;
    v2 += v1;
    v1 = Rotl(v1, 17) ^ v2;
    v2 = Rotl(v2, 32);
  }

  void Compress(uint64_t word) {
    v3 ^= word;
    Round();
    Round();
    v0 ^= word;
  }
};

}  // namespace

uint64_t SipHash24(const SipKey& key, absl::Span<const uint8_t> message) {
  // Initialisation constants: "somepseudorandomlygeneratedbytes" (paper 2.2).
  SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
             key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  const size_t whole = message.size() / 8 * 8;
  for (size_t i = 0; i < whole; i += 8) s.Compress(LoadLe(&message[i], 8));
  // Last word: remaining bytes, and the length mod 256 in the top byte.
  uint64_t last = uint64_t{message.size() & 0xff} << 56;
  last |= LoadLe(message.data() + whole, message.size() - whole);
  s.Compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace natfwt::cp
