// Copyright 2026 The natfwt Authors.

#include "engine/session/secure_session.h"

#include <utility>
#include <vector>

#include "platform/base/logging.h"

namespace natfwt::engine {
namespace {

// RFC 7983 section 7: DTLS records start with 20-63. natfwt data records:
// engine/secure/aead_channel.h (0xD0-0xD7).
bool IsDtls(uint8_t first) { return first >= 20 && first <= 63; }
bool IsData(uint8_t first) { return first >= 0xD0 && first <= 0xD7; }

}  // namespace

absl::string_view SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kNew:
      return "new";
    case SessionState::kConnecting:
      return "connecting";
    case SessionState::kHandshaking:
      return "handshaking";
    case SessionState::kSecure:
      return "secure";
    case SessionState::kFailed:
      return "failed";
    case SessionState::kClosed:
      return "closed";
  }
  return "?";
}

// Forwards the ICE session's events (network thread) to the session.
class SecureSession::IceEvents : public ice::IceSessionObserver {
 public:
  explicit IceEvents(SecureSession* session) : session_(session) {}
  void OnLocalCandidate(const ice::TrickleCandidate& candidate) override {
    session_->observer_->OnLocalCandidate(candidate);
  }
  void OnGatheringDone(const ice::EndOfCandidates&) override {
    session_->observer_->OnGatheringDone();
  }
  void OnStateChanged(ice::IceState state) override {
    session_->OnIceState(state);
  }
  void OnSelectedPair(const ice::SelectedPairInfo& pair) override {
    session_->observer_->OnSelectedPair(pair);
  }
  void OnData(absl::Span<const uint8_t> data) override {
    session_->OnDatagram(data);
  }
  void OnConsentLost() override {
    NATFWT_LOG(kInfo) << "consent to send lost (RFC 7675)";
  }
  void OnIceRestart(ice::RestartCause) override {}

 private:
  SecureSession* const session_;
};

SecureSession::SecureSession(const secure::Identity& identity, Clock& clock,
                             Options options, SecureSessionObserver* observer)
    : identity_(identity),
      clock_(clock),
      options_(std::move(options)),
      observer_(observer),
      ice_events_(std::make_unique<IceEvents>(this)) {}

absl::StatusOr<std::unique_ptr<SecureSession>> SecureSession::Create(
    NetworkThread& thread, const secure::Identity& identity, Options options,
    SecureSessionObserver* observer) {
  if (observer == nullptr) {
    return absl::InvalidArgumentError("SecureSession needs an observer");
  }
  Clock& clock = options.clock != nullptr ? *options.clock : RealClock::Get();
  std::unique_ptr<SecureSession> session(
      new SecureSession(identity, clock, options, observer));
  absl::StatusOr<std::unique_ptr<ice::IceSession>> ice =
      ice::IceSession::Create(thread, options.ice, identity.fingerprint(),
                              session->ice_events_.get());
  if (!ice.ok()) return ice.status();
  session->ice_ = std::move(*ice);
  return session;
}

SecureSession::~SecureSession() { Close(); }

absl::Status SecureSession::Start() {
  absl::Status started = ice_->Start();
  if (started.ok()) SetState(SessionState::kConnecting, absl::OkStatus());
  return started;
}

absl::StatusOr<ice::SessionDescription> SecureSession::LocalDescription()
    const {
  return ice_->LocalDescription();
}

absl::Status SecureSession::SetRemoteDescription(
    const ice::SessionDescription& remote) {
  {
    absl::MutexLock lock(&mutex_);
    if (expected_peer_.has_value() && *expected_peer_ != remote.fingerprint) {
      return absl::FailedPreconditionError(
          "the peer's identity cannot change within a session");
    }
    expected_peer_ = remote.fingerprint;
  }
  return ice_->SetRemoteDescription(remote);
}

absl::Status SecureSession::AddRemoteCandidate(
    const ice::TrickleCandidate& candidate) {
  return ice_->AddRemoteCandidate(candidate);
}

void SecureSession::OnIceState(ice::IceState state) {
  switch (state) {
    case ice::IceState::kConnected:
      StartHandshake();
      break;
    case ice::IceState::kFailed:
      SetState(SessionState::kFailed,
               absl::UnavailableError("ICE found no working path"));
      break;
    default:
      break;
  }
}

void SecureSession::StartHandshake() {
  std::shared_ptr<secure::DtlsHandshake> handshake;
  {
    absl::MutexLock lock(&mutex_);
    if (handshake_ != nullptr || !expected_peer_.has_value() ||
        state_ == SessionState::kClosed || state_ == SessionState::kFailed) {
      return;
    }
    secure::DtlsRole role = options_.ice.controlling
                                ? secure::DtlsRole::kClient
                                : secure::DtlsRole::kServer;
    absl::StatusOr<std::unique_ptr<secure::DtlsHandshake>> created =
        secure::DtlsHandshake::Create(
            identity_, role, *expected_peer_, clock_,
            [this](absl::Span<const uint8_t> datagram) {
              (void)ice_->Send(datagram);
            },
            [this](secure::DtlsHandshake::State done, const absl::Status& why) {
              OnHandshakeState(done, why);
            },
            options_.dtls);
    if (!created.ok()) {
      NATFWT_LOG(kError) << "DTLS setup failed: " << created.status().message();
      return;
    }
    handshake_ = std::move(*created);
    handshake = handshake_;
  }
  SetState(SessionState::kHandshaking, absl::OkStatus());
  absl::Status started = handshake->Start();
  if (!started.ok()) NATFWT_LOG(kInfo) << "DTLS: " << started.message();
}

