// Copyright 2026 The natfwt Authors.
//
// SecureSession: taking a direct pair over from libnice (DirectPath),
// handing it back, answering ICE checks that reach the taken-over socket,
// and the keepalive timer (liveness.h).

#include <openssl/rand.h>

#include <array>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/session/secure_session.h"
#include "engine/session/secure_session_internal.h"
#include "engine/session/session_record.h"
#include "engine/session/stun_binding.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/net/udp_socket.h"

namespace natfwt::engine {
namespace {

uint64_t Sum(const relay::PathStats& s,
             std::initializer_list<relay::DropReason> reasons) {
  uint64_t total = 0;
  for (relay::DropReason reason : reasons) total += s.dropped(reason);
  return total;
}

uint64_t RandomId() {
  uint64_t id = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof(id)) != 1) {
    id = static_cast<uint64_t>(absl::ToUnixNanos(absl::Now()));
  }
  return id;
}

}  // namespace

// ---- the data thread ----

void SecureSession::DirectSink::OnPackets(
    absl::Span<relay::PacketSpan> packets) {
  thread_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  views_.clear();
  if (views_.capacity() < packets.size()) views_.reserve(packets.size());
  uint64_t bytes = 0, dropped = 0;
  for (const relay::PacketSpan& packet : packets) {
    if (packet.size == 0) {
      ++dropped;
      continue;
    }
    if (packet.data[0] == static_cast<uint8_t>(RecordKind::kData)) {
      views_.emplace_back(packet.data + kRecordKindSize,
                          packet.size - kRecordKindSize);
      bytes += packet.size - kRecordKindSize;
      continue;
    }
    session_->OnControlRecord(absl::MakeConstSpan(packet.data, packet.size));
  }
  session_->DeliverBatch(views_, bytes, dropped);
}

void SecureSession::DeliverBatch(
    absl::Span<const absl::Span<const uint8_t>> batch, uint64_t bytes,
    uint64_t dropped) {
  {
    absl::MutexLock lock(&mutex_);
    stats_.drops_other += dropped;
    if (state_ != SessionState::kSecure) return;
    stats_.packets_received += batch.size();
    stats_.bytes_received += bytes;
  }
  if (!batch.empty()) observer_->OnDataBatch(batch);
}

// ---- take-over and hand-back (network thread) ----

void SecureSession::MaybeTakeOver() {
  std::shared_ptr<AeadTransform> transform;
  {
    absl::MutexLock lock(&mutex_);
    if (!options_.direct_path || state_ != SessionState::kSecure ||
        !peer_confirmed_ || direct_ != nullptr) {
      return;
    }
    transform = transform_;
  }
  std::optional<ice::SelectedPairInfo> pair = ice_->SelectedPair();
  if (!pair.has_value()) return;
  if (Relayed(*pair)) {
    // A TURN relay caps the rate anyway, and taking the socket over would
    // stop libnice's checks, so ICE could never move on to a direct pair
    // that starts working later (and a relayed local end has no socket of
    // its own to take).
    NATFWT_LOG(kInfo) << "libnice keeps the I/O of this pair: it is relayed";
    return;
  }
  absl::StatusOr<int> fd = ice_->SelectedSocket();
  if (!fd.ok()) {
    NATFWT_LOG(kInfo) << "libnice keeps the I/O of this pair: "
                      << fd.status().message();
    return;
  }
  absl::Status started = StartDirect(*fd, *pair, std::move(transform));
  if (started.code() == absl::StatusCode::kFailedPrecondition) {
    NATFWT_LOG(kInfo) << "direct path not taken: " << started.message();
  } else if (!started.ok()) {
    NATFWT_LOG(kWarning) << "direct path not taken: " << started.message();
  }
}

absl::Status SecureSession::StartDirect(
    int fd, const ice::SelectedPairInfo& pair,
    std::shared_ptr<AeadTransform> transform) {
  // Adopt() owns the descriptor from here on, closing it on error.
  NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<net::UdpSocket> socket,
                          net::UdpSocket::Adopt(fd));
  NATFWT_ASSIGN_OR_RETURN(ice::SessionDescription local,
                          ice_->LocalDescription());
  auto direct = std::make_shared<Direct>();
  direct->transform = std::move(transform);
  direct->sink = std::make_unique<DirectSink>(this);
  direct->pair = pair;
  direct->ufrag = local.ufrag;
  direct->password = local.pwd;
  relay::DirectPathOptions options;
  options.remote =
      net::UdpEndpoint{pair.remote.address.address, pair.remote.address.port};
  options.transform = direct->transform.get();
  options.sink = direct->sink.get();
  // The data thread only queues; checks are answered on the network thread.
  options.on_control = [this] {
    Post([](SecureSession& s) { s.DrainStun(); });
  };
  options.max_packet_bytes = kMaxDatagramSize + kRecordKindSize;
  // Everything libnice read was delivered before this returns; what it did
  // not read stays in the socket for the DirectPath.
  NATFWT_RETURN_IF_ERROR(ice_->PauseReceive());
  absl::StatusOr<std::unique_ptr<relay::DirectPath>> path =
      relay::DirectPath::Start(std::move(socket), std::move(options));
  if (!path.ok()) {
    (void)ice_->ResumeReceive();
    return path.status();
  }
  direct->path = *std::move(path);
  {
    absl::MutexLock lock(&mutex_);
    if (state_ == SessionState::kSecure) {
      direct_ = direct;
      ++stats_.direct_takeovers;
      direct.reset();
    }
  }
  if (direct != nullptr) {  // Closed or failed meanwhile.
    direct->path->Stop();
    return absl::FailedPreconditionError("the session ended meanwhile");
  }
  NATFWT_LOG(kInfo) << "took the direct path over: "
                    << pair.local.address.address.ToString() << ":"
                    << pair.local.address.port << " -> "
                    << pair.remote.address.address.ToString() << ":"
                    << pair.remote.address.port;
  return absl::OkStatus();
}

