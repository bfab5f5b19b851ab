// Copyright 2026 The natfwt Authors.
//
// SessionCore: the remote side (descriptions, trickle) and ICE restarts
// (RFC 8445 section 9; RFC 8838 for trickle generations).

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/ice/nice_convert.h"
#include "engine/ice/session_core.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

constexpr guint kComponent = 1;

absl::Status CheckComponent(const Candidate& candidate) {
  if (candidate.component != kComponent) {
    return absl::InvalidArgumentError(absl::StrCat(
        "component ", candidate.component, ": sessions have component 1 only"));
  }
  return absl::OkStatus();
}

absl::Status CheckRemoteCandidates(const SessionDescription& description) {
  NATFWT_RETURN_IF_ERROR(ValidateSessionDescription(description));
  for (const Candidate& candidate : description.candidates) {
    NATFWT_RETURN_IF_ERROR(CheckComponent(candidate));
  }
  return absl::OkStatus();
}

void FreeCandidates(GSList* list) {
  g_slist_free_full(list,
                    reinterpret_cast<GDestroyNotify>(nice_candidate_free));
}

}  // namespace

absl::Status SessionCore::CheckOpen() const {
  if (closed_) return absl::FailedPreconditionError("session is closed");
  return absl::OkStatus();
}

absl::Status SessionCore::CheckGeneration(const std::string& ufrag) const {
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (remote_ufrag_.empty()) {
    return absl::FailedPreconditionError(
        "no remote description for this ICE generation yet");
  }
  if (ufrag != remote_ufrag_) {
    return absl::FailedPreconditionError(
        absl::StrCat("trickle for ICE generation \"", ufrag,
                     "\"; the current one is \"", remote_ufrag_, "\""));
  }
  return absl::OkStatus();
}

absl::Status SessionCore::SetRemoteDescription(
    const SessionDescription& description) {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckRemoteCandidates(description));
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (remote_fingerprint_.has_value() &&
      *remote_fingerprint_ != description.fingerprint) {
    return absl::InvalidArgumentError(
        "the peer's identity fingerprint changed");
  }
  if (!remote_ufrag_.empty() && description.ufrag == remote_ufrag_) {
    if (description.pwd != remote_pwd_) {
      return absl::InvalidArgumentError("pwd changed without a new ufrag");
    }
    return ApplyRemoteCandidates(description.candidates,
                                 description.end_of_candidates);
  }
  if (!previous_remote_ufrag_.empty() &&
      description.ufrag == previous_remote_ufrag_) {
    return absl::FailedPreconditionError(
        "description of an earlier ICE generation");
  }
  if (!remote_ufrag_.empty()) {
    NATFWT_RETURN_IF_ERROR(RestartInternal(RestartCause::kPeerRequest));
  }
  return ApplyRemote(description);
}

absl::Status SessionCore::ApplyRemote(const SessionDescription& description) {
  if (!nice_agent_set_remote_credentials(agent_, stream_id_,
                                         description.ufrag.c_str(),
                                         description.pwd.c_str())) {
    return absl::InternalError("libnice refused the remote credentials");
  }
  remote_fingerprint_ = description.fingerprint;
  snapshot_.set_remote_fingerprint(description.fingerprint);
  remote_ufrag_ = description.ufrag;
  remote_pwd_ = description.pwd;
  ArmConnectTimer();
  absl::Status status = ApplyRemoteCandidates(description.candidates,
                                              description.end_of_candidates);
  UpdateState();
  return status;
}

absl::Status SessionCore::ApplyRemoteCandidates(
    const std::vector<Candidate>& candidates, bool end_of_candidates) {
  if (!candidates.empty()) {
    GSList* list = nullptr;
    for (const Candidate& candidate : candidates) {
      list = g_slist_prepend(list,
                             ToNiceCandidate(candidate, stream_id_).release());
    }
    const int added =
        nice_agent_set_remote_candidates(agent_, stream_id_, kComponent, list);
    FreeCandidates(list);
    if (added < 0) return absl::InternalError("libnice refused the candidates");
  }
  if (end_of_candidates) {
    nice_agent_peer_candidate_gathering_done(agent_, stream_id_);
  }
  return absl::OkStatus();
}

absl::Status SessionCore::AddRemoteCandidate(
    const TrickleCandidate& candidate) {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(ValidateCandidate(candidate.candidate));
  NATFWT_RETURN_IF_ERROR(CheckComponent(candidate.candidate));
  NATFWT_RETURN_IF_ERROR(CheckGeneration(candidate.ufrag));
  return ApplyRemoteCandidates({candidate.candidate}, false);
}

