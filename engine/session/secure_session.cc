// Copyright 2026 The natfwt Authors.
//
// SecureSession: lifecycle, ICE events, the DTLS handshake and records
// arriving through libnice. Sending: secure_session_send.cc. The direct path,
// STUN answers and liveness: secure_session_direct.cc.

#include "engine/session/secure_session.h"

#include <utility>
#include <vector>

#include "engine/session/secure_session_internal.h"
#include "engine/session/session_record.h"
#include "platform/base/logging.h"

namespace natfwt::engine {
namespace {

// RFC 7983 section 7: DTLS records start with 20-63. natfwt data records:
// engine/secure/aead_channel.h (0xD0-0xD7).
bool IsDtls(uint8_t first) { return first >= 20 && first <= 63; }
bool IsData(uint8_t first) { return first >= 0xD0 && first <= 0xD7; }

bool SamePath(const ice::SelectedPairInfo& a, const ice::SelectedPairInfo& b) {
  return a.local.address == b.local.address &&
         a.remote.address == b.remote.address &&
         a.local.transport == b.local.transport && a.local.type == b.local.type;
}

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
    session_->OnIcePair(pair);
  }
  void OnData(absl::Span<const uint8_t> data) override {
    session_->OnDatagram(data);
  }
  void OnConsentLost() override {
    NATFWT_LOG(kInfo) << "consent to send lost (RFC 7675)";
  }
  void OnIceRestart(ice::RestartCause) override {
    // New credentials and soon another pair: libnice takes the I/O back
    // (it must read the new generation's checks).
    session_->TearDownDirect(true);
    session_->observer_->OnIceRestart();
  }

 private:
  SecureSession* const session_;
};

SecureSession::SecureSession(NetworkThread& thread,
                             const secure::Identity& identity, Clock& clock,
                             Options options, SecureSessionObserver* observer)
    : thread_(thread),
      identity_(identity),
      clock_(clock),
      options_(std::move(options)),
      observer_(observer),
      anchor_(std::make_shared<Anchor>()),
      ice_events_(std::make_unique<IceEvents>(this)) {
  absl::MutexLock lock(&anchor_->mutex);
  anchor_->thread = &thread;
  anchor_->session = this;
}

absl::StatusOr<std::unique_ptr<SecureSession>> SecureSession::Create(
    NetworkThread& thread, const secure::Identity& identity, Options options,
    SecureSessionObserver* observer) {
  if (observer == nullptr) {
    return absl::InvalidArgumentError("SecureSession needs an observer");
  }
  Clock& clock = options.clock != nullptr ? *options.clock : RealClock::Get();
  ice::SessionConfig ice_config = options.ice;
  // libnice cannot keep consent on a socket it no longer reads; the
  // session's keepalives carry it instead (file comment of the header).
  if (options.direct_path) ice_config.consent_freshness = false;
  std::unique_ptr<SecureSession> session(
      new SecureSession(thread, identity, clock, std::move(options), observer));
  absl::StatusOr<std::unique_ptr<ice::IceSession>> ice =
      ice::IceSession::Create(thread, std::move(ice_config),
                              identity.fingerprint(),
                              session->ice_events_.get());
  if (!ice.ok()) return ice.status();
  session->ice_ = std::move(*ice);
  return session;
}

SecureSession::~SecureSession() {
  Close();
  // A Close() from a data callback finishes on the network thread; here
  // (the network thread itself, say) it may have to finish it.
  if (thread_.IsCurrent()) FinishClose();
  closed_.WaitForNotification();
  TearDownDirect(false);
}

bool SecureSession::PostTo(const std::shared_ptr<Anchor>& anchor,
                           absl::AnyInvocable<void(SecureSession&) &&> task) {
  absl::MutexLock lock(&anchor->mutex);
  if (anchor->thread == nullptr) return false;
  return anchor->thread->Post([anchor, task = std::move(task)]() mutable {
    if (anchor->session != nullptr) std::move(task)(*anchor->session);
  });
}