void SecureSession::TearDownDirect(bool resume_ice) {
  std::shared_ptr<Direct> direct;
  bool defer = false;
  {
    absl::MutexLock lock(&mutex_);
    if (direct_ == nullptr) return;
    if (direct_->sink->OnDataThread()) {
      defer = true;  // The data thread cannot join itself.
    } else {
      direct = std::move(direct_);
    }
  }
  if (defer) {
    Post([resume_ice](SecureSession& s) { s.TearDownDirect(resume_ice); });
    return;
  }
  direct->path->Stop();  // Joins the data thread; senders return.
  {
    absl::MutexLock lock(&mutex_);
    FoldDirectStats(*direct, stats_);
  }
  if (resume_ice) {
    absl::Status resumed = ice_->ResumeReceive();
    if (!resumed.ok()) {
      NATFWT_LOG(kInfo) << "libnice reception not resumed: "
                        << resumed.message();
    }
  }
  NATFWT_LOG(kInfo) << "direct path stopped"
                    << (resume_ice ? "; libnice carries the session again"
                                   : "");
}

void SecureSession::FoldDirectStats(const Direct& direct, SessionStats& s) {
  using D = relay::DropReason;
  const relay::PathStats p = direct.path->stats();
  s.direct_records_sent += p.packets_sent;
  s.direct_records_received += p.packets_received;
  s.direct_send_calls += p.send_calls;
  s.direct_receive_calls += p.receive_calls;
  s.direct_gso_segments += p.gso_segments;
  s.direct_gro_segments += p.gro_segments;
  s.drops_auth += p.dropped(D::kOpenAuthentication);
  s.drops_replay += p.dropped(D::kOpenReplay);
  s.drops_other +=
      Sum(p, {D::kOpenMalformed, D::kOpenNoKey, D::kOpenOther, D::kTruncated,
              D::kMalformedStun, D::kUnexpectedSource, D::kControlQueueFull});
  s.drops_unknown_type +=
      Sum(p, {D::kDtls, D::kTurnChannel, D::kRtp, D::kZrtp, D::kUnknownClass});
}

// ---- STUN on the taken-over socket (network thread) ----

void SecureSession::DrainStun() {
  std::shared_ptr<Direct> direct;
  {
    absl::MutexLock lock(&mutex_);
    direct = direct_;
  }
  if (direct == nullptr) return;
  const stun::LocalCredentials local{direct->ufrag, direct->password};
  std::array<uint8_t, stun::kMaxAnswerSize> answer;
  uint64_t answered = 0, ignored = 0;
  direct->path->DrainControl(
      [&](absl::Span<const uint8_t> message, const net::UdpEndpoint& source) {
        absl::StatusOr<size_t> size = stun::AnswerBindingRequest(
            message, source, local, absl::MakeSpan(answer));
        if (size.ok() &&
            direct->path
                ->SendControl(absl::MakeConstSpan(answer.data(), *size), source)
                .ok()) {
          ++answered;
        } else {
          ++ignored;
        }
      });
  absl::MutexLock lock(&mutex_);
  stats_.stun_answered += answered;
  stats_.stun_ignored += ignored;
}

// ---- liveness ----

void SecureSession::StartLiveness() {
  LivenessOptions options = options_.liveness;
  if (!options_.ice.consent_freshness) {
    options.expiry = absl::InfiniteDuration();
  }
  const uint64_t first_id = RandomId();
  absl::MutexLock lock(&liveness_mutex_);
  liveness_.emplace(options, clock_.Now(), first_id);
  jitter_.seed(static_cast<uint32_t>(first_id));
}

void SecureSession::OnLivenessTimer() {
  bool path_broken;
  {
    absl::MutexLock lock(&mutex_);
    if (state_ != SessionState::kSecure) return;
    path_broken = direct_ != nullptr && direct_->path->failed();
  }
  // The data thread gave up on the socket: libnice reads it again.
  if (path_broken) TearDownDirect(true);
  Liveness::Action action;
  {
    absl::MutexLock lock(&liveness_mutex_);
    liveness_timer_ = 0;
    if (!liveness_.has_value()) return;
    const double unit = static_cast<double>(jitter_() - jitter_.min()) /
                        static_cast<double>(jitter_.max() - jitter_.min());
    action = liveness_->OnTimer(clock_.Now(), 0.8 + 0.4 * unit);
  }
  if (action.expired) {
    const std::string why =
        absl::StrCat("consent expired (RFC 7675): no keepalive answered in ",
                     absl::FormatDuration(options_.liveness.expiry));
    NATFWT_LOG(kWarning) << why;
    TearDownDirect(false);  // Before the observer hears of it.
    SetState(SessionState::kFailed, absl::UnavailableError(why));
    return;
  }
  if (action.request.has_value()) {
    std::array<uint8_t, kKeepaliveSize> request;
    WriteKeepalive(Keepalive{false, *action.request}, absl::MakeSpan(request));
    const absl::Span<const uint8_t> body =
        absl::MakeConstSpan(request).subspan(kRecordKindSize);
    (void)SendFramed(request[0], absl::MakeConstSpan(&body, 1));
  }
  ScheduleLiveness(action.next);
}

void SecureSession::ScheduleLiveness(absl::Time at) {
  absl::MutexLock lock(&liveness_mutex_);
  liveness_timer_ = clock_.CallAfter(at - clock_.Now(), [anchor = anchor_] {
    PostTo(anchor, [](SecureSession& s) { s.OnLivenessTimer(); });
  });
}

}  // namespace natfwt::engine
