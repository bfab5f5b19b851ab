// Copyright 2026 The natfwt Authors.
//
// Two DtlsHandshake objects wired back to back through an in-memory link
// whose behaviour a test chooses (loss, duplication, reordering), driven
// by a FakeClock. Used by dtls_handshake_test.cc; the dtls_datagram fuzz
// corpus was captured with it.

#ifndef NATFWT_TESTS_ENGINE_SECURE_HANDSHAKE_HARNESS_H_
#define NATFWT_TESTS_ENGINE_SECURE_HANDSHAKE_HARNESS_H_

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/secure/dtls_handshake.h"
#include "engine/secure/identity.h"
#include "platform/base/status_macros.h"
#include "tests/support/fake_clock.h"

namespace natfwt::secure::testing {

using Bytes = std::vector<uint8_t>;

// What the link does to the n-th datagram it delivers (n counts both
// directions, in delivery order).
struct LinkPolicy {
  // Copies delivered: 0 loses it, 2 duplicates it.
  std::function<int(size_t n)> copies = [](size_t) { return 1; };
  // Deliver each batch of queued datagrams in reverse order.
  bool reverse_batches = false;
};

class HandshakePair {
 public:
  struct Side {
    std::unique_ptr<DtlsHandshake> handshake;
    std::deque<Bytes> inbox;  // Sent to this side, not yet delivered.
    std::vector<Bytes> sent;  // Everything this side sent, in order.
    std::vector<DtlsHandshake::State> states;    // From the callback.
    std::vector<absl::Status> datagram_results;  // OnDatagram() returns.
  };

  explicit HandshakePair(natfwt::testing::FakeClock& clock) : clock_(clock) {}
  HandshakePair(const HandshakePair&) = delete;
  HandshakePair& operator=(const HandshakePair&) = delete;

  // Creates both ends. Each expects the fingerprint given for it.
  absl::Status Init(const Identity& client_identity,
                    const Identity& server_identity,
                    const Fingerprint& client_expects,
                    const Fingerprint& server_expects,
                    const DtlsHandshake::Options& client_options = {},
                    const DtlsHandshake::Options& server_options = {}) {
    NATFWT_ASSIGN_OR_RETURN(
        client_.handshake,
        Make(client_identity, DtlsRole::kClient, client_expects, client_,
             server_, client_options));
    NATFWT_ASSIGN_OR_RETURN(
        server_.handshake,
        Make(server_identity, DtlsRole::kServer, server_expects, server_,
             client_, server_options));
    return absl::OkStatus();
  }

  // Starts both ends and moves datagrams (advancing the clock in 250 ms
  // steps whenever the link is idle) until both ends are terminal and the
  // link is empty, or `limit` of fake time passed.
  void Run(const LinkPolicy& policy = {},
           absl::Duration limit = absl::Minutes(5)) {
    client_.handshake->Start().IgnoreError();
    server_.handshake->Start().IgnoreError();
    const absl::Time end = clock_.Now() + limit;
    while (clock_.Now() < end) {
      if (client_.inbox.empty() && server_.inbox.empty()) {
        if (Terminal(client_) && Terminal(server_)) return;
        clock_.Advance(absl::Milliseconds(250));
        continue;
      }
      DeliverBatch(server_, policy);
      DeliverBatch(client_, policy);
    }
  }

  Side& client() { return client_; }
  Side& server() { return server_; }
  size_t delivered() const { return delivered_; }

 private:
  absl::StatusOr<std::unique_ptr<DtlsHandshake>> Make(
      const Identity& identity, DtlsRole role, const Fingerprint& expects,
      Side& self, Side& peer, const DtlsHandshake::Options& options) {
    return DtlsHandshake::Create(
        identity, role, expects, clock_,
        [&self, &peer](absl::Span<const uint8_t> datagram) {
          self.sent.emplace_back(datagram.begin(), datagram.end());
          peer.inbox.emplace_back(datagram.begin(), datagram.end());
        },
        [&self](DtlsHandshake::State state, const absl::Status&) {
          self.states.push_back(state);
        },
        options);
  }

  static bool Terminal(const Side& side) {
    return side.handshake->state() != DtlsHandshake::State::kHandshaking;
  }

  void DeliverBatch(Side& to, const LinkPolicy& policy) {
    std::vector<Bytes> batch(to.inbox.begin(), to.inbox.end());
    to.inbox.clear();
    if (policy.reverse_batches) std::reverse(batch.begin(), batch.end());
    for (const Bytes& datagram : batch) {
      const int copies = policy.copies(delivered_++);
      for (int i = 0; i < copies; ++i) {
        to.datagram_results.push_back(to.handshake->OnDatagram(datagram));
      }
    }
  }

  natfwt::testing::FakeClock& clock_;
  Side client_;
  Side server_;
  size_t delivered_ = 0;
};

}  // namespace natfwt::secure::testing

#endif  // NATFWT_TESTS_ENGINE_SECURE_HANDSHAKE_HARNESS_H_
