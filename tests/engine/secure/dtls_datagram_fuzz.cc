// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for DtlsHandshake::OnDatagram. The input is a sequence
// of datagrams, each prefixed by its 16-bit big-endian length; they are fed
// to a fresh server, and to a fresh client that has sent its ClientHello.
// Fixed identities (made once per process) are pinned on both ends.
//
// Invariants (abort on violation): nothing crashes or leaks; no datagram
// can complete a handshake without the peer's private key, so neither end
// ever reaches kEstablished or exposes keys; every rejected datagram is
// kInvalidArgument or comes with a failure status; each end sends only
// DTLS-range datagrams no larger than its MTU.
//
// Seed corpus: corpus/dtls_datagram/ holds datagrams captured with
// handshake_harness.h from a clean in-memory handshake (the ClientHello,
// the server's first flight, the client's second flight, the whole
// exchange), the server's first flight fragmented at a 300-byte MTU, and
// truncated, bit-flipped, non-DTLS and empty inputs.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "engine/secure/dtls_handshake.h"
#include "engine/secure/identity.h"
#include "platform/base/logging.h"
#include "tests/support/fake_clock.h"

namespace {

using natfwt::secure::DtlsHandshake;
using natfwt::secure::DtlsRole;
using natfwt::secure::Identity;

void Check(bool condition) {
  if (!condition) std::abort();
}

const Identity& LocalIdentity() {
  static const Identity* const identity = new Identity(*Identity::Generate());
  return *identity;
}

const Identity& PeerIdentity() {
  static const Identity* const identity = new Identity(*Identity::Generate());
  return *identity;
}

void CheckOutgoing(absl::Span<const uint8_t> datagram) {
  Check(datagram.size() >= 13 && datagram.size() <= 1200);
  Check(datagram[0] >= 20 && datagram[0] <= 63);
}

std::vector<std::vector<uint8_t>> SplitDatagrams(const uint8_t* data,
                                                 size_t size) {
  std::vector<std::vector<uint8_t>> datagrams;
  size_t position = 0;
  while (size - position >= 2) {
    const size_t length = size_t{data[position]} << 8 | data[position + 1];
    position += 2;
    const size_t take = std::min(length, size - position);
    datagrams.emplace_back(data + position, data + position + take);
    position += take;
  }
  return datagrams;
}

void Feed(DtlsHandshake& handshake,
          const std::vector<std::vector<uint8_t>>& datagrams) {
  for (const std::vector<uint8_t>& datagram : datagrams) {
    const absl::Status status = handshake.OnDatagram(datagram);
    Check(status.ok() || !status.message().empty());
    Check(handshake.state() != DtlsHandshake::State::kEstablished);
    Check(!handshake.keys().ok());
  }
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Failed handshakes are the normal outcome here; keep their log lines out.
  static const bool quiet = [] {
    natfwt::SetLogLevel(natfwt::LogLevel::kError);
    return true;
  }();
  (void)quiet;
  const std::vector<std::vector<uint8_t>> datagrams =
      SplitDatagrams(data, size);
  natfwt::testing::FakeClock clock;
  for (DtlsRole role : {DtlsRole::kServer, DtlsRole::kClient}) {
    auto handshake = DtlsHandshake::Create(LocalIdentity(), role,
                                           PeerIdentity().fingerprint(), clock,
                                           CheckOutgoing);
    Check(handshake.ok());
    Check((*handshake)->Start().ok());
    Feed(**handshake, datagrams);
    clock.Advance(absl::Seconds(31));  // Retransmissions, then the deadline.
    Check((*handshake)->state() == DtlsHandshake::State::kFailed);
  }
  return 0;
}
