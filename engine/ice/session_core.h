// Copyright 2026 The natfwt Authors.
//
// SessionCore: the network-thread half of an IceSession. It owns the libnice
// agent, turns libnice's signals into observer events, and implements the
// signalling rules (remote descriptions, trickle, restarts). Internal to
// engine/ice; IceSession is the public face.
//
// Files: session_core.cc (lifecycle, state, events), session_agent.cc
// (agent, stream, servers, gathering), session_signals.cc (libnice signal
// handlers, reception), session_signalling.cc (remote side and restarts).
//
// Threads: every method except snapshot() and send_path() runs on the
// network thread only. Events are queued while the core is inside one of its
// own operations and delivered when the outermost one ends, with no lock
// held, so an observer may call back into any session.

#ifndef NATFWT_ENGINE_ICE_SESSION_CORE_H_
#define NATFWT_ENGINE_ICE_SESSION_CORE_H_

#include <nice/agent.h>

#include <cassert>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "engine/ice/ice_session.h"
#include "engine/ice/name_resolution.h"
#include "engine/ice/owned_timer.h"
#include "engine/ice/send_path.h"
#include "engine/ice/turn_tls_tunnel.h"
#include "platform/base/network_thread.h"

namespace natfwt::ice {

// The values IceSession reads from any thread. Thread-safe.
class SessionSnapshot {
 public:
  IceState state() const;
  std::optional<SelectedPairInfo> pair() const;
  std::optional<Fingerprint> remote_fingerprint() const;
  void set_state(IceState state);
  void set_pair(std::optional<SelectedPairInfo> pair);
  void set_remote_fingerprint(const Fingerprint& fingerprint);

 private:
  mutable absl::Mutex mutex_;
  IceState state_ ABSL_GUARDED_BY(mutex_) = IceState::kNew;
  std::optional<SelectedPairInfo> pair_ ABSL_GUARDED_BY(mutex_);
  std::optional<Fingerprint> remote_fingerprint_ ABSL_GUARDED_BY(mutex_);
};

class SessionCore {
 public:
  // Builds the agent and its stream (network thread). Errors: see
  // IceSession::Create.
  static absl::StatusOr<std::unique_ptr<SessionCore>> Create(
      NetworkThread& thread, SessionConfig config,
      const Fingerprint& local_fingerprint, IceSessionObserver* observer);
  SessionCore(const SessionCore&) = delete;
  SessionCore& operator=(const SessionCore&) = delete;
  // Closes (without waiting) if still open. Network thread.
  ~SessionCore();

  // The IceSession operations; contracts and errors in ice_session.h.
  absl::Status Start();
  absl::StatusOr<SessionDescription> LocalDescription() const;
  absl::Status SetRemoteDescription(const SessionDescription& description);
  absl::Status AddRemoteCandidate(const TrickleCandidate& candidate);
  absl::Status SetRemoteEndOfCandidates(const EndOfCandidates& end);
  absl::Status Restart();
  // `on_closed` runs once libnice has finished closing (network thread).
  void Close(absl::AnyInvocable<void() &&> on_closed);
  bool closed() const { return closed_; }
  absl::StatusOr<int> SelectedSocket();
  absl::Status SetReceivePaused(bool paused);
  // Drops the agent at once, without nice_agent_close_async: only for when
  // the network thread is gone and nothing iterates its context.
  void Abandon();

  const SessionSnapshot& snapshot() const { return snapshot_; }
  const SendPath& send_path() const { return send_path_; }

 private:
  using Event = absl::AnyInvocable<void(IceSessionObserver&) &&>;
  // A TURN server as given to libnice, to name the transport of a relayed
  // local candidate.
  struct RelayEndpoint {
    TransportAddress server;
    TurnTransport transport;
    const TurnServer* config;
  };
  // Marks a core operation: events wait until the outermost one ends.
  class Operation {
   public:
    explicit Operation(SessionCore* core) : core_(core) {
      assert(core_->OnNetworkThread() && "SessionCore off the network thread");
      ++core_->depth_;
    }
    ~Operation() {
      if (--core_->depth_ == 0) core_->FlushEvents();
    }

   private:
    SessionCore* core_;
  };

  SessionCore(NetworkThread& thread, SessionConfig config,
              const Fingerprint& local_fingerprint,
              IceSessionObserver* observer);

  // session_core.cc: events and state.
  void Emit(Event event);
  void FlushEvents();
  IceState ComputeState() const;
  void UpdateState();
  void SetSelected(std::optional<SelectedPairInfo> pair);
  bool OnNetworkThread() const;

