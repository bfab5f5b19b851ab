// Copyright 2026 The natfwt Authors.
//
// AeadTransform: AeadChannel behind relay::PacketTransform. Batches seal in
// place and open back to the same bytes; every AeadChannel drop reason maps
// to its relay verdict, on real records as well as in the table.

#include "engine/session/aead_transform.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::engine {
namespace {

using relay::PacketSpan;
using relay::Verdict;
using secure::AeadAlgorithm;
using secure::AeadChannel;
using secure::DirectionKeys;
using Drop = AeadChannel::DropReason;
using Bytes = std::vector<uint8_t>;

constexpr size_t kHeadroom = AeadChannel::kHeaderSize;
constexpr size_t kTailroom = AeadChannel::kTagSize;

DirectionKeys PatternKeys(uint8_t seed) {
  DirectionKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) {
    keys.key[i] = static_cast<uint8_t>(seed + 5 * i);
  }
  for (size_t i = 0; i < keys.salt.size(); ++i) {
    keys.salt[i] = static_cast<uint8_t>(seed ^ (0x33 + i));
  }
  return keys;
}

// Two ends of one channel: `a` seals what `b` opens and the reverse.
struct Ends {
  std::unique_ptr<AeadTransform> a;
  std::unique_ptr<AeadTransform> b;
};

Ends MakeEnds(AeadAlgorithm algorithm = AeadAlgorithm::kAes256Gcm) {
  auto a = AeadChannel::Create(algorithm, PatternKeys(1), PatternKeys(2));
  auto b = AeadChannel::Create(algorithm, PatternKeys(2), PatternKeys(1));
  EXPECT_TRUE(a.ok() && b.ok());
  return {std::make_unique<AeadTransform>(*std::move(a)),
          std::make_unique<AeadTransform>(*std::move(b))};
}

// A packet buffer with the transform's room around `payload`.
struct Buffer {
  Bytes storage;
  PacketSpan span;
  explicit Buffer(const Bytes& payload, size_t headroom = kHeadroom,
                  size_t tailroom = kTailroom)
      : storage(headroom + payload.size() + tailroom, 0xEE) {
    std::copy(payload.begin(), payload.end(), storage.begin() + headroom);
    span = PacketSpan{storage.data() + headroom, payload.size(), headroom,
                      tailroom};
  }
  Bytes bytes() const { return Bytes(span.data, span.data + span.size); }
};

Bytes Payload(size_t size, uint8_t seed) {
  Bytes payload(size);
  for (size_t i = 0; i < size; ++i) {
    payload[i] = static_cast<uint8_t>(seed + 13 * i);
  }
  return payload;
}

// Seals `payload` with `from` and returns the record's bytes.
Bytes SealOne(AeadTransform& from, const Bytes& payload) {
  Buffer buffer(payload);
  Verdict verdict = Verdict::kOther;
  from.SealBatch(absl::MakeSpan(&buffer.span, 1), absl::MakeSpan(&verdict, 1));
  EXPECT_EQ(verdict, Verdict::kPass);
  return buffer.bytes();
}

// Opens `record` with `to`; returns the verdict and the plaintext.
std::pair<Verdict, Bytes> OpenOne(AeadTransform& to, Bytes record) {
  PacketSpan span{record.data(), record.size(), 0, 0};
  Verdict verdict = Verdict::kOther;
  to.OpenBatch(absl::MakeSpan(&span, 1), absl::MakeSpan(&verdict, 1));
  return {verdict, verdict == Verdict::kPass
                       ? Bytes(span.data, span.data + span.size)
                       : Bytes()};
}

class AeadTransformAlgorithmTest
    : public ::testing::TestWithParam<AeadAlgorithm> {};

