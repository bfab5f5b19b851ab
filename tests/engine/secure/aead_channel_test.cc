// Copyright 2026 The natfwt Authors.
//
// AeadChannel: record format (checked against a one-shot EVP computation),
// round trips, tampering, replay, the window, rekeying across epochs, the
// batch API and concurrent sealing/opening.

#include "engine/secure/aead_channel.h"

#include <openssl/evp.h>

#include <algorithm>
#include <deque>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace natfwt::secure {
namespace {

using ::natfwt::testing::StatusIs;
using Bytes = std::vector<uint8_t>;
using Drop = AeadChannel::DropReason;

DirectionKeys PatternKeys(uint8_t seed) {
  DirectionKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) {
    keys.key[i] = static_cast<uint8_t>(seed + 3 * i);
  }
  for (size_t i = 0; i < keys.salt.size(); ++i) {
    keys.salt[i] = static_cast<uint8_t>(seed ^ (0x5a + i));
  }
  return keys;
}

Bytes Payload(size_t size, uint8_t seed = 1) {
  Bytes payload(size);
  for (size_t i = 0; i < size; ++i) {
    payload[i] = static_cast<uint8_t>(seed * 31 + i * 7);
  }
  return payload;
}

// A sender/receiver pair over the same direction keys.
struct Pair {
  std::unique_ptr<AeadChannel> sender;
  std::unique_ptr<AeadChannel> receiver;
};

Pair MakePair(AeadAlgorithm algorithm,
              const AeadChannel::Options& options = {}) {
  Pair pair;
  auto sender =
      AeadChannel::Create(algorithm, PatternKeys(1), PatternKeys(2), options);
  auto receiver =
      AeadChannel::Create(algorithm, PatternKeys(2), PatternKeys(1), options);
  EXPECT_TRUE(sender.ok() && receiver.ok());
  if (sender.ok()) pair.sender = *std::move(sender);
  if (receiver.ok()) pair.receiver = *std::move(receiver);
  return pair;
}

Bytes SealOrDie(AeadChannel& channel, const Bytes& plaintext) {
  Bytes record(plaintext.size() + AeadChannel::kOverhead);
  const size_t size = channel.Seal(plaintext, absl::MakeSpan(record));
  EXPECT_EQ(size, record.size());
  return record;
}

AeadChannel::OpenResult OpenInto(AeadChannel& channel, const Bytes& record,
                                 Bytes* plaintext) {
  plaintext->assign(record.size(), 0xEE);
  AeadChannel::OpenResult result =
      channel.Open(record, absl::MakeSpan(*plaintext));
  if (result.ok()) plaintext->resize(result.size);
  return result;
}

Drop OpenDrop(AeadChannel& channel, const Bytes& record) {
  Bytes plaintext;
  return OpenInto(channel, record, &plaintext).drop;
}

// The record format computed independently: one-shot EVP with the nonce
// and AAD built by hand from the documented layout.
Bytes IndependentRecord(AeadAlgorithm algorithm, const DirectionKeys& keys,
                        uint8_t epoch, uint64_t counter, const Bytes& plain) {
  Bytes record(AeadChannel::kHeaderSize);
  record[0] = static_cast<uint8_t>(0xD0 | epoch);
  for (int i = 0; i < 8; ++i) {
    record[1 + i] = static_cast<uint8_t>(counter >> (56 - 8 * i));
  }
  std::array<uint8_t, 12> nonce = keys.salt;
  for (int i = 0; i < 8; ++i) nonce[4 + i] ^= record[1 + i];
  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  const EVP_CIPHER* cipher = algorithm == AeadAlgorithm::kAes256Gcm
                                 ? EVP_aes_256_gcm()
                                 : EVP_chacha20_poly1305();
  int length = 0;
  Bytes out(plain.size() + 16);
  EXPECT_EQ(EVP_EncryptInit_ex(context, cipher, nullptr, keys.key.data(),
                               nonce.data()),
            1);
  EXPECT_EQ(EVP_EncryptUpdate(context, nullptr, &length, record.data(), 9), 1);
  EXPECT_EQ(EVP_EncryptUpdate(context, out.data(), &length, plain.data(),
                              static_cast<int>(plain.size())),
            1);
  EXPECT_EQ(EVP_EncryptFinal_ex(context, out.data() + length, &length), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16,
                                out.data() + plain.size()),
            1);
  EVP_CIPHER_CTX_free(context);
  record.insert(record.end(), out.begin(), out.end());
  return record;
}