  // session_agent.cc: agent, stream, servers, gathering.
  absl::Status CreateAgent();
  absl::Status AddLocalAddresses();
  absl::Status CreateStream();
  void RefreshLocalCredentials();
  absl::Status PrepareServers();
  void ResetServers();
  absl::Status PrepareTurnServer(const TurnServer& server);
  void ResolveServer(const ServerAddress& server,
                     absl::AnyInvocable<void(TransportAddress) &&> use);
  void OnResolutionDone();
  absl::Status BeginGathering();
  void ApplyServers();
  void FinishGathering();
  std::optional<TurnTransport> RelayTransportOf(const Candidate& local) const;

  // session_signals.cc: libnice signal handlers and reception.
  void ConnectSignals();
  // The core behind a signal's user data when on the network thread and
  // about the current stream; null otherwise.
  static SessionCore* FromSignal(gpointer data, guint stream_id);
  static void OnNewCandidate(NiceAgent* agent, NiceCandidate* candidate,
                             gpointer data);
  static void OnGatheringDone(NiceAgent* agent, guint stream_id, gpointer data);
  static void OnComponentState(NiceAgent* agent, guint stream_id,
                               guint component_id, guint state, gpointer data);
  static void OnSelectedPair(NiceAgent* agent, guint stream_id,
                             guint component_id, NiceCandidate* local,
                             NiceCandidate* remote, gpointer data);
  static void OnReceive(NiceAgent* agent, guint stream_id, guint component_id,
                        guint length, gchar* buffer, gpointer data);
  void HandleNewCandidate(const NiceCandidate& candidate);
  void HandleComponentState(guint state);
  void HandleSelectedPair(const NiceCandidate& local,
                          const NiceCandidate& remote);
  void HandleReceive(absl::Span<const uint8_t> data);
  void AttachReceive(bool attach);

  // session_signalling.cc: the remote side and restarts.
  absl::Status CheckOpen() const;
  absl::Status CheckGeneration(const std::string& ufrag) const;
  absl::Status ApplyRemote(const SessionDescription& description);
  absl::Status ApplyRemoteCandidates(const std::vector<Candidate>& candidates,
                                     bool end_of_candidates);
  absl::Status RestartInternal(RestartCause cause);
  absl::Status SoftRestart();
  absl::Status FullRegather();
  void ArmConnectTimer();
  void OnConnectTimeout();
  void MaybeAutoRestart();
  static void OnAgentClosed(GObject* source, GAsyncResult* result,
                            gpointer data);

  NetworkThread& thread_;
  GMainContext* const context_;
  const SessionConfig config_;
  const Fingerprint local_fingerprint_;
  IceSessionObserver* const observer_;

  NiceAgent* agent_ = nullptr;
  guint stream_id_ = 0;
  std::string local_ufrag_;
  std::string local_pwd_;
  std::vector<Candidate> local_candidates_;
  bool gathering_done_ = false;
  bool have_local_address_ = false;
  bool have_local_v4_ = false;
  bool have_local_v6_ = false;

  std::string remote_ufrag_;  // Empty: no remote description this generation.
  std::string remote_pwd_;
  std::string previous_remote_ufrag_;
  std::optional<Fingerprint> remote_fingerprint_;

  bool started_ = false;
  bool closed_ = false;
  bool gather_failed_ = false;
  bool connect_timed_out_ = false;
  bool receive_paused_ = false;
  guint nice_state_ = NICE_COMPONENT_STATE_DISCONNECTED;
  IceState reported_state_ = IceState::kNew;
  std::optional<SelectedPairInfo> selected_;
  int auto_restarts_ = 0;

  std::optional<TransportAddress> stun_server_;
  std::vector<std::optional<TransportAddress>> stun_candidates_;
  std::vector<RelayEndpoint> relays_;
  std::vector<std::unique_ptr<TurnTlsTunnel>> tunnels_;
  std::vector<std::unique_ptr<NameResolution>> resolutions_;
  int pending_resolutions_ = 0;

  OwnedTimer gathering_timer_;
  OwnedTimer resolution_timer_;
  OwnedTimer connect_timer_;
  OwnedTimer restart_timer_;

  std::deque<Event> events_;
  int depth_ = 0;
  bool flushing_ = false;

  SendPath send_path_;
  SessionSnapshot snapshot_;
};

}  // namespace natfwt::ice

#endif  // NATFWT_ENGINE_ICE_SESSION_CORE_H_