absl::Status SecureSession::Start() {
  absl::Status started = ice_->Start();
  if (started.ok()) SetState(SessionState::kConnecting, absl::OkStatus());
  return started;
}

absl::Status SecureSession::Restart() {
  TearDownDirect(true);
  return ice_->Restart();
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
  for (const ice::Candidate& candidate : remote.candidates) {
    NoteRemoteCandidate(candidate);
  }
  return ice_->SetRemoteDescription(remote);
}

absl::Status SecureSession::AddRemoteCandidate(
    const ice::TrickleCandidate& candidate) {
  NoteRemoteCandidate(candidate.candidate);
  return ice_->AddRemoteCandidate(candidate);
}

absl::Status SecureSession::AddRemoteTrickle(
    const ice::TrickleMessage& message) {
  if (const auto* candidate = std::get_if<ice::TrickleCandidate>(&message)) {
    NoteRemoteCandidate(candidate->candidate);
  }
  return ice_->AddRemoteTrickle(message);
}

bool SecureSession::Relayed(const ice::SelectedPairInfo& pair) const {
  if (pair.local.type == ice::CandidateType::kRelay ||
      pair.remote.type == ice::CandidateType::kRelay) {
    return true;
  }
  absl::MutexLock lock(&mutex_);
  return remote_relays_.contains(pair.remote.address.ToString());
}

void SecureSession::NoteRemoteCandidate(const ice::Candidate& candidate) {
  if (candidate.type != ice::CandidateType::kRelay) return;
  std::string address = candidate.address.ToString();
  bool taken_over_relay = false;
  {
    absl::MutexLock lock(&mutex_);
    if (remote_relays_.size() < kMaxRemoteRelays) {
      remote_relays_.insert(address);
    }
    taken_over_relay = direct_ != nullptr &&
                       direct_->pair.remote.address.ToString() == address;
  }
  if (taken_over_relay) {
    // We took a peer-reflexive path over that turns out to be the peer's
    // TURN relay: hand it back so that ICE can still find a direct pair.
    Post([](SecureSession& s) { s.TearDownDirect(true); });
  }
}

void SecureSession::OnIceState(ice::IceState state) {
  switch (state) {
    case ice::IceState::kConnected:
      FlushUnsent();
      if (!EnterPresetSecure()) StartHandshake();
      // After an ICE restart: take the (new) pair over again.
      Post([](SecureSession& s) { s.MaybeTakeOver(); });
      break;
    case ice::IceState::kFailed: {
      bool direct;
      {
        absl::MutexLock lock(&mutex_);
        direct = direct_ != nullptr;
      }
      if (direct) {
        // libnice does not read the taken-over socket: its view of the
        // pair is stale. The keepalives decide (liveness).
        NATFWT_LOG(kInfo) << "ICE reports failure; the direct path's "
                             "keepalives keep deciding liveness";
        break;
      }
      SetState(SessionState::kFailed,
               absl::UnavailableError("ICE found no working path"));
      break;
    }
    default:
      break;
  }
}

void SecureSession::OnIcePair(const ice::SelectedPairInfo& pair) {
  observer_->OnSelectedPair(pair);
  Post([pair](SecureSession& s) {
    std::shared_ptr<Direct> direct;
    {
      absl::MutexLock lock(&s.mutex_);
      direct = s.direct_;
    }
    if (direct != nullptr && !SamePath(direct->pair, pair)) {
      s.TearDownDirect(true);
    }
    s.MaybeTakeOver();
  });
}

