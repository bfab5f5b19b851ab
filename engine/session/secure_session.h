// Copyright 2026 The natfwt Authors.
//
// SecureSession: one authenticated, encrypted datagram path to one peer.
//
// It composes the engine's layers: an ICE session (engine/ice) finds and
// keeps a path; over the selected path a DTLS handshake (engine/secure)
// authenticates both sides against the fingerprints in the session
// descriptions; then application datagrams travel in AEAD records
// (engine/secure AeadChannel). One UDP port carries all of it, told apart by
// the first byte (RFC 7983; natfwt data records use 0xD0-0xD7).
//
//   engine::SecureSession::Options options;
//   NATFWT_ASSIGN_OR_RETURN(auto session, engine::SecureSession::Create(
//       thread, identity, options, &observer));
//   NATFWT_RETURN_IF_ERROR(session->Start());
//   ... send session->LocalDescription() to the peer, get theirs ...
//   NATFWT_RETURN_IF_ERROR(session->SetRemoteDescription(theirs));
//   ... observer.OnStateChanged(kSecure) ...
//   NATFWT_RETURN_IF_ERROR(session->Send(bytes));
//
// Roles: the ICE controlling side is the DTLS client.
//
// Preset keys (UsePresetKeys): a caller whose signalling already
// authenticates both ends and carried an ephemeral key exchange
// (secure/key_agreement.h; the node does this) hands the session its keys
// instead; there is no DTLS handshake, and the session becomes kSecure when
// ICE connects or when a record from the peer opens with those keys,
// whichever comes first. Records sent before this side's ICE connected are
// kept (like early DTLS flights) and go out when it does.
//
// The direct path (Options::direct_path, on by default). Once the session
// is secure, the peer has proven it holds the keys (one record from it
// opened), and the selected pair is direct UDP (host, server- or
// peer-reflexive on both ends), the session takes the path over from
// libnice (/work/shared/notes/hot-path.md): it pauses libnice's reception,
// adopts a dup() of the pair's socket into a relay::DirectPath (its own data
// thread, recvmmsg/sendmmsg, GRO/GSO when the kernel has them) and seals and
// opens records there (AeadTransform). Relayed and TCP pairs stay on
// libnice's I/O. The path is handed back to libnice (reception resumed) on
// an ICE restart or when ICE selects another pair.
//
// Consent and liveness. libnice 0.1.21 cannot keep consent freshness
// (RFC 7675) on a socket it no longer reads: its consent responses would
// arrive at the engine's reader, and there is no API to hand them back
// (nice_agent_attach_recv/recv_messages only read the socket themselves).
// So with direct_path on:
//  * libnice's own consent freshness is switched off for the agent;
//  * the session runs RFC 7675 semantics itself with authenticated
//    keepalives inside the AEAD channel (session_record.h, liveness.h),
//    on whichever path carries the records, with libnice's timers (a
//    check every ~5 s, expiry after ice::kConsentExpiry = 10 s without an
//    answer); expiry fails the session (kFailed, kUnavailable). The
//    keepalives also measure the RTT (stats().rtt, SelectedPair()->rtt);
//  * STUN Binding requests that reach the taken-over socket (the peer's ICE
//    connectivity or consent checks) are answered by the engine with our
//    ICE credentials (stun_binding.h), so a peer whose libnice still runs
//    consent freshness keeps its pair.
// ice.consent_freshness == false keeps the keepalives (NAT bindings, RTT)
// but never expires consent. With direct_path off, libnice keeps the I/O and
// its consent freshness as configured, and the keepalives run as well.
//
// Thread-safety: every method may be called from any thread. Observer
// calls: OnLocalCandidate, OnGatheringDone, OnSelectedPair and
// OnStateChanged come from the network thread (or the clock's thread for
// handshake timers), one at a time, with no internal lock held. Data
// (OnData/OnDataBatch) comes from the network thread while libnice carries
// the path and from the direct path's data thread after a take-over; never
// two data calls at once, but a data call may overlap a non-data one. A
// data callback may call Send/SendBatch/stats/state/Close (from the data
// thread Close() finishes asynchronously on the network thread), and must
// not wait for the network thread (no LocalDescription() etc. from there).

#ifndef NATFWT_ENGINE_SESSION_SECURE_SESSION_H_
#define NATFWT_ENGINE_SESSION_SECURE_SESSION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/ice/ice_config.h"
#include "engine/ice/ice_session.h"
#include "engine/ice/session_description.h"
#include "engine/secure/aead_channel.h"
#include "engine/secure/dtls_handshake.h"
#include "engine/secure/identity.h"
#include "engine/session/liveness.h"
#include "platform/base/clock.h"
#include "platform/base/network_thread.h"