absl::Status SessionCore::SetRemoteEndOfCandidates(const EndOfCandidates& end) {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckGeneration(end.ufrag));
  return ApplyRemoteCandidates({}, true);
}

absl::Status SessionCore::Restart() {
  Operation operation(this);
  NATFWT_RETURN_IF_ERROR(CheckOpen());
  if (!started_) return absl::FailedPreconditionError("not started");
  return RestartInternal(RestartCause::kLocalRequest);
}

absl::Status SessionCore::RestartInternal(RestartCause cause) {
  const bool keep_path = selected_.has_value();
  // OnIceRestart must precede the new generation's candidates, which the
  // restart queues: the peer needs the new credentials first.
  const size_t first_new_event = events_.size();
  NATFWT_RETURN_IF_ERROR(keep_path ? SoftRestart() : FullRegather());
  events_.insert(events_.begin() + static_cast<std::ptrdiff_t>(first_new_event),
                 [cause](IceSessionObserver& o) { o.OnIceRestart(cause); });
  NATFWT_LOG(kInfo) << "ICE restart (" << RestartCauseName(cause) << ", "
                    << (keep_path ? "keeping the selected pair" : "regathering")
                    << ")";
  if (!remote_ufrag_.empty()) previous_remote_ufrag_ = remote_ufrag_;
  remote_ufrag_.clear();
  remote_pwd_.clear();
  connect_timed_out_ = false;
  gather_failed_ = false;
  connect_timer_.Cancel();
  if (receive_paused_) {
    AttachReceive(true);
    receive_paused_ = false;
  }
  restart_timer_.Cancel();  // A pending automatic restart is now moot.
  UpdateState();
  return absl::OkStatus();
}

absl::Status SessionCore::SoftRestart() {
  if (!nice_agent_restart_stream(agent_, stream_id_)) {
    return absl::InternalError("nice_agent_restart_stream failed");
  }
  RefreshLocalCredentials();
  // The same candidates, announced again for the new generation.
  for (const Candidate& candidate : local_candidates_) {
    Emit([trickle = TrickleCandidate{local_ufrag_, candidate}](
             IceSessionObserver& o) { o.OnLocalCandidate(trickle); });
  }
  if (gathering_done_) {
    Emit([end = EndOfCandidates{local_ufrag_}](IceSessionObserver& o) {
      o.OnGatheringDone(end);
    });
  }
  return absl::OkStatus();
}

absl::Status SessionCore::FullRegather() {
  nice_agent_remove_stream(agent_, stream_id_);
  local_candidates_.clear();
  gathering_done_ = false;
  nice_state_ = NICE_COMPONENT_STATE_DISCONNECTED;
  SetSelected(std::nullopt);
  NATFWT_RETURN_IF_ERROR(CreateStream());
  RefreshLocalCredentials();
  gathering_timer_.Start(context_, config_.timeouts.gathering, [this] {
    Operation inner(this);
    FinishGathering();
  });
  if (pending_resolutions_ > 0) return absl::OkStatus();  // Gathers when done.
  return BeginGathering();
}

void SessionCore::ArmConnectTimer() {
  if (!started_ || remote_ufrag_.empty() ||
      reported_state_ == IceState::kConnected) {
    return;
  }
  connect_timer_.Start(context_, config_.timeouts.connectivity,
                       [this] { OnConnectTimeout(); });
}

void SessionCore::OnConnectTimeout() {
  Operation operation(this);
  if (reported_state_ == IceState::kConnected || closed_) return;
  NATFWT_LOG(kInfo) << "ICE connectivity timeout";
  connect_timed_out_ = true;
  UpdateState();
}

void SessionCore::MaybeAutoRestart() {
  if (!config_.auto_restart || closed_ ||
      auto_restarts_ >= config_.max_auto_restarts) {
    return;
  }
  ++auto_restarts_;
  // Deferred: the failure is being reported from inside a libnice signal.
  restart_timer_.Start(context_, absl::ZeroDuration(), [this] {
    Operation operation(this);
    if (absl::Status status = RestartInternal(RestartCause::kAutoRestart);
        !status.ok()) {
      NATFWT_LOG(kWarning) << "automatic ICE restart failed: " << status;
    }
  });
}

}  // namespace natfwt::ice
