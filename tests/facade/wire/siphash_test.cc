// Copyright 2026 The natfwt Authors.
//
// SipHash-2-4 against the reference vectors: key 00 01 .. 0f, message
// 00 01 .. (n-1) (Aumasson/Bernstein reference implementation vectors.h; the
// 15-byte one is the paper's appendix A example). Lengths 7, 16 and 63 were
// cross-checked with `openssl mac -macopt size:8 SIPHASH`.

#include "facade/wire/siphash.h"

#include <cstdint>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::cp {
namespace {

struct VectorCase {
  std::string name;
  size_t length;
  uint64_t expected;
};

void PrintTo(const VectorCase& c, std::ostream* os) { *os << c.name; }

class SipHashVectors : public ::testing::TestWithParam<VectorCase> {};

// Key bytes 00..0f read as two little-endian words (paper section 2).
constexpr SipKey kReferenceKey{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};

TEST_P(SipHashVectors, MatchesReference) {
  std::vector<uint8_t> message(GetParam().length);
  std::iota(message.begin(), message.end(), uint8_t{0});
  EXPECT_EQ(SipHash24(kReferenceKey, message), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Reference, SipHashVectors,
    ::testing::Values(VectorCase{"Empty", 0, 0x726fdb47dd0e0e31ULL},
                      VectorCase{"OneByte", 1, 0x74f839c593dc67fdULL},
                      VectorCase{"SevenBytes", 7, 0xab0200f58b01d137ULL},
                      VectorCase{"OneWord", 8, 0x93f5f5799a932462ULL},
                      VectorCase{"PaperExample", 15, 0xa129ca6149be45e5ULL},
                      VectorCase{"TwoWords", 16, 0x3f2acc7f57c29bdbULL},
                      VectorCase{"SixtyThree", 63, 0x958a324ceb064572ULL}),
    [](const ::testing::TestParamInfo<VectorCase>& test) {
      return test.param.name;
    });

TEST(SipHash, EveryKeyBitMatters) {
  const std::vector<uint8_t> message = {1, 2, 3, 4, 5};
  const uint64_t base = SipHash24(kReferenceKey, message);
  for (int bit = 0; bit < 128; ++bit) {
    SipKey key = kReferenceKey;
    (bit < 64 ? key.k0 : key.k1) ^= uint64_t{1} << (bit % 64);
    EXPECT_NE(SipHash24(key, message), base) << "key bit " << bit;
  }
}

}  // namespace
}  // namespace natfwt::cp