namespace natfwt::engine {

class AeadTransform;

enum class SessionState : uint8_t {
  kNew,          // Created.
  kConnecting,   // Gathering and checking paths.
  kHandshaking,  // A path works; DTLS runs over it (not with preset keys).
  kSecure,       // Authenticated; Send() and OnData() carry data.
  kFailed,       // No path, the peer could not be authenticated, or
                 // consent expired. Final.
  kClosed,       // Close() called. Final.
};
absl::string_view SessionStateName(SessionState state);

// Counters of one session, over both paths (libnice's and the direct one).
struct SessionStats {
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;  // Plaintext bytes.
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;    // Plaintext bytes.
  uint64_t send_errors = 0;       // Not secure yet, too large, path error.
  uint64_t drops_not_secure = 0;  // Data records before the handshake.
  // Records that came before any keys and were kept for UsePresetKeys().
  uint64_t early_records = 0;
  uint64_t drops_unknown_type = 0;  // First byte neither DTLS nor data.
  uint64_t drops_auth = 0;          // Tampered, forged, wrong key.
  uint64_t drops_replay = 0;        // Replayed or too old.
  uint64_t drops_other = 0;  // Malformed records, unknown epochs or kinds,
                             // data from another source, truncated.
  uint64_t fingerprint_mismatches = 0;

  // The direct path: whether one carries the session now, how often the
  // session took a path over, and what the direct paths carried (records,
  // keepalives included) in how many system calls.
  bool direct_path = false;
  bool direct_gso = false;  // Of the current direct path.
  bool direct_gro = false;
  uint64_t direct_takeovers = 0;
  uint64_t direct_records_sent = 0;
  uint64_t direct_records_received = 0;
  uint64_t direct_send_calls = 0;     // sendmmsg calls.
  uint64_t direct_receive_calls = 0;  // recvmmsg calls that returned data.
  uint64_t direct_gso_segments = 0;
  uint64_t direct_gro_segments = 0;

  // Liveness (keepalives inside the channel) and STUN on the direct path.
  uint64_t keepalives_sent = 0;       // Requests.
  uint64_t keepalives_answered = 0;   // Requests of the peer answered.
  uint64_t keepalive_responses = 0;   // Responses matching our requests.
  std::optional<absl::Duration> rtt;  // Smoothed; none before a response.
  uint64_t stun_answered = 0;         // ICE checks answered on the direct path.
  uint64_t stun_ignored = 0;  // Indications, responses, bad credentials.
};

class SecureSessionObserver {
 public:
  virtual ~SecureSessionObserver() = default;
  // Trickled local candidate, to signal to the peer (optional).
  virtual void OnLocalCandidate(const ice::TrickleCandidate& /*candidate*/) {}
  // Every local candidate is known: LocalDescription() is complete.
  virtual void OnGatheringDone() {}
  virtual void OnStateChanged(SessionState state, const absl::Status& why) = 0;
  // The path changed (type, addresses).
  virtual void OnSelectedPair(const ice::SelectedPairInfo& /*pair*/) {}
  // One decrypted datagram; the span is valid for the call only.
  virtual void OnData(absl::Span<const uint8_t> data) = 0;
  // Local ICE credentials changed (Restart(), or a restart the peer
  // started): signal LocalDescription() to the peer again.
  virtual void OnIceRestart() {}
  // Decrypted datagrams in arrival order, as the direct path reads them in
  // batches; the spans are valid for the call only. The default calls
  // OnData() for each; override it to take the batch at once.
  virtual void OnDataBatch(absl::Span<const absl::Span<const uint8_t>> batch) {
    for (absl::Span<const uint8_t> data : batch) OnData(data);
  }
};

class SecureSession {
 public:
  // Largest datagram Send() takes: what one AEAD record in one UDP/IPv4
  // datagram can hold (65507 - 25 bytes of record overhead - 1 kind byte).
  static constexpr size_t kMaxDatagramSize = 65481;

  struct Options {
    ice::SessionConfig ice;
    secure::DtlsHandshakeOptions dtls;
    secure::AeadChannelOptions aead;
    Clock* clock = nullptr;  // Defaults to RealClock::Get().
    // Take direct UDP pairs over from libnice (see the file comment).
    bool direct_path = true;
    // Keepalive timers; expiry applies when ice.consent_freshness is on.
    LivenessOptions liveness;
  };

  // A session of this node (`identity`, which must outlive it) on `thread`
  // (started; outlives the session). `observer` must outlive the session.
  // Errors: kInvalidArgument (null observer); those of
  // ice::IceSession::Create.
  static absl::StatusOr<std::unique_ptr<SecureSession>> Create(
      NetworkThread& thread, const secure::Identity& identity, Options options,
      SecureSessionObserver* observer);
  SecureSession(const SecureSession&) = delete;
  SecureSession& operator=(const SecureSession&) = delete;
  // Close()s and waits until that finished. Must not run inside an
  // observer callback of this session.
  ~SecureSession();

