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
// Thread-safety: every method may be called from any thread. Observer calls
// come from the network thread (ICE events, received data) or the clock's
// thread (handshake timers), one at a time, with no internal lock held.

#ifndef NATFWT_ENGINE_SESSION_SECURE_SESSION_H_
#define NATFWT_ENGINE_SESSION_SECURE_SESSION_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "engine/ice/ice_config.h"
#include "engine/ice/ice_session.h"
#include "engine/ice/session_description.h"
#include "engine/secure/aead_channel.h"
#include "engine/secure/dtls_handshake.h"
#include "engine/secure/identity.h"
#include "platform/base/clock.h"
#include "platform/base/network_thread.h"

namespace natfwt::engine {

enum class SessionState : uint8_t {
  kNew,          // Created.
  kConnecting,   // Gathering and checking paths.
  kHandshaking,  // A path works; DTLS runs over it.
  kSecure,       // Authenticated; Send() and OnData() carry data.
  kFailed,       // No path, or the peer could not be authenticated. Final.
  kClosed,       // Close() called. Final.
};
absl::string_view SessionStateName(SessionState state);

// Counters of one session.
struct SessionStats {
  uint64_t packets_sent = 0;
  uint64_t bytes_sent = 0;  // Plaintext bytes.
  uint64_t packets_received = 0;
  uint64_t bytes_received = 0;      // Plaintext bytes.
  uint64_t send_errors = 0;         // Not secure yet, too large, path error.
  uint64_t drops_not_secure = 0;    // Data records before the handshake.
  uint64_t drops_unknown_type = 0;  // First byte neither DTLS nor data.
  uint64_t drops_auth = 0;          // Tampered, forged, wrong key.
  uint64_t drops_replay = 0;        // Replayed or too old.
  uint64_t drops_other = 0;         // Malformed records, unknown epochs.
  uint64_t fingerprint_mismatches = 0;
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
};

class SecureSession {
 public:
  struct Options {
    ice::SessionConfig ice;
    secure::DtlsHandshakeOptions dtls;
    secure::AeadChannelOptions aead;
    Clock* clock = nullptr;  // Defaults to RealClock::Get().
  };

  // A session of this node (`identity`, which must outlive it) on `thread`
  // (started; outlives the session). `observer` must outlive the session.
  // Errors: those of ice::IceSession::Create.
  static absl::StatusOr<std::unique_ptr<SecureSession>> Create(
      NetworkThread& thread, const secure::Identity& identity, Options options,
      SecureSessionObserver* observer);
  SecureSession(const SecureSession&) = delete;
  SecureSession& operator=(const SecureSession&) = delete;
  // Close()s.
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

  // Encrypts and sends one datagram. Errors: kFailedPrecondition before
  // kSecure; kInvalidArgument when larger than AeadChannel allows; the
  // path's errors (kUnavailable when it is congested).
  absl::Status Send(absl::Span<const uint8_t> data);

  void Close();

  SessionState state() const;
  SessionStats stats() const;
  std::optional<ice::SelectedPairInfo> SelectedPair() const;

 private:
  class IceEvents;
  SecureSession(const secure::Identity& identity, Clock& clock, Options options,
                SecureSessionObserver* observer);

  void OnIceState(ice::IceState state);
  void OnDatagram(absl::Span<const uint8_t> datagram);
  void StartHandshake();
  void OnHandshakeState(secure::DtlsHandshake::State state,
                        const absl::Status& status);
  void SetState(SessionState state, const absl::Status& why);
  void OpenRecord(absl::Span<const uint8_t> record);

  const secure::Identity& identity_;
  Clock& clock_;
  const Options options_;
  SecureSessionObserver* const observer_;
  std::unique_ptr<IceEvents> ice_events_;
  std::unique_ptr<ice::IceSession> ice_;

  mutable absl::Mutex mutex_;
  SessionState state_ ABSL_GUARDED_BY(mutex_) = SessionState::kNew;
  std::optional<secure::Fingerprint> expected_peer_ ABSL_GUARDED_BY(mutex_);
  std::shared_ptr<secure::DtlsHandshake> handshake_ ABSL_GUARDED_BY(mutex_);
  // Set once when the handshake is done; never replaced afterwards.
  std::shared_ptr<secure::AeadChannel> channel_ ABSL_GUARDED_BY(mutex_);
  SessionStats stats_ ABSL_GUARDED_BY(mutex_);
  // Seal() is not reentrant: senders take turns.
  absl::Mutex seal_mutex_ ABSL_ACQUIRED_AFTER(mutex_);
};

}  // namespace natfwt::engine

#endif  // NATFWT_ENGINE_SESSION_SECURE_SESSION_H_
