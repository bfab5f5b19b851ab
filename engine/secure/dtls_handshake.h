// Copyright 2026 The natfwt Authors.
//
// DtlsHandshake: proves who is on the other end of a path and agrees on the
// data-path keys.
//
// A DTLS 1.2 handshake (RFC 6347, OpenSSL 3.0) between two node identities,
// each pinned by the SHA-256 fingerprint the other side expects (exchanged
// in the session descriptions). It is transport-agnostic: received DTLS
// datagrams go in through OnDatagram(), outgoing ones come out through the
// SendCallback; nothing here opens a socket. When both ends succeed they
// hold identical ChannelKeys for AeadChannel (channel_keys.h); when either
// end's expectation is wrong, both fail and no key is ever produced.
//
//   auto handshake = DtlsHandshake::Create(
//       identity, DtlsRole::kClient, peer_fingerprint, clock,
//       [&](absl::Span<const uint8_t> datagram) { path.Send(datagram); },
//       [&](DtlsHandshake::State state, const absl::Status& status) {...});
//   NATFWT_RETURN_IF_ERROR(handshake.status());
//   (*handshake)->Start();
//   ... path delivers DTLS datagrams (RFC 7983 first byte 20-63):
//   (*handshake)->OnDatagram(datagram);
//   ... once kEstablished:
//   auto channel = AeadChannel::Create(*(*handshake)->keys(), role);
//
// Retransmission (RFC 6347 §4.2.4) runs on the injected Clock, not on
// OpenSSL's timer: OpenSSL 3.0 reads gettimeofday() and retransmits by
// itself inside SSL_do_handshake() once its timer expired, which a fake
// clock cannot drive, so its timer is pushed out of reach
// (DTLS_set_timer_cb) and DtlsHandshake keeps the last flight it sent.
// When the Clock timer fires with no answer, that flight is sent again,
// byte for byte; the timeout doubles each time up to
// max_retransmit_timeout (RFC 6347 §4.2.4.1). The side that sent the
// handshake's last flight (the server, RFC 6347 §4.2.4) has no timer left;
// it answers the peer's retransmitted flight by sending its last flight
// again (at most once per half initial timeout), so a lost final flight
// still completes.
//
// Why resending identical bytes is sound here: every flight is packed into
// ONE datagram (several records may share a datagram, RFC 6347 §4.1.1; the
// largest flight is about 700 bytes and the MTU is at least 1000). The peer
// therefore receives a flight entirely or not at all: a lost flight is
// taken in full from the copy, and a copy of a flight already processed is
// discarded by the record layer's replay check (RFC 6347 §4.1.2.6), exactly
// like a datagram the network duplicated. (Were a flight split, a peer
// could process and drop a later record, such as an early
// ChangeCipherSpec, and then refuse its identical copy; OpenSSL's own
// retransmission avoids that with fresh record numbers, which cannot be
// produced on a fake clock.)
//
// After kEstablished the SSL object is freed (keys exported, only the last
// flight kept for the peer's retransmissions); keep the object alive until
// the peer has certainly finished, e.g. until the first AEAD record from
// it opens. AeadChannel does not depend on it.
//
// Thread-safety: every method may be called from any thread; the Clock's
// timers call in from the clock's thread. Callbacks are invoked without any
// internal lock held, one at a time and in order, on the thread whose call
// produced them (Start, OnDatagram or a timer). A callback may call back
// into the object (e.g. feed a datagram in); it may even destroy it, after
// which no further callback is made. The destructor waits for a callback
// running on another thread to return.

#ifndef NATFWT_ENGINE_SECURE_DTLS_HANDSHAKE_H_
#define NATFWT_ENGINE_SECURE_DTLS_HANDSHAKE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/secure/channel_keys.h"
#include "engine/secure/identity.h"
#include "engine/secure/node_id.h"
#include "platform/base/clock.h"

namespace natfwt::secure {

// DtlsHandshake::Options (declared outside the class so that it can be a
// default argument of the class's own functions).
struct DtlsHandshakeOptions {
  // RFC 6347 §4.2.4.1 (spec): 1 s initial timeout, doubled on each
  // retransmission, at most 60 s. The ICE layer may start lower (a few
  // RTTs of the selected pair). Must be > 0 and <= max.
  absl::Duration initial_retransmit_timeout = absl::Seconds(1);
  absl::Duration max_retransmit_timeout = absl::Seconds(60);
  // Implementation choice: the whole handshake, from Start(), fails with
  // kDeadlineExceeded after this. At most 10 minutes.
  absl::Duration handshake_timeout = absl::Seconds(30);
  // Largest datagram sent, in UDP payload bytes (implementation choice:
  // 1200 fits IPv6's 1280-byte minimum MTU with room for TURN framing).
  // 1000 to 65507: a whole flight must fit in one datagram.
  size_t mtu = 1200;
  // The data-path AEAD offered first. The client's order decides, so both
  // ends end up with the same one (ChannelKeys::algorithm).
  AeadAlgorithm preferred_aead = AeadAlgorithm::kAes256Gcm;
};

class DtlsHandshake {
 public:
  enum class State : uint8_t {
    kHandshaking,  // Until Start() and while datagrams are exchanged.
    kEstablished,  // keys() is available; terminal.
    kFailed,       // status() says why; terminal.
  };