TEST_P(AeadTransformAlgorithmTest, BatchSealsInPlaceAndOpensBack) {
  Ends ends = MakeEnds(GetParam());
  std::vector<Buffer> buffers;
  std::vector<Bytes> payloads;
  for (size_t i = 0; i < 40; ++i) {
    payloads.push_back(Payload(i * 37 % 1300, static_cast<uint8_t>(i)));
    buffers.emplace_back(payloads.back());
  }
  std::vector<PacketSpan> spans;
  for (Buffer& buffer : buffers) spans.push_back(buffer.span);
  std::vector<Verdict> verdicts(spans.size(), Verdict::kOther);
  ends.a->SealBatch(absl::MakeSpan(spans), absl::MakeSpan(verdicts));
  for (size_t i = 0; i < spans.size(); ++i) {
    ASSERT_EQ(verdicts[i], Verdict::kPass) << i;
    // The record starts in the headroom and ends in the tailroom.
    EXPECT_EQ(spans[i].data, buffers[i].storage.data());
    EXPECT_EQ(spans[i].size, payloads[i].size() + AeadChannel::kOverhead);
    EXPECT_EQ(spans[i].headroom, 0u);
    EXPECT_EQ(spans[i].tailroom, 0u);
    EXPECT_EQ(spans[i].data[0] & 0xF8, 0xD0);
  }
  std::fill(verdicts.begin(), verdicts.end(), Verdict::kOther);
  ends.b->OpenBatch(absl::MakeSpan(spans), absl::MakeSpan(verdicts));
  for (size_t i = 0; i < spans.size(); ++i) {
    ASSERT_EQ(verdicts[i], Verdict::kPass) << i;
    EXPECT_EQ(Bytes(spans[i].data, spans[i].data + spans[i].size), payloads[i]);
  }
  EXPECT_EQ(ends.a->stats().packets_sealed, 40u);
  EXPECT_EQ(ends.b->stats().packets_opened, 40u);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AeadTransformAlgorithmTest,
                         ::testing::Values(AeadAlgorithm::kAes256Gcm,
                                           AeadAlgorithm::kChaCha20Poly1305),
                         [](const auto& test_info) {
                           return test_info.param == AeadAlgorithm::kAes256Gcm
                                      ? std::string("Aes256Gcm")
                                      : std::string("ChaCha20Poly1305");
                         });

struct MappingCase {
  const char* name;
  Drop drop;
  Verdict verdict;
  // gtest would print the padding bytes otherwise (valgrind flags them).
  friend void PrintTo(const MappingCase& c, std::ostream* out) {
    *out << c.name;
  }
};

class VerdictMappingTest : public ::testing::TestWithParam<MappingCase> {};

TEST_P(VerdictMappingTest, MapsDropReason) {
  EXPECT_EQ(AeadTransform::VerdictFor(GetParam().drop), GetParam().verdict);
}

