// Copyright 2026 The natfwt Authors.
//
// IceSession: one ICE session (one libnice agent, one stream, one component)
// between this node and one peer, run on a natfwt::NetworkThread. Many
// sessions share one thread and its GMainContext.
//
//   NetworkThread thread("natfwt-net");
//   NATFWT_RETURN_IF_ERROR(thread.Start());
//   NATFWT_ASSIGN_OR_RETURN(auto session,
//       IceSession::Create(thread, config, my_fingerprint, &observer));
//   signal(session->LocalDescription()->Format());  // credentials first
//   NATFWT_RETURN_IF_ERROR(session->Start());        // candidates trickle
//   ... peer's description arrives:
//   NATFWT_RETURN_IF_ERROR(session->SetRemoteDescription(remote));
//   ... observer.OnStateChanged(kConnected):
//   session->Send(datagram);
//
// Signalling contract (trickle ICE, RFC 8838):
//  * Send LocalDescription() to the peer once (it may hold no candidates
//    yet), then every OnLocalCandidate and OnGatheringDone as trickle lines
//    (trickle_line.h), in order. The peer applies them with
//    SetRemoteDescription, AddRemoteCandidate and SetRemoteEndOfCandidates.
//  * OnIceRestart: local credentials changed (Restart(), auto restart, or a
//    restart the peer started). Send LocalDescription() again; candidates of
//    the new generation follow.
//  * A description whose ufrag differs from the current remote one is an ICE
//    restart by the peer: the session restarts too and reports OnIceRestart.
//
// Threads: every method may be called from any thread. Methods other than
// Send/SendBatch/state()/SelectedPair()/RemoteFingerprint() run on the
// network thread and wait for it (inline when called there). Observer
// callbacks run on the network thread, one at a time, in order, with no
// natfwt lock held: a callback may call any method of any session except
// destroying the session it is called for.
//
// Paths: with NominationMode::kAggressive (the default) a pair that starts
// working after selection replaces a worse one: a relayed session moves to a
// direct pair as soon as one succeeds (tested). libnice 0.1.21 does not do
// that with kRegular nomination; use Restart() there.
//
// Memory: one libnice agent per session. Idle and gathered (host only) a
// session costs about 31 KiB resident and 2 descriptors (its UDP socket and
// an eventfd); libnice also allocates 128 KiB of receive buffers per agent
// that stay untouched, hence not resident, until datagrams arrive
// (tests/engine/ice/ice_benchmark.cc measures both).
//
// Consent: RFC 7675 via libnice (NICE_AGENT_OPTION_CONSENT_FRESHNESS). A
// connected session whose pair loses consent (no answers for kConsentExpiry,
// fixed at 10 s by libnice 0.1.21) reports OnConsentLost then kFailed.

#ifndef NATFWT_ENGINE_ICE_ICE_SESSION_H_
#define NATFWT_ENGINE_ICE_ICE_SESSION_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "engine/ice/candidate.h"
#include "engine/ice/ice_config.h"
#include "engine/ice/session_description.h"
#include "engine/ice/trickle_line.h"
#include "platform/base/network_thread.h"

namespace natfwt::ice {

enum class IceState : uint8_t {
  kNew,        // Created; Start() not called.
  kGathering,  // Started; no remote description yet.
  kChecking,   // Remote description known; no working pair yet.
  kConnected,  // A pair is selected; Send() works.
  kFailed,     // Checks failed, consent lost or connectivity timeout.
  kClosed,     // Close() called. Final.
};
absl::string_view IceStateName(IceState state);

// The pair libnice selected for data.
struct SelectedPairInfo {
  Candidate local;
  Candidate remote;
  // How the local relayed candidate reaches its TURN server. Absent for
  // non-relayed candidates, and when TURN servers of several transports
  // could have produced it: libnice 0.1.21 does not tell which server a
  // relayed candidate belongs to, so it is inferred (UDP allocations share
  // the host socket; TCP and TLS ones do not).
  std::optional<TurnTransport> relay_transport;
  // Round-trip time of the pair. libnice 0.1.21 exposes none, so IceSession
  // leaves this empty; the secure channel measures it on its keepalives.
  std::optional<absl::Duration> rtt;
};

// Why local credentials changed.
enum class RestartCause : uint8_t {
  kLocalRequest,  // Restart() was called.
  kAutoRestart,   // SessionConfig::auto_restart after a failure.
  kPeerRequest,   // The peer's description carried new credentials.
};
absl::string_view RestartCauseName(RestartCause cause);

// Receives a session's events on the network thread (see the file comment).
// Implementations must not block for long: all sessions share the thread.
class IceSessionObserver {
 public:
  virtual ~IceSessionObserver() = default;

  // A local candidate to trickle to the peer.
  virtual void OnLocalCandidate(const TrickleCandidate& candidate) = 0;
  // No more local candidates for this generation (gathering finished or its
  // timeout passed).
  virtual void OnGatheringDone(const EndOfCandidates& end) = 0;
  virtual void OnStateChanged(IceState state) = 0;
  // A (new) selected pair; also after a switch, e.g. relayed to direct.
  virtual void OnSelectedPair(const SelectedPairInfo& pair) = 0;
  // One application datagram from the peer. `data` is valid only during the
  // call. Not called while reception is paused.
  virtual void OnData(absl::Span<const uint8_t> data) = 0;
  // A connected pair lost consent (RFC 7675) or its keepalives failed; the
  // state becomes kFailed right after.
  virtual void OnConsentLost() = 0;
  // Local credentials changed: signal LocalDescription() to the peer.
  virtual void OnIceRestart(RestartCause cause) = 0;
};

class SessionCore;

class IceSession {
 public:
  // Creates the libnice agent on `thread` (which must be running and outlive
  // the session). `observer` must outlive the session. The local description
  // is available at once (credentials, no candidates). Errors:
  // kInvalidArgument (ValidateSessionConfig), kFailedPrecondition (thread not
  // running), kInternal (libnice refused the agent or stream).
  static absl::StatusOr<std::unique_ptr<IceSession>> Create(
      NetworkThread& thread, SessionConfig config,
      const Fingerprint& local_fingerprint, IceSessionObserver* observer);