class AeadChannelTest : public ::testing::TestWithParam<AeadAlgorithm> {
 protected:
  AeadAlgorithm algorithm() const { return GetParam(); }
};

TEST_P(AeadChannelTest, RecordMatchesTheDocumentedFormat) {
  Pair pair = MakePair(algorithm());
  for (uint64_t counter = 0; counter < 3; ++counter) {
    const Bytes plain = Payload(100 + counter, static_cast<uint8_t>(counter));
    EXPECT_EQ(SealOrDie(*pair.sender, plain),
              IndependentRecord(algorithm(), PatternKeys(1), 0, counter, plain))
        << counter;
  }
}

TEST_P(AeadChannelTest, RoundTripsEverySize) {
  Pair pair = MakePair(algorithm());
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1200},
        size_t{9000}, AeadChannel::kMaxPlaintextSize}) {
    const Bytes plain = Payload(size);
    const Bytes record = SealOrDie(*pair.sender, plain);
    ASSERT_EQ(record.size(), size + 25);
    if (size >= 16) {
      EXPECT_FALSE(
          std::equal(plain.begin(), plain.begin() + 16, record.begin() + 9));
    }
    Bytes opened;
    ASSERT_TRUE(OpenInto(*pair.receiver, record, &opened).ok()) << size;
    EXPECT_EQ(opened, plain);
  }
  const AeadChannel::Stats stats = pair.receiver->stats();
  EXPECT_EQ(stats.packets_opened, 8u);
  EXPECT_EQ(pair.sender->stats().packets_sealed, 8u);
  EXPECT_EQ(stats.bytes_opened, pair.sender->stats().bytes_sealed);
}

TEST_P(AeadChannelTest, SealsAndOpensInPlace) {
  Pair pair = MakePair(algorithm());
  const Bytes plain = Payload(1200);
  Bytes buffer(AeadChannel::kHeaderSize + plain.size() + AeadChannel::kTagSize);
  std::copy(plain.begin(), plain.end(), buffer.begin() + 9);
  const absl::Span<const uint8_t> in_place(buffer.data() + 9, plain.size());
  ASSERT_EQ(pair.sender->Seal(in_place, absl::MakeSpan(buffer)), buffer.size());
  const AeadChannel::OpenResult result = pair.receiver->Open(
      buffer, absl::MakeSpan(buffer.data() + 9, buffer.size() - 9));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), buffer.begin() + 9));
}

TEST_P(AeadChannelTest, EveryTamperedByteIsDroppedAndCounted) {
  Pair pair = MakePair(algorithm());
  const Bytes record = SealOrDie(*pair.sender, Payload(64));
  size_t attempts = 0;
  for (size_t position = 0; position < record.size(); ++position) {
    for (uint8_t flip : {0x01, 0x04, 0x80, 0xff}) {
      Bytes tampered = record;
      tampered[position] ^= flip;
      const Drop drop = OpenDrop(*pair.receiver, tampered);
      ++attempts;
      if (position == 0) {
        // The type byte: another type, an epoch without keys, or a
        // look-ahead epoch whose key does not authenticate it.
        EXPECT_THAT(drop, ::testing::AnyOf(Drop::kNotData, Drop::kUnknownEpoch,
                                           Drop::kAuthFailed));
      } else {
        EXPECT_EQ(drop, Drop::kAuthFailed) << position << " ^ " << +flip;
      }
    }
  }
  const AeadChannel::Stats stats = pair.receiver->stats();
  uint64_t dropped = 0;
  for (uint64_t count : stats.dropped) dropped += count;
  EXPECT_EQ(dropped, attempts);
  EXPECT_GE(stats.dropped_by(Drop::kAuthFailed), (record.size() - 1) * 4);
  EXPECT_EQ(stats.packets_opened, 0u);
  EXPECT_EQ(stats.receive_epoch, 0u);  // Forgeries never move the epoch.
  // Nothing was recorded in the window: the genuine record still opens.
  EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kNone);
}