  using Options = DtlsHandshakeOptions;

  struct Stats {
    uint64_t datagrams_received = 0;  // DTLS datagrams taken in.
    uint64_t datagrams_rejected = 0;  // Not DTLS (first byte, size).
    uint64_t datagrams_sent = 0;
    uint64_t flights_retransmitted = 0;   // By the Clock timer.
    uint64_t final_flight_resends = 0;    // Answers to the peer's resends.
    uint64_t fingerprint_mismatches = 0;  // Our pin refused the peer.
  };

  // Receives each outgoing DTLS datagram; the span is valid for the call.
  using SendCallback = std::function<void(absl::Span<const uint8_t>)>;
  // Called once, when the state becomes kEstablished (status OK) or kFailed
  // (the failure).
  using StateCallback = std::function<void(State, const absl::Status&)>;

  // A handshake for this node (`local`) in `role`, expecting the peer's
  // certificate to hash to `expected_peer`. `clock` must outlive the
  // object; `send` is required, `on_state` optional. Nothing is sent until
  // Start() or the first OnDatagram(). Errors: kInvalidArgument for a
  // missing send callback or options out of range; kInternal when OpenSSL
  // cannot set up the context.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<DtlsHandshake>> Create(
      const Identity& local, DtlsRole role, const Fingerprint& expected_peer,
      Clock& clock, SendCallback send, StateCallback on_state = nullptr,
      const Options& options = Options());

  DtlsHandshake(const DtlsHandshake&) = delete;
  DtlsHandshake& operator=(const DtlsHandshake&) = delete;
  // Cancels the timers and frees everything; no callback runs afterwards.
  ~DtlsHandshake();

  // Starts the handshake: a client sends its first flight (ClientHello), a
  // server waits for it. Starts the handshake_timeout. Idempotent. Returns
  // OK, or the failure if the handshake has failed.
  absl::Status Start();

  // Feeds one received datagram. Starts the handshake if Start() was not
  // called yet. Returns:
  //   * OK when the datagram was taken in (including records DTLS
  //     discards silently, such as duplicates or garbage inside a valid
  //     record header, RFC 6347 §4.1.2.7), and after kEstablished;
  //   * kInvalidArgument, without any effect but a counter, when it is not
  //     a DTLS datagram: shorter than a 13-byte record header, longer than
  //     65507 bytes, or a first byte outside 20-63 (RFC 7983 §7);
  //   * the failure (see status()) when this datagram made the handshake
  //     fail;
  //   * kFailedPrecondition when the handshake had already failed.
  absl::Status OnDatagram(absl::Span<const uint8_t> datagram);

  State state() const;
  // OK unless kFailed; then one of:
  //   kUnauthenticated: our pin refused the peer's certificate ("peer
  //     certificate fingerprint mismatch: expected node X, the peer
  //     presented node Y"), or the peer refused ours ("the peer rejected
  //     this node's certificate ...");
  //   kDeadlineExceeded: no completion within handshake_timeout;
  //   kAborted: the peer sent another alert, or the protocol failed (the
  //     message carries OpenSSL's reasons);
  //   kFailedPrecondition: the peer did not use the extended master secret;
  //   kInternal: OpenSSL failed locally.
  absl::Status status() const;
  // The exported keys. Errors: kFailedPrecondition unless kEstablished.
  absl::StatusOr<ChannelKeys> keys() const;
  Stats stats() const;
  DtlsRole role() const { return role_; }

 private:
  class Core;
  DtlsHandshake(std::shared_ptr<Core> core, DtlsRole role)
      : core_(std::move(core)), role_(role) {}

  std::shared_ptr<Core> core_;  // Shared with pending Clock timers.
  DtlsRole role_;
};

absl::string_view DtlsStateName(DtlsHandshake::State state);

}  // namespace natfwt::secure

#endif  // NATFWT_ENGINE_SECURE_DTLS_HANDSHAKE_H_