  // Starts gathering.
  absl::Status Start();
  // This node's description (credentials, candidates so far, fingerprint).
  absl::StatusOr<ice::SessionDescription> LocalDescription() const;
  // The peer's description; its fingerprint is the identity the handshake
  // will insist on. Errors: kFailedPrecondition when called twice with a
  // different fingerprint; those of IceSession::SetRemoteDescription.
  absl::Status SetRemoteDescription(const ice::SessionDescription& remote);
  absl::Status AddRemoteCandidate(const ice::TrickleCandidate& candidate);
  // A trickled candidate or the peer's end of candidates
  // (IceSession::AddRemoteTrickle).
  absl::Status AddRemoteTrickle(const ice::TrickleMessage& message);

  // Keys agreed outside the session, used instead of the DTLS handshake
  // (see the file comment); `role` is this side's (the side that started
  // the exchange seals with client_to_server, as the DTLS client would).
  // Call before SetRemoteDescription() (before ICE can connect). Records
  // that came before (at most 8) are opened with them. Errors:
  // kFailedPrecondition when keys were set already or a handshake started;
  // those of secure::AeadChannel::Create.
  absl::Status UsePresetKeys(const secure::ChannelKeys& keys,
                             secure::DtlsRole role);

  // Encrypts and sends one datagram (direct path when there is one, else
  // libnice). Errors: kFailedPrecondition before kSecure or after it;
  // kInvalidArgument when larger than kMaxDatagramSize; the path's errors
  // (kUnavailable when it refused or is congested).
  absl::Status Send(absl::Span<const uint8_t> data);
  // Sends several datagrams, in order; on the direct path in batches
  // (sendmmsg, GSO). Returns how many reached the network; the others are
  // counted in send_errors. Errors: as Send() when none could be sent.
  absl::StatusOr<size_t> SendBatch(
      absl::Span<const absl::Span<const uint8_t>> datagrams);

  // ICE restart on demand (IceSession::Restart): new local credentials,
  // then OnIceRestart(); a taken-over path is handed back to libnice first
  // and taken over again once ICE selects a direct pair. The secure channel
  // (keys) is kept. Errors: those of IceSession::Restart.
  absl::Status Restart();

  // Stops the session: timers, the direct path (joined), ICE (libnice
  // closes asynchronously, TURN allocations are released). No observer call
  // follows its return, except when called from a data callback: then the
  // rest finishes on the network thread right after. Idempotent.
  void Close();

  SessionState state() const;
  SessionStats stats() const;
  // The ICE pair carrying the session (the taken-over one while ICE cannot
  // report it), with the keepalive RTT.
  std::optional<ice::SelectedPairInfo> SelectedPair() const;
  // Whether `pair` runs through a TURN relay: either end is a relayed
  // candidate, or the remote end is one the peer signalled as relayed (libnice
  // often learns a peer's relayed candidate as peer-reflexive first, before
  // its trickled line arrives).
  bool Relayed(const ice::SelectedPairInfo& pair) const;

 private:
  class IceEvents;
  class DirectSink;
  struct Anchor;
  struct Direct;
  // Plaintexts being sealed by one SendFramed() call (thread-local).
  struct Staging;

  SecureSession(NetworkThread& thread, const secure::Identity& identity,
                Clock& clock, Options options, SecureSessionObserver* observer);

  // secure_session.cc: lifecycle, ICE events, handshake, the libnice path.
  void OnIceState(ice::IceState state);
  void OnIcePair(const ice::SelectedPairInfo& pair);
  void OnDatagram(absl::Span<const uint8_t> datagram);
  void StartHandshake();
  void NoteRemoteCandidate(const ice::Candidate& candidate);
  // Sends a datagram over libnice (a DTLS flight, or a record sealed with
  // preset keys), or keeps it until ICE connects (see unsent_).
  // Errors: kUnavailable when that queue is full; those of IceSession::Send.
  absl::Status SendOrKeep(absl::Span<const uint8_t> datagram);
  void FlushUnsent();
  void OnHandshakeState(secure::DtlsHandshake::State state,
                        const absl::Status& status);
  void SetState(SessionState state, const absl::Status& why);
  void OpenRecord(absl::Span<const uint8_t> record);
  // With preset keys: makes them the session's and the session kSecure
  // (once). False without preset keys.
  bool EnterPresetSecure();
  // Once transform_ is set (handshake done, or preset keys): liveness on,
  // state kSecure.
  void BecomeSecure();
  // Runs `task` on the network thread unless the session closed first.
  // False when the task was dropped at once (closed, thread stopped).
  static bool PostTo(const std::shared_ptr<Anchor>& anchor,
                     absl::AnyInvocable<void(SecureSession&) &&> task);
  void Post(absl::AnyInvocable<void(SecureSession&) &&> task) const {
    PostTo(anchor_, std::move(task));
  }
  // Close()'s work: stops timers, the direct path and ICE, detaches.
  // Runs once; `closed_` is notified when done.
  void FinishClose();