  IceSession(const IceSession&) = delete;
  IceSession& operator=(const IceSession&) = delete;
  // Close()s the session and frees it on the network thread. Must not run
  // inside one of this session's observer callbacks.
  ~IceSession();

  // Starts gathering (host, server-reflexive, relayed candidates). Server
  // names are resolved asynchronously within half the gathering timeout; a
  // name that does not resolve is skipped with a warning. Errors:
  // kFailedPrecondition (already started, closed, or no usable local
  // address), kUnimplemented (turns: without a GIO TLS backend),
  // kInvalidArgument (unreadable tls_ca_file), kInternal (libnice could not
  // open its sockets, e.g. the port range is exhausted; the state is then
  // kFailed).
  absl::Status Start();

  // Current credentials, the candidates gathered (and signalled) so far, the
  // local fingerprint and whether gathering is done. Errors:
  // kFailedPrecondition when closed.
  absl::StatusOr<SessionDescription> LocalDescription() const;

  // Applies the peer's description: credentials, candidates and
  // end-of-candidates. Same ufrag as before: adds candidates. New ufrag: ICE
  // restart (see the file comment). Errors: kInvalidArgument (invalid
  // description, pwd changed without a new ufrag, fingerprint differs from
  // the one first received, component other than 1), kFailedPrecondition
  // (closed).
  absl::Status SetRemoteDescription(const SessionDescription& description);

  // Adds one trickled remote candidate. Errors: kFailedPrecondition (no
  // remote description yet, closed, or `candidate.ufrag` is not the current
  // remote generation: stale lines after a restart land here),
  // kInvalidArgument (invalid candidate or component other than 1).
  absl::Status AddRemoteCandidate(const TrickleCandidate& candidate);
  // The peer finished gathering for generation `end.ufrag`: pairs that
  // cannot work may now fail. Errors: as AddRemoteCandidate.
  absl::Status SetRemoteEndOfCandidates(const EndOfCandidates& end);
  // Applies either kind of trickle message.
  absl::Status AddRemoteTrickle(const TrickleMessage& message);

  // Sends one datagram on the selected pair (nice_agent_send); any thread,
  // no allocation. Errors: kUnavailable (no selected pair, consent lost, or
  // libnice failed to send), kFailedPrecondition (closed), kInvalidArgument
  // (empty or longer than 65535 bytes).
  absl::Status Send(absl::Span<const uint8_t> datagram);
  // Sends up to `datagrams.size()` datagrams with
  // nice_agent_send_messages_nonblocking (one sendmmsg-like call per 64).
  // Returns how many were accepted (fewer when the socket would block).
  // Errors: as Send, when none could be sent.
  absl::StatusOr<size_t> SendBatch(
      absl::Span<const absl::Span<const uint8_t>> datagrams);

  // ICE restart on demand: new local credentials, then OnIceRestart. When a
  // pair is selected, libnice keeps sending on it while the new checks run
  // (nice_agent_restart_stream) and the candidates are signalled again for
  // the new generation; otherwise the stream is replaced and gathered again
  // (new sockets and TURN allocations). Resumes paused reception. Errors:
  // kFailedPrecondition (not started or closed), kInternal (libnice).
  absl::Status Restart();

  // Stops the session: drops events not yet delivered, reports kClosed,
  // detaches from libnice and closes the agent with nice_agent_close_async
  // (TURN allocations are released), then drops it and its turns: tunnels
  // once their connections have ended (sockets closed). Waits (up to 10 s)
  // for that to finish unless called on the network thread: after it the
  // network thread may stop without stranding a socket. Idempotent.
  // OnStateChanged(kClosed) is the last callback (delivered after the
  // current one when Close is called from inside a callback).
  void Close();

  // A dup() of the selected pair's UDP socket, for an engine that takes the
  // direct path over (see PauseReceive). The caller owns and closes it.
  // Errors: kFailedPrecondition (no selected pair, closed), kUnavailable
  // (the pair is relayed or TCP: its data is encapsulated), kUnimplemented
  // (platform without dup), kInternal (dup failed).
  absl::StatusOr<int> SelectedSocket();

  // Pauses libnice's reception (nice_agent_attach_recv with a NULL
  // callback). Runs as a network-thread task, so every datagram libnice has
  // read was delivered before it; unread ones stay in the socket for the new
  // reader. While paused libnice answers no checks and reads no responses:
  // consent expires on both sides after kConsentExpiry unless the engine
  // maintains the path itself. Errors: kFailedPrecondition (not started or
  // closed).
  absl::Status PauseReceive();
  // Re-attaches libnice's reception. Errors: as PauseReceive.
  absl::Status ResumeReceive();

  // Snapshot of the latest state / selected pair / the peer's fingerprint;
  // any thread, no waiting.
  IceState state() const;
  std::optional<SelectedPairInfo> SelectedPair() const;
  std::optional<Fingerprint> RemoteFingerprint() const;

 private:
  IceSession(NetworkThread& thread, std::unique_ptr<SessionCore> core);
  // Runs `task` on the network thread and returns its status.
  absl::Status Call(absl::AnyInvocable<absl::Status() &&> task) const;

  NetworkThread& thread_;
  std::unique_ptr<SessionCore> core_;  // Used and destroyed on thread_.
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_ICE_SESSION_H_