void SecureSession::OnHandshakeState(secure::DtlsHandshake::State done,
                                     const absl::Status& why) {
  std::shared_ptr<secure::DtlsHandshake> handshake;
  {
    absl::MutexLock lock(&mutex_);
    handshake = handshake_;
  }
  if (handshake == nullptr) return;
  if (done == secure::DtlsHandshake::State::kFailed) {
    {
      absl::MutexLock lock(&mutex_);
      stats_.fingerprint_mismatches = handshake->stats().fingerprint_mismatches;
    }
    NATFWT_LOG(kWarning) << "peer not authenticated: " << why.message();
    SetState(SessionState::kFailed, why);
    return;
  }
  absl::StatusOr<secure::ChannelKeys> keys = handshake->keys();
  absl::StatusOr<std::unique_ptr<secure::AeadChannel>> channel =
      keys.ok()
          ? secure::AeadChannel::Create(*keys, handshake->role(), options_.aead)
          : keys.status();
  if (!channel.ok()) {
    SetState(SessionState::kFailed, channel.status());
    return;
  }
  {
    absl::MutexLock lock(&mutex_);
    channel_ = std::move(*channel);
  }
  SetState(SessionState::kSecure, absl::OkStatus());
}

void SecureSession::OnDatagram(absl::Span<const uint8_t> datagram) {
  if (datagram.empty()) return;
  uint8_t first = datagram[0];
  if (IsData(first)) return OpenRecord(datagram);
  if (IsDtls(first)) {
    // The controlling side may start before this side saw ICE connect.
    StartHandshake();
    std::shared_ptr<secure::DtlsHandshake> handshake;
    {
      absl::MutexLock lock(&mutex_);
      handshake = handshake_;
    }
    if (handshake != nullptr) (void)handshake->OnDatagram(datagram);
    return;
  }
  absl::MutexLock lock(&mutex_);
  ++stats_.drops_unknown_type;
}

void SecureSession::OpenRecord(absl::Span<const uint8_t> record) {
  std::shared_ptr<secure::AeadChannel> channel;
  {
    absl::MutexLock lock(&mutex_);
    channel = channel_;
    if (channel == nullptr) {
      ++stats_.drops_not_secure;
      return;
    }
  }
  // Records arrive on the network thread only.
  thread_local std::vector<uint8_t> plaintext(65536);
  secure::AeadChannel::OpenResult opened =
      channel->Open(record, absl::MakeSpan(plaintext));
  {
    absl::MutexLock lock(&mutex_);
    using Drop = secure::AeadChannel::DropReason;
    switch (opened.drop) {
      case Drop::kNone:
        ++stats_.packets_received;
        stats_.bytes_received += opened.size;
        break;
      case Drop::kAuthFailed:
        ++stats_.drops_auth;
        return;
      case Drop::kReplayed:
      case Drop::kTooOld:
        ++stats_.drops_replay;
        return;
      default:
        ++stats_.drops_other;
        return;
    }
  }
  observer_->OnData(absl::MakeConstSpan(plaintext.data(), opened.size));
}

absl::Status SecureSession::Send(absl::Span<const uint8_t> data) {
  std::shared_ptr<secure::AeadChannel> channel;
  {
    absl::MutexLock lock(&mutex_);
    channel = channel_;
    if (channel == nullptr || state_ != SessionState::kSecure) {
      ++stats_.send_errors;
      return absl::FailedPreconditionError("the session is not secure yet");
    }
  }
  if (data.size() > secure::AeadChannel::kMaxPlaintextSize) {
    absl::MutexLock lock(&mutex_);
    ++stats_.send_errors;
    return absl::InvalidArgumentError("datagram too large for a record");
  }
  thread_local std::vector<uint8_t> record(65536);
  size_t size;
  {
    absl::MutexLock lock(&seal_mutex_);
    size = channel->Seal(data, absl::MakeSpan(record));
  }
  absl::Status sent =
      size == 0 ? absl::InternalError("sealing failed")
                : ice_->Send(absl::MakeConstSpan(record.data(), size));
  absl::MutexLock lock(&mutex_);
  if (sent.ok()) {
    ++stats_.packets_sent;
    stats_.bytes_sent += data.size();
  } else {
    ++stats_.send_errors;
  }
  return sent;
}

void SecureSession::SetState(SessionState state, const absl::Status& why) {
  {
    absl::MutexLock lock(&mutex_);
    if (state_ == state || state_ == SessionState::kClosed ||
        (state_ == SessionState::kFailed && state != SessionState::kClosed)) {
      return;
    }
    state_ = state;
  }
  observer_->OnStateChanged(state, why);
}

void SecureSession::Close() {
  {
    absl::MutexLock lock(&mutex_);
    if (state_ == SessionState::kClosed) return;
  }
  if (ice_ != nullptr) ice_->Close();
  std::shared_ptr<secure::DtlsHandshake> handshake;
  {
    absl::MutexLock lock(&mutex_);
    handshake = std::move(handshake_);
    state_ = SessionState::kClosed;
  }
  handshake.reset();  // Cancels its timers: no callback after this.
}

SessionState SecureSession::state() const {
  absl::MutexLock lock(&mutex_);
  return state_;
}

SessionStats SecureSession::stats() const {
  absl::MutexLock lock(&mutex_);
  return stats_;
}

std::optional<ice::SelectedPairInfo> SecureSession::SelectedPair() const {
  return ice_->SelectedPair();
}

}  // namespace natfwt::engine