TEST_P(AeadChannelTest, FailedOpenLeavesNoPlaintext) {
  Pair pair = MakePair(algorithm());
  Bytes record = SealOrDie(*pair.sender, Bytes(200, 'A'));
  record.back() ^= 1;
  Bytes out(200, 0);
  EXPECT_EQ(pair.receiver->Open(record, absl::MakeSpan(out)).drop,
            Drop::kAuthFailed);
  EXPECT_EQ(std::count(out.begin(), out.end(), 'A'), 0);
}

TEST_P(AeadChannelTest, ReplaysAreDropped) {
  Pair pair = MakePair(algorithm());
  const Bytes record = SealOrDie(*pair.sender, Payload(10));
  EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kNone);
  EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kReplayed);
  EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kReplayed);
  EXPECT_EQ(pair.receiver->stats().dropped_by(Drop::kReplayed), 2u);
}

TEST_P(AeadChannelTest, ReorderedWithinTheWindowIsAcceptedOnce) {
  Pair pair = MakePair(algorithm());
  std::vector<Bytes> records;
  for (int i = 0; i < 500; ++i) {
    records.push_back(SealOrDie(*pair.sender, Payload(20, i)));
  }
  std::vector<size_t> order(records.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  for (size_t index : order) {
    Bytes opened;
    ASSERT_TRUE(OpenInto(*pair.receiver, records[index], &opened).ok());
    EXPECT_EQ(opened, Payload(20, static_cast<uint8_t>(index)));
  }
  for (size_t index : order) {
    EXPECT_EQ(OpenDrop(*pair.receiver, records[index]), Drop::kReplayed);
  }
}

TEST_P(AeadChannelTest, PacketsBehindTheWindowAreTooOld) {
  Pair pair = MakePair(algorithm());
  std::vector<Bytes> records;
  for (uint64_t i = 0; i <= ReplayWindow::kWindowSize; ++i) {
    records.push_back(SealOrDie(*pair.sender, Payload(8)));
  }
  EXPECT_EQ(OpenDrop(*pair.receiver, records.back()), Drop::kNone);
  EXPECT_EQ(OpenDrop(*pair.receiver, records[0]), Drop::kTooOld);
  EXPECT_EQ(OpenDrop(*pair.receiver, records[1]), Drop::kNone);
  EXPECT_EQ(pair.receiver->stats().dropped_by(Drop::kTooOld), 1u);
}

TEST_P(AeadChannelTest, MalformedRecordsAreDroppedByReason) {
  Pair pair = MakePair(algorithm());
  const Bytes record = SealOrDie(*pair.sender, Payload(100));
  EXPECT_EQ(OpenDrop(*pair.receiver, Bytes()), Drop::kTooShort);
  EXPECT_EQ(
      OpenDrop(*pair.receiver, Bytes(record.begin(), record.begin() + 24)),
      Drop::kTooShort);
  Bytes stun = record;
  stun[0] = 0x00;
  EXPECT_EQ(OpenDrop(*pair.receiver, stun), Drop::kNotData);
  Bytes far_epoch = record;
  far_epoch[0] = 0xD5;  // Epoch 5: neither previous, current nor look-ahead.
  EXPECT_EQ(OpenDrop(*pair.receiver, far_epoch), Drop::kUnknownEpoch);
  Bytes small(50);
  EXPECT_EQ(pair.receiver->Open(record, absl::MakeSpan(small)).drop,
            Drop::kOutputTooSmall);
  EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kNone);
  const AeadChannel::Stats stats = pair.receiver->stats();
  EXPECT_EQ(stats.dropped_by(Drop::kTooShort), 2u);
  EXPECT_EQ(stats.dropped_by(Drop::kNotData), 1u);
  EXPECT_EQ(stats.dropped_by(Drop::kUnknownEpoch), 1u);
  EXPECT_EQ(stats.dropped_by(Drop::kOutputTooSmall), 1u);
}