INSTANTIATE_TEST_SUITE_P(
    Table, VerdictMappingTest,
    ::testing::Values(
        MappingCase{"None", Drop::kNone, Verdict::kPass},
        MappingCase{"TooShort", Drop::kTooShort, Verdict::kMalformed},
        MappingCase{"NotData", Drop::kNotData, Verdict::kMalformed},
        MappingCase{"UnknownEpoch", Drop::kUnknownEpoch, Verdict::kNoKey},
        MappingCase{"TooOld", Drop::kTooOld, Verdict::kReplay},
        MappingCase{"Replayed", Drop::kReplayed, Verdict::kReplay},
        MappingCase{"AuthFailed", Drop::kAuthFailed, Verdict::kAuthentication},
        MappingCase{"OutputTooSmall", Drop::kOutputTooSmall, Verdict::kNoRoom}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

// Real records, spoiled one way each, give the mapped verdict.
struct SpoilCase {
  const char* name;
  Verdict expected;
  Drop counted;
  // Turns a good record (the second one sealed) into the input.
  Bytes (*spoil)(const Bytes& first, const Bytes& second);
  friend void PrintTo(const SpoilCase& c, std::ostream* out) { *out << c.name; }
};

class SpoiledRecordTest : public ::testing::TestWithParam<SpoilCase> {};

TEST_P(SpoiledRecordTest, GetsVerdictAndIsCounted) {
  Ends ends = MakeEnds();
  const Bytes first = SealOne(*ends.a, Payload(100, 1));
  const Bytes second = SealOne(*ends.a, Payload(100, 2));
  ASSERT_EQ(OpenOne(*ends.b, first).first, Verdict::kPass);
  auto [verdict, plaintext] = OpenOne(*ends.b, GetParam().spoil(first, second));
  EXPECT_EQ(verdict, GetParam().expected);
  EXPECT_TRUE(plaintext.empty());
  EXPECT_EQ(ends.b->stats().dropped_by(GetParam().counted), 1u);
  // The good record still opens afterwards (nothing was consumed).
  EXPECT_EQ(OpenOne(*ends.b, second).first, Verdict::kPass);
}

INSTANTIATE_TEST_SUITE_P(
    Spoils, SpoiledRecordTest,
    ::testing::Values(
        SpoilCase{"Tampered", Verdict::kAuthentication, Drop::kAuthFailed,
                  [](const Bytes&, const Bytes& r) {
                    Bytes b = r;
                    b[20] ^= 0x01;
                    return b;
                  }},
        SpoilCase{"Replayed", Verdict::kReplay, Drop::kReplayed,
                  [](const Bytes& first, const Bytes&) { return first; }},
        SpoilCase{"TooShort", Verdict::kMalformed, Drop::kTooShort,
                  [](const Bytes&, const Bytes& r) {
                    return Bytes(r.begin(), r.begin() + 24);
                  }},
        SpoilCase{"NotData", Verdict::kMalformed, Drop::kNotData,
                  [](const Bytes&, const Bytes& r) {
                    Bytes b = r;
                    b[0] = 0x17;  // A DTLS first byte.
                    return b;
                  }},
        SpoilCase{"UnknownEpoch", Verdict::kNoKey, Drop::kUnknownEpoch,
                  [](const Bytes&, const Bytes& r) {
                    Bytes b = r;
                    b[0] = 0xD6;  // Epoch 6: beyond the lookahead.
                    return b;
                  }}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(AeadTransformTest, TooLittleRoomIsNoRoomAndUntouched) {
  Ends ends = MakeEnds();
  const Bytes payload = Payload(50, 9);
  Buffer no_head(payload, kHeadroom - 1, kTailroom);
  Buffer no_tail(payload, kHeadroom, kTailroom - 1);
  Buffer fine(payload);
  PacketSpan spans[] = {no_head.span, no_tail.span, fine.span};
  Verdict verdicts[3];
  ends.a->SealBatch(absl::MakeSpan(spans), absl::MakeSpan(verdicts));
  EXPECT_EQ(verdicts[0], Verdict::kNoRoom);
  EXPECT_EQ(verdicts[1], Verdict::kNoRoom);
  EXPECT_EQ(verdicts[2], Verdict::kPass);
  EXPECT_EQ(Bytes(spans[0].data, spans[0].data + spans[0].size), payload);
  EXPECT_EQ(Bytes(spans[1].data, spans[1].data + spans[1].size), payload);
  // The records sealed around the refused ones still open.
  EXPECT_EQ(
      OpenOne(*ends.b, Bytes(spans[2].data, spans[2].data + spans[2].size))
          .second,
      payload);
}

TEST(AeadTransformTest, SingleSealAndOpenShareTheCounters) {
  Ends ends = MakeEnds();
  const Bytes payload = Payload(64, 4);
  Bytes record(payload.size() + AeadChannel::kOverhead);
  ASSERT_EQ(ends.a->Seal(payload, absl::MakeSpan(record)), record.size());
  // A batch record sealed after it uses the next counter: both open.
  const Bytes batch_record = SealOne(*ends.a, payload);
  Bytes plaintext(payload.size());
  AeadChannel::OpenResult opened =
      ends.b->Open(batch_record, absl::MakeSpan(plaintext));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(plaintext, payload);
  EXPECT_EQ(OpenOne(*ends.b, record).second, payload);
  EXPECT_EQ(OpenOne(*ends.b, record).first, Verdict::kReplay);
}

}  // namespace
}  // namespace natfwt::engine
