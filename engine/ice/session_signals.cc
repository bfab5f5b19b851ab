// Copyright 2026 The natfwt Authors.
//
// SessionCore: libnice signal handlers and reception.
//
// libnice emits its signals from the thread that called into it (or that
// dispatched its sources), with its own lock released. Every libnice call
// that can emit these is made on the network thread, so the handlers run
// there; a handler called elsewhere logs and drops the signal.

#include <utility>

#include "engine/ice/nice_convert.h"
#include "engine/ice/session_core.h"
#include "engine/ice/socket_dup.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

constexpr guint kComponent = 1;

}  // namespace

SessionCore* SessionCore::FromSignal(gpointer data, guint stream_id) {
  auto* core = static_cast<SessionCore*>(data);
  if (!core->OnNetworkThread()) {
    NATFWT_LOG(kError) << "libnice signal off the network thread; dropped";
    return nullptr;
  }
  return stream_id == core->stream_id_ ? core : nullptr;
}

void SessionCore::ConnectSignals() {
  g_signal_connect(agent_, "new-candidate-full", G_CALLBACK(OnNewCandidate),
                   this);
  g_signal_connect(agent_, "candidate-gathering-done",
                   G_CALLBACK(OnGatheringDone), this);
  g_signal_connect(agent_, "component-state-changed",
                   G_CALLBACK(OnComponentState), this);
  g_signal_connect(agent_, "new-selected-pair-full", G_CALLBACK(OnSelectedPair),
                   this);
}

void SessionCore::OnNewCandidate(NiceAgent* /*agent*/, NiceCandidate* candidate,
                                 gpointer data) {
  SessionCore* core = FromSignal(data, candidate->stream_id);
  if (core == nullptr) return;
  Operation operation(core);
  core->HandleNewCandidate(*candidate);
}

void SessionCore::OnGatheringDone(NiceAgent* /*agent*/, guint stream_id,
                                  gpointer data) {
  SessionCore* core = FromSignal(data, stream_id);
  if (core == nullptr) return;
  Operation operation(core);
  core->FinishGathering();
}

void SessionCore::OnComponentState(NiceAgent* /*agent*/, guint stream_id,
                                   guint /*component_id*/, guint state,
                                   gpointer data) {
  SessionCore* core = FromSignal(data, stream_id);
  if (core == nullptr) return;
  Operation operation(core);
  core->HandleComponentState(state);
}

void SessionCore::OnSelectedPair(NiceAgent* /*agent*/, guint stream_id,
                                 guint /*component_id*/, NiceCandidate* local,
                                 NiceCandidate* remote, gpointer data) {
  SessionCore* core = FromSignal(data, stream_id);
  if (core == nullptr) return;
  Operation operation(core);
  core->HandleSelectedPair(*local, *remote);
}

void SessionCore::OnReceive(NiceAgent* /*agent*/, guint stream_id,
                            guint /*component_id*/, guint length, gchar* buffer,
                            gpointer data) {
  auto* core = static_cast<SessionCore*>(data);
  if (stream_id != core->stream_id_ || core->closed_) return;
  core->HandleReceive(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(buffer), length));
}

void SessionCore::HandleNewCandidate(const NiceCandidate& nice) {
  absl::StatusOr<Candidate> candidate = FromNiceCandidate(nice);
  if (!candidate.ok()) {
    NATFWT_LOG(kWarning) << candidate.status();
    return;
  }
  if (gathering_done_ ||
      local_candidates_.size() >= kMaxDescriptionCandidates) {
    NATFWT_LOG(kDebug)
        << "local candidate after end-of-candidates not signalled";
    return;
  }
  local_candidates_.push_back(*candidate);
  Emit([trickle = TrickleCandidate{local_ufrag_, *std::move(candidate)}](
           IceSessionObserver& o) { o.OnLocalCandidate(trickle); });
}

void SessionCore::HandleComponentState(guint state) {
  nice_state_ = state;
  UpdateState();
}

void SessionCore::HandleSelectedPair(const NiceCandidate& local,
                                     const NiceCandidate& remote) {
  absl::StatusOr<Candidate> local_candidate = FromNiceCandidate(local);
  absl::StatusOr<Candidate> remote_candidate = FromNiceCandidate(remote);
  if (!local_candidate.ok() || !remote_candidate.ok()) {
    NATFWT_LOG(kWarning) << "selected pair not reportable: "
                         << local_candidate.status() << " / "
                         << remote_candidate.status();
    return;
  }
  const std::optional<TurnTransport> relay = RelayTransportOf(*local_candidate);
  SelectedPairInfo info{*std::move(local_candidate),
                        *std::move(remote_candidate), relay, std::nullopt};
  SetSelected(info);
  Emit([info = std::move(info)](IceSessionObserver& o) {
    o.OnSelectedPair(info);
  });
}

void SessionCore::HandleReceive(absl::Span<const uint8_t> data) {
  if (depth_ == 0 && !flushing_) {
    observer_->OnData(data);  // The common case: no copy.
    return;
  }
  Emit([copy = std::vector<uint8_t>(data.begin(), data.end())](
           IceSessionObserver& o) { o.OnData(copy); });
}

namespace {

// A context nobody iterates. Receiving "paused" means libnice's socket
// sources live there: detaching them (a NULL callback) is not enough, since
// libnice 0.1.21 keeps polling the component's sockets on the agent's
// context, and a socket whose datagrams another thread reads (the taken-over
// direct path) would then wake the network thread once per packet.
GMainContext* ParkedContext() {
  static GMainContext* const context = g_main_context_new();
  return context;
}

void DiscardReceive(NiceAgent*, guint, guint, guint, gchar*, gpointer) {}

}  // namespace

void SessionCore::AttachReceive(bool attach) {
  if (attach) {
    nice_agent_attach_recv(agent_, stream_id_, kComponent, context_,
                           &SessionCore::OnReceive, this);
  } else {
    nice_agent_attach_recv(agent_, stream_id_, kComponent, ParkedContext(),
                           &DiscardReceive, nullptr);
  }
}

absl::Status SessionCore::SetReceivePaused(bool paused) {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (!started_) return absl::FailedPreconditionError("not started");
  if (paused != receive_paused_) {
    // A task on the network thread: every datagram libnice read was already
    // delivered by the dispatch that read it (same context), so detaching
    // here loses nothing; unread datagrams stay in the socket.
    AttachReceive(!paused);
    receive_paused_ = paused;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> SessionCore::SelectedSocket() {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (!selected_.has_value()) {
    return absl::FailedPreconditionError("no selected pair");
  }
  if (selected_->local.type == CandidateType::kRelay) {
    return absl::UnavailableError("relayed pair: TURN encapsulates its data");
  }
  if (IsTcp(selected_->local.transport)) {
    return absl::UnavailableError("TCP pair: libnice frames its data");
  }
  GSocket* socket =
      nice_agent_get_selected_socket(agent_, stream_id_, kComponent);
  if (socket == nullptr) return absl::UnavailableError("no selected socket");
  absl::StatusOr<int> copy = DuplicateSocket(g_socket_get_fd(socket));
  g_object_unref(socket);
  return copy;
}

}  // namespace natfwt::ice