TEST_P(AeadChannelTest, SealRefusesWhatItCannotSeal) {
  Pair pair = MakePair(algorithm());
  Bytes out(10);
  EXPECT_EQ(pair.sender->Seal(Payload(1), absl::MakeSpan(out)), 0u);
  Bytes huge(AeadChannel::kMaxPlaintextSize + 1);
  Bytes big_out(huge.size() + AeadChannel::kOverhead);
  EXPECT_EQ(pair.sender->Seal(huge, absl::MakeSpan(big_out)), 0u);
  EXPECT_EQ(pair.sender->stats().seal_errors, 2u);
  EXPECT_EQ(pair.sender->stats().packets_sealed, 0u);
  // No counter was consumed by the refusals.
  const Bytes record = SealOrDie(*pair.sender, Payload(5));
  EXPECT_EQ(record,
            IndependentRecord(algorithm(), PatternKeys(1), 0, 0, Payload(5)));
}

TEST_P(AeadChannelTest, OtherAlgorithmOrKeysDoNotOpen) {
  Pair pair = MakePair(algorithm());
  const AeadAlgorithm other = algorithm() == AeadAlgorithm::kAes256Gcm
                                  ? AeadAlgorithm::kChaCha20Poly1305
                                  : AeadAlgorithm::kAes256Gcm;
  Pair mismatched = MakePair(other);
  const Bytes record = SealOrDie(*pair.sender, Payload(30));
  EXPECT_EQ(OpenDrop(*mismatched.receiver, record), Drop::kAuthFailed);
  // The sender's own receive keys are the other direction's.
  EXPECT_EQ(OpenDrop(*pair.sender, record), Drop::kAuthFailed);
}

TEST_P(AeadChannelTest, RekeysAcrossManyEpochsInOrder) {
  AeadChannel::Options options;
  options.rekey_after_packets = 4;
  Pair pair = MakePair(algorithm(), options);
  for (int i = 0; i < 80; ++i) {
    const Bytes record = SealOrDie(*pair.sender, Payload(16, i));
    EXPECT_EQ(record[0], 0xD0 | ((i / 4) % 8)) << i;  // Epoch mod 8.
    Bytes opened;
    ASSERT_TRUE(OpenInto(*pair.receiver, record, &opened).ok()) << i;
    EXPECT_EQ(opened, Payload(16, i));
  }
  EXPECT_EQ(pair.sender->stats().send_epoch, 19u);
  EXPECT_EQ(pair.receiver->stats().receive_epoch, 19u);
  EXPECT_EQ(pair.receiver->stats().rekey_failures, 0u);
}

TEST_P(AeadChannelTest, RecordsInFlightAcrossARekeyStillOpen) {
  AeadChannel::Options options;
  options.rekey_after_packets = 8;
  Pair pair = MakePair(algorithm(), options);
  std::vector<Bytes> records;
  for (int i = 0; i < 48; ++i) {
    records.push_back(SealOrDie(*pair.sender, Payload(16, i)));
  }
  // Epoch e's second half arrives after epoch e + 1's first half.
  std::vector<size_t> order;
  for (size_t epoch = 0; epoch < 6; ++epoch) {
    for (size_t i = 0; i < 4; ++i) order.push_back(epoch * 8 + i);
    if (epoch > 0) {
      for (size_t i = 4; i < 8; ++i) order.push_back((epoch - 1) * 8 + i);
    }
  }
  for (size_t i = 4; i < 8; ++i) order.push_back(5 * 8 + i);
  ASSERT_EQ(order.size(), records.size());
  for (size_t index : order) {
    Bytes opened;
    ASSERT_TRUE(OpenInto(*pair.receiver, records[index], &opened).ok())
        << index;
    EXPECT_EQ(opened, Payload(16, static_cast<uint8_t>(index)));
  }
  for (const Bytes& record : records) {
    EXPECT_NE(OpenDrop(*pair.receiver, record), Drop::kNone);
  }
  // Two epochs late is past the grace period.
  Pair late = MakePair(algorithm(), options);
  ASSERT_EQ(OpenDrop(*late.receiver, records[16]), Drop::kNone);  // Epoch 2.
  EXPECT_EQ(OpenDrop(*late.receiver, records[0]), Drop::kUnknownEpoch);
}

