// Copyright 2026 The natfwt Authors.
//
// SessionCore lifecycle, state and event delivery.

#include "engine/ice/session_core.h"

#include <utility>

#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

// What a closing agent needs until nice_agent_close_async completes: the
// agent itself and the TLS tunnels its TURN deallocations travel through.
struct Closing {
  NiceAgent* agent;
  std::vector<std::unique_ptr<TurnTlsTunnel>> tunnels;
  absl::AnyInvocable<void() &&> on_closed;
};

void DiscardReceive(NiceAgent* /*agent*/, guint /*stream_id*/,
                    guint /*component_id*/, guint /*length*/, gchar* /*buffer*/,
                    gpointer /*data*/) {}

bool IsConnected(guint nice_state) {
  return nice_state == NICE_COMPONENT_STATE_CONNECTED ||
         nice_state == NICE_COMPONENT_STATE_READY;
}

}  // namespace

IceState SessionSnapshot::state() const {
  absl::MutexLock lock(&mutex_);
  return state_;
}

std::optional<SelectedPairInfo> SessionSnapshot::pair() const {
  absl::MutexLock lock(&mutex_);
  return pair_;
}

std::optional<Fingerprint> SessionSnapshot::remote_fingerprint() const {
  absl::MutexLock lock(&mutex_);
  return remote_fingerprint_;
}

void SessionSnapshot::set_state(IceState state) {
  absl::MutexLock lock(&mutex_);
  state_ = state;
}

void SessionSnapshot::set_pair(std::optional<SelectedPairInfo> pair) {
  absl::MutexLock lock(&mutex_);
  pair_ = std::move(pair);
}

void SessionSnapshot::set_remote_fingerprint(const Fingerprint& fingerprint) {
  absl::MutexLock lock(&mutex_);
  remote_fingerprint_ = fingerprint;
}

absl::StatusOr<std::unique_ptr<SessionCore>> SessionCore::Create(
    NetworkThread& thread, SessionConfig config,
    const Fingerprint& local_fingerprint, IceSessionObserver* observer) {
  std::unique_ptr<SessionCore> core(
      new SessionCore(thread, std::move(config), local_fingerprint, observer));
  NATFWT_RETURN_IF_ERROR(core->CreateAgent());
  NATFWT_RETURN_IF_ERROR(core->AddLocalAddresses());
  NATFWT_RETURN_IF_ERROR(core->CreateStream());
  core->RefreshLocalCredentials();
  return core;
}

SessionCore::SessionCore(NetworkThread& thread, SessionConfig config,
                         const Fingerprint& local_fingerprint,
                         IceSessionObserver* observer)
    : thread_(thread),
      context_(thread.context()),
      config_(std::move(config)),
      local_fingerprint_(local_fingerprint),
      observer_(observer) {}

SessionCore::~SessionCore() {
  if (!closed_) Close(nullptr);
}

bool SessionCore::OnNetworkThread() const { return thread_.IsCurrent(); }

void SessionCore::Emit(Event event) { events_.push_back(std::move(event)); }

void SessionCore::FlushEvents() {
  if (flushing_ || depth_ > 0) return;
  flushing_ = true;
  while (!events_.empty()) {
    Event event = std::move(events_.front());
    events_.pop_front();
    std::move(event)(*observer_);
  }
  flushing_ = false;
}

IceState SessionCore::ComputeState() const {
  if (closed_) return IceState::kClosed;
  if (!started_) return IceState::kNew;
  if (gather_failed_) return IceState::kFailed;
  if (IsConnected(nice_state_)) return IceState::kConnected;
  if (nice_state_ == NICE_COMPONENT_STATE_FAILED) return IceState::kFailed;
  if (connect_timed_out_) return IceState::kFailed;
  return remote_ufrag_.empty() ? IceState::kGathering : IceState::kChecking;
}

void SessionCore::UpdateState() {
  const IceState next = ComputeState();
  if (next == reported_state_) return;
  const IceState previous = reported_state_;
  reported_state_ = next;
  snapshot_.set_state(next);
  if (next != IceState::kConnected) SetSelected(std::nullopt);
  if (next == IceState::kFailed && previous == IceState::kConnected) {
    NATFWT_LOG(kInfo) << "ICE session lost its path (consent or keepalives)";
    Emit([](IceSessionObserver& o) { o.OnConsentLost(); });
  }
  Emit([next](IceSessionObserver& o) { o.OnStateChanged(next); });
  if (next == IceState::kConnected) {
    auto_restarts_ = 0;
    connect_timer_.Cancel();
  }
  if (next == IceState::kFailed) MaybeAutoRestart();
}

void SessionCore::SetSelected(std::optional<SelectedPairInfo> pair) {
  selected_ = pair;
  snapshot_.set_pair(std::move(pair));
}

absl::StatusOr<SessionDescription> SessionCore::LocalDescription() const {
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  SessionDescription description;
  description.ufrag = local_ufrag_;
  description.pwd = local_pwd_;
  description.fingerprint = local_fingerprint_;
  description.candidates = local_candidates_;
  description.end_of_candidates = gathering_done_;
  return description;
}

void SessionCore::Close(absl::AnyInvocable<void() &&> on_closed) {
  Operation operation(this);
  if (closed_) {
    if (on_closed) std::move(on_closed)();
    return;
  }
  closed_ = true;
  gathering_timer_.Cancel();
  resolution_timer_.Cancel();
  connect_timer_.Cancel();
  restart_timer_.Cancel();
  resolutions_.clear();
  send_path_.Close();
  events_.clear();  // Nothing but kClosed is reported once closing starts.
  if (agent_ != nullptr) {
    // libnice must keep reading (TURN deallocation answers arrive on these
    // sockets) but nothing may reach this core any more.
    nice_agent_attach_recv(agent_, stream_id_, 1, context_, &DiscardReceive,
                           nullptr);
    g_signal_handlers_disconnect_by_data(agent_, this);
    auto* closing =
        new Closing{agent_, std::move(tunnels_), std::move(on_closed)};
    nice_agent_close_async(agent_, &SessionCore::OnAgentClosed, closing);
    agent_ = nullptr;
  } else if (on_closed) {
    std::move(on_closed)();
  }
  UpdateState();
}

void SessionCore::OnAgentClosed(GObject* /*source*/, GAsyncResult* /*result*/,
                                gpointer data) {
  std::unique_ptr<Closing> closing(static_cast<Closing*>(data));
  g_object_unref(closing->agent);
  // The tunnels' connections end asynchronously on this context: closed only
  // once they have, so that the caller may stop the network thread then
  // without stranding their sockets.
  TurnTlsTunnel::CloseAll(std::move(closing->tunnels),
                          std::move(closing->on_closed));
}

void SessionCore::Abandon() {
  closed_ = true;
  gathering_timer_.Cancel();
  resolution_timer_.Cancel();
  connect_timer_.Cancel();
  restart_timer_.Cancel();
  resolutions_.clear();
  send_path_.Close();
  events_.clear();
  tunnels_.clear();
  if (agent_ != nullptr) {
    g_signal_handlers_disconnect_by_data(agent_, this);
    g_object_unref(agent_);
    agent_ = nullptr;
  }
}

}  // namespace natfwt::ice
