// Copyright 2026 The natfwt Authors.
//
// IceSession: the thread-safe face of a SessionCore. Operations run on the
// network thread (PostAndWait, inline when already there); Send and the
// snapshots do not wait for it.

#include "engine/ice/ice_session.h"

#include <memory>
#include <utility>

#include "absl/synchronization/notification.h"
#include "engine/ice/session_core.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::ice {
namespace {

// How long Close() waits for libnice to release TURN allocations
// (implementation choice: a few STUN retransmissions).
constexpr absl::Duration kCloseWait = absl::Seconds(10);

absl::Status ThreadStopped() {
  return absl::FailedPreconditionError("the network thread is not running");
}

}  // namespace

absl::string_view IceStateName(IceState state) {
  switch (state) {
    case IceState::kNew:
      return "new";
    case IceState::kGathering:
      return "gathering";
    case IceState::kChecking:
      return "checking";
    case IceState::kConnected:
      return "connected";
    case IceState::kFailed:
      return "failed";
    case IceState::kClosed:
      return "closed";
  }
  return "unknown";
}

absl::string_view RestartCauseName(RestartCause cause) {
  switch (cause) {
    case RestartCause::kLocalRequest:
      return "local request";
    case RestartCause::kAutoRestart:
      return "automatic";
    case RestartCause::kPeerRequest:
      return "peer request";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<IceSession>> IceSession::Create(
    NetworkThread& thread, SessionConfig config,
    const Fingerprint& local_fingerprint, IceSessionObserver* observer) {
  NATFWT_RETURN_IF_ERROR(ValidateSessionConfig(config));
  if (observer == nullptr) {
    return absl::InvalidArgumentError("an observer is required");
  }
  absl::StatusOr<std::unique_ptr<SessionCore>> core =
      absl::InternalError("not run");
  absl::Status ran = thread.PostAndWait([&] {
    core = SessionCore::Create(thread, std::move(config), local_fingerprint,
                               observer);
  });
  if (!ran.ok()) return ThreadStopped();
  if (!core.ok()) return core.status();
  return std::unique_ptr<IceSession>(new IceSession(thread, *std::move(core)));
}

IceSession::IceSession(NetworkThread& thread, std::unique_ptr<SessionCore> core)
    : thread_(thread), core_(std::move(core)) {}

IceSession::~IceSession() {
  Close();
  SessionCore* core = core_.release();
  if (!thread_.PostAndWait([core] { delete core; }).ok()) {
    // Nothing iterates the context any more: drop libnice's objects here.
    core->Abandon();
    delete core;
  }
}

absl::Status IceSession::Call(
    absl::AnyInvocable<absl::Status() &&> task) const {
  absl::Status result;
  absl::Status ran =
      thread_.PostAndWait([&result, &task] { result = std::move(task)(); });
  return ran.ok() ? result : ThreadStopped();
}

absl::Status IceSession::Start() {
  return Call([this] { return core_->Start(); });
}

absl::StatusOr<SessionDescription> IceSession::LocalDescription() const {
  absl::StatusOr<SessionDescription> description = ThreadStopped();
  absl::Status ran = thread_.PostAndWait(
      [this, &description] { description = core_->LocalDescription(); });
  return ran.ok() ? description : ThreadStopped();
}

absl::Status IceSession::SetRemoteDescription(
    const SessionDescription& description) {
  return Call([this, &description] {
    return core_->SetRemoteDescription(description);
  });
}

absl::Status IceSession::AddRemoteCandidate(const TrickleCandidate& candidate) {
  return Call(
      [this, &candidate] { return core_->AddRemoteCandidate(candidate); });
}

absl::Status IceSession::SetRemoteEndOfCandidates(const EndOfCandidates& end) {
  return Call([this, &end] { return core_->SetRemoteEndOfCandidates(end); });
}

absl::Status IceSession::AddRemoteTrickle(const TrickleMessage& message) {
  if (const auto* end = std::get_if<EndOfCandidates>(&message)) {
    return SetRemoteEndOfCandidates(*end);
  }
  return AddRemoteCandidate(std::get<TrickleCandidate>(message));
}

absl::Status IceSession::Send(absl::Span<const uint8_t> datagram) {
  return core_->send_path().Send(datagram);
}

absl::StatusOr<size_t> IceSession::SendBatch(
    absl::Span<const absl::Span<const uint8_t>> datagrams) {
  return core_->send_path().SendBatch(datagrams);
}

absl::Status IceSession::Restart() {
  return Call([this] { return core_->Restart(); });
}

void IceSession::Close() {
  if (thread_.IsCurrent()) {
    core_->Close(nullptr);
    return;
  }
  auto closed = std::make_shared<absl::Notification>();
  absl::Status ran = thread_.PostAndWait(
      [this, closed] { core_->Close([closed] { closed->Notify(); }); });
  if (ran.ok() && !closed->WaitForNotificationWithTimeout(kCloseWait)) {
    NATFWT_LOG(kWarning) << "ICE session: libnice still closing after "
                         << kCloseWait;
  }
}

absl::StatusOr<int> IceSession::SelectedSocket() {
  absl::StatusOr<int> fd = ThreadStopped();
  absl::Status ran =
      thread_.PostAndWait([this, &fd] { fd = core_->SelectedSocket(); });
  return ran.ok() ? fd : ThreadStopped();
}

absl::Status IceSession::PauseReceive() {
  return Call([this] { return core_->SetReceivePaused(true); });
}

absl::Status IceSession::ResumeReceive() {
  return Call([this] { return core_->SetReceivePaused(false); });
}

IceState IceSession::state() const { return core_->snapshot().state(); }

std::optional<SelectedPairInfo> IceSession::SelectedPair() const {
  return core_->snapshot().pair();
}

std::optional<Fingerprint> IceSession::RemoteFingerprint() const {
  return core_->snapshot().remote_fingerprint();
}

}  // namespace natfwt::ice