TEST_P(AeadChannelTest, ReceiverFollowsASenderAcrossLostEpochs) {
  AeadChannel::Options options;
  options.rekey_after_packets = 2;
  Pair pair = MakePair(algorithm(), options);
  std::vector<Bytes> records;
  for (int i = 0; i < 40; ++i) {
    records.push_back(SealOrDie(*pair.sender, Payload(8, i)));
  }
  EXPECT_EQ(OpenDrop(*pair.receiver, records[0]), Drop::kNone);   // Epoch 0.
  EXPECT_EQ(OpenDrop(*pair.receiver, records[6]), Drop::kNone);   // Epoch 3.
  EXPECT_EQ(OpenDrop(*pair.receiver, records[12]), Drop::kNone);  // Epoch 6.
  EXPECT_EQ(pair.receiver->stats().receive_epoch, 6u);
  // Epoch 10 is four ahead: beyond the look-ahead.
  EXPECT_EQ(OpenDrop(*pair.receiver, records[20]), Drop::kUnknownEpoch);
  EXPECT_EQ(OpenDrop(*pair.receiver, records[18]), Drop::kNone);  // Epoch 9.
}

TEST_P(AeadChannelTest, RekeysOnTheByteLimit) {
  AeadChannel::Options options;
  options.rekey_after_bytes = 1000;
  Pair pair = MakePair(algorithm(), options);
  for (int i = 0; i < 10; ++i) {
    const Bytes record = SealOrDie(*pair.sender, Payload(600));
    EXPECT_EQ(record[0] & 7, (i / 2) % 8) << i;
    EXPECT_EQ(OpenDrop(*pair.receiver, record), Drop::kNone);
  }
  EXPECT_EQ(pair.sender->stats().send_epoch, 4u);
}

TEST_P(AeadChannelTest, BatchesSealAndOpenManyPackets) {
  Pair pair = MakePair(algorithm());
  constexpr size_t kCount = 64;
  std::vector<Bytes> plains, records(kCount), opened(kCount);
  std::vector<absl::Span<const uint8_t>> plain_spans;
  std::vector<absl::Span<uint8_t>> record_spans, opened_spans;
  for (size_t i = 0; i < kCount; ++i) {
    plains.push_back(Payload(100 + i, static_cast<uint8_t>(i)));
    records[i].resize(plains[i].size() + AeadChannel::kOverhead);
    opened[i].resize(plains[i].size());
  }
  for (size_t i = 0; i < kCount; ++i) {
    plain_spans.push_back(plains[i]);
    record_spans.push_back(absl::MakeSpan(records[i]));
    opened_spans.push_back(absl::MakeSpan(opened[i]));
  }
  std::vector<size_t> sizes(kCount);
  ASSERT_EQ(
      pair.sender->SealBatch(plain_spans, record_spans, absl::MakeSpan(sizes)),
      kCount);
  records[7][20] ^= 1;  // One tampered record.
  std::vector<absl::Span<const uint8_t>> record_views(records.begin(),
                                                      records.end());
  std::vector<AeadChannel::OpenResult> results(kCount);
  EXPECT_EQ(pair.receiver->OpenBatch(record_views, opened_spans,
                                     absl::MakeSpan(results)),
            kCount - 1);
  for (size_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(sizes[i], records[i].size());
    if (i == 7) {
      EXPECT_EQ(results[i].drop, Drop::kAuthFailed);
      continue;
    }
    ASSERT_TRUE(results[i].ok()) << i;
    EXPECT_EQ(opened[i], plains[i]);
  }
}

