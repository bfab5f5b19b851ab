// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for AeadChannel::Open. The input is a small script run
// against a fresh sender/receiver pair with fixed keys, so the fuzzer
// reaches genuine records (and their mutations) without forging tags:
//
//   byte 0       configuration: bit 0 = ChaCha20-Poly1305 (else AES-256-GCM),
//                bits 1-3 = rekey_after_packets - 1 (1..8: many epochs)
//   then commands, each one letter:
//   'R' n1 n0 <n bytes>  Open() the raw bytes (n = 16-bit big-endian)
//   'S' len pos mask     Seal `len` bytes, XOR byte `pos % size` of the
//                        record with `mask`, Open() it
//   'H' len              Seal `len` bytes and hold the record back
//   'L'                  Open() the oldest held record (late delivery)
//   'D'                  Open() the previous record again (replay)
//
// Invariants (abort on violation): an untouched fresh record opens (or is
// kUnknownEpoch when held records took the sender more epochs ahead than
// the receiver looks); a record with any byte changed never opens; a replay
// never opens; a success writes exactly record size - 25 bytes; every Open() is
// counted exactly once. Seed corpus: corpus/aead_open/ (hand-written
// scripts: in-order traffic, tampering, replays, reordering across
// rekeys, raw garbage).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <vector>

#include "engine/secure/aead_channel.h"

namespace {

using natfwt::secure::AeadAlgorithm;
using natfwt::secure::AeadChannel;
using natfwt::secure::DirectionKeys;
using Bytes = std::vector<uint8_t>;

void Check(bool condition) {
  if (!condition) std::abort();
}

DirectionKeys FixedKeys() {
  DirectionKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = 0x11 + i;
  for (size_t i = 0; i < keys.salt.size(); ++i) keys.salt[i] = 0xA0 + i;
  return keys;
}

class Script {
 public:
  Script(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool Done() const { return position_ >= size_; }
  bool Take(size_t count, const uint8_t** out) {
    if (size_ - position_ < count) return false;
    *out = data_ + position_;
    position_ += count;
    return true;
  }
  bool Byte(uint8_t* out) {
    const uint8_t* p;
    if (!Take(1, &p)) return false;
    *out = *p;
    return true;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
};

struct Run {
  std::unique_ptr<AeadChannel> sender;
  std::unique_ptr<AeadChannel> receiver;
  std::deque<Bytes> held;
  Bytes last;
  uint64_t opens = 0;

  // Opens `record`. Checks the size contract.
  AeadChannel::OpenResult Open(const Bytes& record) {
    Bytes out(record.size() + 1, 0xEE);
    ++opens;
    const AeadChannel::OpenResult result =
        receiver->Open(record, absl::MakeSpan(out));
    if (result.ok())
      Check(result.size + AeadChannel::kOverhead == record.size());
    Check(result.ok() == (result.drop == AeadChannel::DropReason::kNone));
    last = record;
    return result;
  }

  Bytes Seal(uint8_t length) {
    Bytes plain(length, static_cast<uint8_t>(length * 7));
    Bytes record(plain.size() + AeadChannel::kOverhead);
    Check(sender->Seal(plain, absl::MakeSpan(record)) == record.size());
    return record;
  }
};

void Step(char command, Script& script, Run& run) {
  uint8_t a = 0, b = 0, c = 0;
  const uint8_t* bytes = nullptr;
  switch (command) {
    case 'R':
      if (!script.Byte(&a) || !script.Byte(&b)) return;
      if (script.Take(size_t{a} << 8 | b, &bytes)) {
        run.Open(Bytes(bytes, bytes + (size_t{a} << 8 | b)));
      }
      return;
    case 'S': {
      if (!script.Byte(&a) || !script.Byte(&b) || !script.Byte(&c)) return;
      Bytes record = run.Seal(a);
      record[b % record.size()] ^= c;
      const AeadChannel::OpenResult result = run.Open(record);
      if (c != 0) Check(!result.ok());  // Tampering never opens.
      // Fresh and untouched: opens unless held records moved the sender
      // more epochs ahead than the receiver looks.
      if (c == 0) {
        Check(result.ok() ||
              result.drop == AeadChannel::DropReason::kUnknownEpoch);
      }
      return;
    }
    case 'H':
      if (script.Byte(&a)) run.held.push_back(run.Seal(a));
      return;
    case 'L':
      if (!run.held.empty()) {
        run.Open(run.held.front());
        run.held.pop_front();
      }
      return;
    case 'D':
      if (!run.last.empty()) Check(!run.Open(run.last).ok());
      return;
    default:
      return;
  }
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const AeadAlgorithm algorithm = (data[0] & 1) != 0
                                      ? AeadAlgorithm::kChaCha20Poly1305
                                      : AeadAlgorithm::kAes256Gcm;
  AeadChannel::Options options;
  options.rekey_after_packets = 1 + ((data[0] >> 1) & 7);
  DirectionKeys keys = FixedKeys();
  DirectionKeys other = FixedKeys();
  other.key[0] ^= 0xFF;
  Run run;
  auto sender = AeadChannel::Create(algorithm, keys, other, options);
  auto receiver = AeadChannel::Create(algorithm, other, keys, options);
  Check(sender.ok() && receiver.ok());
  run.sender = *std::move(sender);
  run.receiver = *std::move(receiver);
  Script script(data + 1, size - 1);
  uint8_t command = 0;
  while (script.Byte(&command)) Step(static_cast<char>(command), script, run);
  const AeadChannel::Stats stats = run.receiver->stats();
  uint64_t dropped = 0;
  for (uint64_t count : stats.dropped) dropped += count;
  Check(stats.packets_opened + dropped == run.opens);
  return 0;
}