  // secure_session_send.cc: sealing and sending framed records.
  absl::StatusOr<size_t> SendFramed(
      uint8_t kind, absl::Span<const absl::Span<const uint8_t>> bodies);
  absl::StatusOr<size_t> SendStaged(Staging& staging, size_t count,
                                    AeadTransform& transform,
                                    const std::shared_ptr<Direct>& direct);
  // Handles one opened record plaintext other than data (any thread).
  void OnControlRecord(absl::Span<const uint8_t> plaintext);

  // secure_session_direct.cc: take-over, teardown, STUN, liveness.
  void MaybeTakeOver();
  absl::Status StartDirect(int fd, const ice::SelectedPairInfo& pair,
                           std::shared_ptr<AeadTransform> transform);
  void TearDownDirect(bool resume_ice);
  void DrainStun();
  void StartLiveness();
  void OnLivenessTimer();
  void ScheduleLiveness(absl::Time at);
  void DeliverBatch(absl::Span<const absl::Span<const uint8_t>> batch,
                    uint64_t bytes, uint64_t dropped);
  // Adds what `direct` carried so far to the counters of `stats`.
  static void FoldDirectStats(const Direct& direct, SessionStats& stats);

  NetworkThread& thread_;
  const secure::Identity& identity_;
  Clock& clock_;
  const Options options_;
  SecureSessionObserver* const observer_;
  const std::shared_ptr<Anchor> anchor_;
  std::unique_ptr<IceEvents> ice_events_;
  std::unique_ptr<ice::IceSession> ice_;

  std::atomic<bool> finishing_{false};
  absl::Notification closed_;

  mutable absl::Mutex mutex_;
  SessionState state_ ABSL_GUARDED_BY(mutex_) = SessionState::kNew;
  std::optional<secure::Fingerprint> expected_peer_ ABSL_GUARDED_BY(mutex_);
  std::shared_ptr<secure::DtlsHandshake> handshake_ ABSL_GUARDED_BY(mutex_);
  // UsePresetKeys(): the transform waiting for ICE (or the peer's first
  // record); never replaced.
  std::shared_ptr<AeadTransform> preset_ ABSL_GUARDED_BY(mutex_);
  // Set once when the handshake is done; never replaced afterwards.
  std::shared_ptr<AeadTransform> transform_ ABSL_GUARDED_BY(mutex_);
  // A record from the peer opened: it holds the keys too.
  bool peer_confirmed_ ABSL_GUARDED_BY(mutex_) = false;
  std::shared_ptr<Direct> direct_ ABSL_GUARDED_BY(mutex_);
  // This path's counters, plus those of direct paths already torn down.
  SessionStats stats_ ABSL_GUARDED_BY(mutex_);
  // DTLS flights (or, with preset keys, sealed records) this side could not
  // send yet: the controlling peer may start before this side's ICE
  // selected a pair (its check reached us, ours to it is still in flight).
  // Sent once ICE connects; without this the peer would retransmit only
  // after its DTLS timer (or its ping would go unanswered).
  bool ice_connected_ ABSL_GUARDED_BY(mutex_) = false;
  // The peer's relayed candidates ("ip:port"): a pair whose remote end is
  // one of them is never taken over (MaybeTakeOver), even when libnice
  // learned it as peer-reflexive first.
  absl::flat_hash_set<std::string> remote_relays_ ABSL_GUARDED_BY(mutex_);
  static constexpr size_t kMaxRemoteRelays = 64;
  std::vector<std::vector<uint8_t>> unsent_ ABSL_GUARDED_BY(mutex_);
  static constexpr size_t kMaxUnsent = 16;
  // Records from the peer that came before any keys (neither preset nor a
  // handshake yet): a peer that knew our key in advance (the node's
  // standby, engine/node/node_wire.h) may send before our side learned its
  // key. Opened when UsePresetKeys() comes; dropped (drops_not_secure) when
  // a handshake starts instead or there are more than kMaxUnopened.
  std::vector<std::vector<uint8_t>> unopened_ ABSL_GUARDED_BY(mutex_);
  static constexpr size_t kMaxUnopened = 8;

  mutable absl::Mutex liveness_mutex_ ABSL_ACQUIRED_AFTER(mutex_);
  std::optional<Liveness> liveness_ ABSL_GUARDED_BY(liveness_mutex_);
  TimerId liveness_timer_ ABSL_GUARDED_BY(liveness_mutex_) = 0;
  std::minstd_rand jitter_ ABSL_GUARDED_BY(liveness_mutex_);
};

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_SECURE_SESSION_H_