// One thread seals while another opens on the same channel, both ways,
// with frequent rekeying.
TEST_P(AeadChannelTest, SealAndOpenRunOnDifferentThreads) {
  AeadChannel::Options options;
  options.rekey_after_packets = 64;
  auto a =
      AeadChannel::Create(algorithm(), PatternKeys(1), PatternKeys(2), options);
  auto b =
      AeadChannel::Create(algorithm(), PatternKeys(2), PatternKeys(1), options);
  ASSERT_TRUE(a.ok() && b.ok());
  struct Queue {
    absl::Mutex mutex;
    std::deque<Bytes> records;
    bool closed = false;
  };
  Queue a_to_b, b_to_a;
  constexpr int kPackets = 3000;
  auto sealer = [](AeadChannel& channel, Queue& queue) {
    for (int i = 0; i < kPackets; ++i) {
      Bytes record = SealOrDie(channel, Payload(64, i));
      absl::MutexLock lock(&queue.mutex);
      queue.records.push_back(std::move(record));
    }
    absl::MutexLock lock(&queue.mutex);
    queue.closed = true;
  };
  auto opener = [](AeadChannel& channel, Queue& queue, int* opened) {
    while (true) {
      Bytes record;
      {
        absl::MutexLock lock(&queue.mutex);
        queue.mutex.Await(absl::Condition(
            +[](Queue* q) { return q->closed || !q->records.empty(); },
            &queue));
        if (queue.records.empty()) return;
        record = std::move(queue.records.front());
        queue.records.pop_front();
      }
      if (OpenDrop(channel, record) == Drop::kNone) ++*opened;
    }
  };
  int a_opened = 0, b_opened = 0;
  std::thread t1(sealer, std::ref(**a), std::ref(a_to_b));
  std::thread t2(opener, std::ref(**a), std::ref(b_to_a), &a_opened);
  std::thread t3(sealer, std::ref(**b), std::ref(b_to_a));
  std::thread t4(opener, std::ref(**b), std::ref(a_to_b), &b_opened);
  for (std::thread* t : {&t1, &t2, &t3, &t4}) t->join();
  EXPECT_EQ(a_opened, kPackets);
  EXPECT_EQ(b_opened, kPackets);
  EXPECT_EQ((*a)->stats().send_epoch, (kPackets - 1) / 64);
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, AeadChannelTest,
    ::testing::Values(AeadAlgorithm::kAes256Gcm,
                      AeadAlgorithm::kChaCha20Poly1305),
    [](const ::testing::TestParamInfo<AeadAlgorithm>& test_info) {
      return test_info.param == AeadAlgorithm::kAes256Gcm ? "Aes256Gcm"
                                                          : "ChaCha20Poly1305";
    });

TEST(AeadChannel, RejectsOptionsOutOfRange) {
  AeadChannel::Options zero_packets;
  zero_packets.rekey_after_packets = 0;
  EXPECT_THAT(AeadChannel::Create(AeadAlgorithm::kAes256Gcm, PatternKeys(1),
                                  PatternKeys(2), zero_packets),
              StatusIs(absl::StatusCode::kInvalidArgument));
  AeadChannel::Options zero_bytes;
  zero_bytes.rekey_after_bytes = 0;
  EXPECT_THAT(AeadChannel::Create(AeadAlgorithm::kAes256Gcm, PatternKeys(1),
                                  PatternKeys(2), zero_bytes),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AeadChannel, DropReasonsHaveNames) {
  for (size_t i = 0; i < AeadChannel::kDropReasonCount; ++i) {
    EXPECT_NE(AeadChannel::DropReasonName(static_cast<Drop>(i)), "unknown");
  }
}

}  // namespace
}  // namespace natfwt::secure