absl::Status SecureSession::UsePresetKeys(const secure::ChannelKeys& keys,
                                          secure::DtlsRole role) {
  absl::StatusOr<std::unique_ptr<secure::AeadChannel>> channel =
      secure::AeadChannel::Create(keys, role, options_.aead);
  if (!channel.ok()) return channel.status();
  absl::MutexLock lock(&mutex_);
  if (preset_ != nullptr || handshake_ != nullptr || transform_ != nullptr) {
    return absl::FailedPreconditionError(
        "keys were set already or a handshake started");
  }
  preset_ = std::make_shared<AeadTransform>(std::move(*channel));
  if (!unopened_.empty()) {
    Post([records = std::move(unopened_)](SecureSession& s) {
      for (const std::vector<uint8_t>& record : records) s.OpenRecord(record);
    });
    unopened_.clear();
  }
  return absl::OkStatus();
}

bool SecureSession::EnterPresetSecure() {
  {
    absl::MutexLock lock(&mutex_);
    if (preset_ == nullptr) return false;
    if (transform_ != nullptr || state_ == SessionState::kClosed ||
        state_ == SessionState::kFailed) {
      return true;
    }
    transform_ = preset_;
  }
  BecomeSecure();
  return true;
}

void SecureSession::StartHandshake() {
  std::shared_ptr<secure::DtlsHandshake> handshake;
  {
    absl::MutexLock lock(&mutex_);
    if (handshake_ != nullptr || preset_ != nullptr ||
        !expected_peer_.has_value() || state_ == SessionState::kClosed ||
        state_ == SessionState::kFailed) {
      return;
    }
    secure::DtlsRole role = options_.ice.controlling
                                ? secure::DtlsRole::kClient
                                : secure::DtlsRole::kServer;
    absl::StatusOr<std::unique_ptr<secure::DtlsHandshake>> created =
        secure::DtlsHandshake::Create(
            identity_, role, *expected_peer_, clock_,
            [this](absl::Span<const uint8_t> datagram) {
              (void)SendOrKeep(datagram);
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
    // Records sent before the handshake cannot open with its keys.
    stats_.drops_not_secure += unopened_.size();
    unopened_.clear();
  }
  SetState(SessionState::kHandshaking, absl::OkStatus());
  absl::Status started = handshake->Start();
  if (!started.ok()) NATFWT_LOG(kInfo) << "DTLS: " << started.message();
}

absl::Status SecureSession::SendOrKeep(absl::Span<const uint8_t> datagram) {
  {
    absl::MutexLock lock(&mutex_);
    if (!ice_connected_) {
      if (unsent_.size() >= kMaxUnsent) {
        return absl::UnavailableError(
            "no path yet, and the early queue is full");
      }
      unsent_.emplace_back(datagram.begin(), datagram.end());
      return absl::OkStatus();
    }
  }
  return ice_->Send(datagram);
}

void SecureSession::FlushUnsent() {
  std::vector<std::vector<uint8_t>> unsent;
  {
    absl::MutexLock lock(&mutex_);
    ice_connected_ = true;
    unsent.swap(unsent_);
  }
  for (const std::vector<uint8_t>& datagram : unsent) {
    (void)ice_->Send(datagram);
  }
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
    transform_ = std::make_shared<AeadTransform>(std::move(*channel));
  }
  BecomeSecure();
}

void SecureSession::BecomeSecure() {
  StartLiveness();
  SetState(SessionState::kSecure, absl::OkStatus());
  Post([](SecureSession& s) { s.OnLivenessTimer(); });
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
  std::shared_ptr<AeadTransform> transform;
  bool early = false;
  {
    absl::MutexLock lock(&mutex_);
    transform = transform_;
    if (transform == nullptr && preset_ != nullptr) {
      // The peer's ICE connected first: a record that opens with the
      // preset keys makes this side secure too.
      transform = preset_;
      early = true;
    }
    if (transform == nullptr) {
      if (handshake_ == nullptr && unopened_.size() < kMaxUnopened) {
        unopened_.emplace_back(record.begin(), record.end());
        ++stats_.early_records;
      } else {
        ++stats_.drops_not_secure;
      }
      return;
    }
  }
  // Records arrive on the network thread only.
  thread_local std::vector<uint8_t> plaintext(65536);
  secure::AeadChannel::OpenResult opened =
      transform->Open(record, absl::MakeSpan(plaintext));
  bool confirmed_now = false;
  {
    absl::MutexLock lock(&mutex_);
    using Drop = secure::AeadChannel::DropReason;
    switch (opened.drop) {
      case Drop::kNone:
        confirmed_now = !peer_confirmed_;
        peer_confirmed_ = true;
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
  if (early) EnterPresetSecure();
  if (confirmed_now) Post([](SecureSession& s) { s.MaybeTakeOver(); });
  const absl::Span<const uint8_t> opened_bytes(plaintext.data(), opened.size);
  if (opened.size == 0 ||
      opened_bytes[0] != static_cast<uint8_t>(RecordKind::kData)) {
    return OnControlRecord(opened_bytes);
  }
  {
    absl::MutexLock lock(&mutex_);
    ++stats_.packets_received;
    stats_.bytes_received += opened.size - kRecordKindSize;
  }
  observer_->OnData(opened_bytes.subspan(kRecordKindSize));
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
  bool on_data_thread;
  {
    absl::MutexLock lock(&mutex_);
    if (state_ == SessionState::kClosed) return;
    state_ = SessionState::kClosed;
    on_data_thread = direct_ != nullptr && direct_->sink->OnDataThread();
  }
  // The data thread must not wait for the network thread, which may be
  // joining it: the rest of the work goes there (~SecureSession waits).
  if (on_data_thread &&
      PostTo(anchor_, [](SecureSession& s) { s.FinishClose(); })) {
    return;
  }
  FinishClose();
}

void SecureSession::FinishClose() {
  if (finishing_.exchange(true)) return;
  {
    absl::MutexLock lock(&liveness_mutex_);
    if (liveness_timer_ != 0) clock_.Cancel(liveness_timer_);
    liveness_timer_ = 0;
  }
  TearDownDirect(false);
  if (ice_ != nullptr) ice_->Close();
  // From here no posted task or timer reaches this session.
  absl::Status detached =
      thread_.PostAndWait([this] { anchor_->session = nullptr; });
  {
    absl::MutexLock lock(&anchor_->mutex);
    anchor_->thread = nullptr;
    if (!detached.ok()) anchor_->session = nullptr;  // No loop runs tasks.
  }
  std::shared_ptr<secure::DtlsHandshake> handshake;
  {
    absl::MutexLock lock(&mutex_);
    handshake = std::move(handshake_);
  }
  handshake.reset();  // Cancels its timers: no callback after this.
  closed_.Notify();
}

SessionState SecureSession::state() const {
  absl::MutexLock lock(&mutex_);
  return state_;
}

SessionStats SecureSession::stats() const {
  SessionStats stats;
  {
    absl::MutexLock lock(&mutex_);
    stats = stats_;
    if (direct_ != nullptr) {
      FoldDirectStats(*direct_, stats);
      stats.direct_path = true;
      stats.direct_gso = direct_->path->gso_enabled();
      stats.direct_gro = direct_->path->gro_enabled();
    }
  }
  absl::MutexLock lock(&liveness_mutex_);
  if (liveness_.has_value()) {
    stats.keepalives_sent = liveness_->requests_sent();
    stats.keepalive_responses = liveness_->responses_matched();
    stats.rtt = liveness_->rtt();
  }
  return stats;
}

std::optional<ice::SelectedPairInfo> SecureSession::SelectedPair() const {
  std::optional<ice::SelectedPairInfo> pair = ice_->SelectedPair();
  {
    absl::MutexLock lock(&mutex_);
    if (direct_ != nullptr) pair = direct_->pair;
  }
  if (pair.has_value()) {
    absl::MutexLock lock(&liveness_mutex_);
    if (liveness_.has_value()) pair->rtt = liveness_->rtt();
  }
  return pair;
}

}  // namespace natfwt::engine
