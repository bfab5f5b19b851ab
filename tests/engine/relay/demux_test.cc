// Copyright 2026 The natfwt Authors.
//
// RFC 7983 first-byte classification: every range boundary by name, then all
// 256 values against an oracle written from the RFC's table.

#include "engine/relay/demux.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace natfwt::relay {
namespace {

struct ByteCase {
  std::string name;
  uint8_t first_byte;
  PacketClass expected;
  friend void PrintTo(const ByteCase& c, std::ostream* os) { *os << c.name; }
};

class ClassifyFirstByteTest : public ::testing::TestWithParam<ByteCase> {};

TEST_P(ClassifyFirstByteTest, MatchesRfc7983) {
  const ByteCase& c = GetParam();
  EXPECT_EQ(ClassifyFirstByte(c.first_byte), c.expected)
      << PacketClassName(ClassifyFirstByte(c.first_byte));
  const uint8_t datagram[] = {c.first_byte, 0x00, 0x01};
  EXPECT_EQ(Classify(datagram), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, ClassifyFirstByteTest,
    ::testing::Values(
        ByteCase{"StunFirst", 0, PacketClass::kStun},
        ByteCase{"StunLast", 3, PacketClass::kStun},
        ByteCase{"GapAfterStun", 4, PacketClass::kUnknown},
        ByteCase{"GapBeforeZrtp", 15, PacketClass::kUnknown},
        ByteCase{"ZrtpFirst", 16, PacketClass::kZrtp},
        ByteCase{"ZrtpLast", 19, PacketClass::kZrtp},
        ByteCase{"DtlsFirst", 20, PacketClass::kDtls},
        ByteCase{"DtlsHandshake", 22, PacketClass::kDtls},
        ByteCase{"DtlsLast", 63, PacketClass::kDtls},
        ByteCase{"TurnChannelFirst", 64, PacketClass::kTurnChannel},
        ByteCase{"TurnChannelLast", 79, PacketClass::kTurnChannel},
        ByteCase{"GapAfterTurn", 80, PacketClass::kUnknown},
        ByteCase{"GapBeforeRtp", 127, PacketClass::kUnknown},
        ByteCase{"RtpFirst", 128, PacketClass::kRtp},
        ByteCase{"RtpLast", 191, PacketClass::kRtp},
        ByteCase{"GapAfterRtp", 192, PacketClass::kUnknown},
        ByteCase{"GapBeforeData", 0xCF, PacketClass::kUnknown},
        ByteCase{"NatfwtDataFirst", 0xD0, PacketClass::kNatfwtData},
        ByteCase{"NatfwtDataLast", 0xDF, PacketClass::kNatfwtData},
        ByteCase{"GapAfterData", 0xE0, PacketClass::kUnknown},
        ByteCase{"Last", 0xFF, PacketClass::kUnknown}),
    [](const ::testing::TestParamInfo<ByteCase>& test) {
      return test.param.name;
    });

// The RFC 7983 section 7 table as ranges (inclusive), plus natfwt's.
struct Range {
  int low;
  int high;
  PacketClass packet_class;
};
constexpr Range kRfc7983[] = {
    {0, 3, PacketClass::kStun},    {16, 19, PacketClass::kZrtp},
    {20, 63, PacketClass::kDtls},  {64, 79, PacketClass::kTurnChannel},
    {128, 191, PacketClass::kRtp},
};

TEST(Demux, EveryByteAgreesWithTheRangeTable) {
  for (int byte = 0; byte <= 255; ++byte) {
    PacketClass expected = PacketClass::kUnknown;
    for (const Range& range : kRfc7983) {
      if (byte >= range.low && byte <= range.high) {
        expected = range.packet_class;
      }
    }
    if (byte >= kNatfwtDataFirst && byte <= kNatfwtDataLast) {
      ASSERT_EQ(expected, PacketClass::kUnknown)
          << "natfwt range overlaps RFC 7983 at " << byte;
      expected = PacketClass::kNatfwtData;
    }
    EXPECT_EQ(ClassifyFirstByte(static_cast<uint8_t>(byte)), expected)
        << "first byte " << byte;
  }
}

TEST(Demux, EmptyDatagramIsUnknown) {
  EXPECT_EQ(Classify({}), PacketClass::kUnknown);
}

TEST(Demux, ClassNamesAreDistinct) {
  std::set<std::string> names;
  for (int i = 0; i < kPacketClassCount; ++i) {
    names.insert(std::string(PacketClassName(static_cast<PacketClass>(i))));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kPacketClassCount));
  EXPECT_EQ(PacketClassName(PacketClass::kNatfwtData), "natfwt-data");
}

// A Binding request header (RFC 8489 section 5): type 0x0001, length,
// magic cookie 0x2112A442, 96-bit transaction ID; then `attribute_bytes`.
std::vector<uint8_t> StunMessage(size_t attribute_bytes) {
  std::vector<uint8_t> message = {
      0x00, 0x01,                                   // Binding request.
      0x00, static_cast<uint8_t>(attribute_bytes),  // Message length.
      0x21, 0x12,
      0xA4, 0x42,  // Magic cookie.
      1,    2,
      3,    4,
      5,    6,
      7,    8,
      9,    10,
      11,   12};  // Transaction ID.
  message.resize(20 + attribute_bytes, 0);
  return message;
}

struct StunCase {
  std::string name;
  std::vector<uint8_t> datagram;
  bool plausible;
  friend void PrintTo(const StunCase& c, std::ostream* os) { *os << c.name; }
};

class PlausibleStunTest : public ::testing::TestWithParam<StunCase> {};

TEST_P(PlausibleStunTest, ChecksHeader) {
  EXPECT_EQ(IsPlausibleStun(GetParam().datagram), GetParam().plausible);
}

std::vector<uint8_t> With(std::vector<uint8_t> bytes, size_t index,
                          uint8_t value) {
  bytes[index] = value;
  return bytes;
}

std::vector<uint8_t> Resized(std::vector<uint8_t> bytes, size_t size) {
  bytes.resize(size);
  return bytes;
}

INSTANTIATE_TEST_SUITE_P(
    Headers, PlausibleStunTest,
    ::testing::Values(
        StunCase{"HeaderOnly", StunMessage(0), true},
        StunCase{"WithAttribute", StunMessage(8), true},
        StunCase{"SuccessResponse", With(StunMessage(0), 0, 0x01), true},
        StunCase{"Empty", {}, false},
        StunCase{"ShortHeader", Resized(StunMessage(0), 19), false},
        StunCase{"TopBitsSet", With(StunMessage(0), 0, 0x40), false},
        StunCase{"WrongCookie", With(StunMessage(0), 7, 0x43), false},
        StunCase{"LengthNotMultipleOf4", With(StunMessage(8), 3, 6), false},
        StunCase{"LengthBeyondDatagram", With(StunMessage(0), 3, 4), false},
        StunCase{"TrailingBytes", Resized(StunMessage(0), 24), false}),
    [](const ::testing::TestParamInfo<StunCase>& test) {
      return test.param.name;
    });

}  // namespace
}  // namespace natfwt::relay
