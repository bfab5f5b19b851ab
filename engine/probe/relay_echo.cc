// Copyright 2026 The natfwt Authors.

#include "engine/probe/relay_echo.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "engine/ice/ice_session.h"
#include "platform/base/network_thread.h"
#include "platform/base/status_macros.h"

namespace natfwt::probe {
namespace {

using ice::IceSession;
using ice::IceState;

constexpr absl::string_view kPayloadPrefix = "natfwt-turn-check ";
// How long one datagram's echo is awaited before it counts as lost
// (implementation choice; the deadline caps it).
constexpr absl::Duration kEchoWait = absl::Seconds(1);
constexpr int kMaxDatagrams = 1000;

// One session's events, and its signalling to the other session: the
// in-memory equivalent of trickle lines (ice_session.h). Callbacks run on
// the network thread.
class Peer : public ice::IceSessionObserver {
 public:
  explicit Peer(bool echoes) : echoes_(echoes) {}

  // Set before the sessions start; never changed afterwards.
  void Connect(IceSession* self, IceSession* other) {
    self_ = self;
    other_ = other;
  }

  void OnLocalCandidate(const ice::TrickleCandidate& candidate) override {
    (void)other_->AddRemoteCandidate(candidate);
    absl::MutexLock lock(&mutex_);
    if (candidate.candidate.type == ice::CandidateType::kRelay) ++relays_;
  }
  void OnGatheringDone(const ice::EndOfCandidates& end) override {
    (void)other_->SetRemoteEndOfCandidates(end);
    absl::MutexLock lock(&mutex_);
    gathered_ = true;
  }
  void OnStateChanged(IceState state) override {
    absl::MutexLock lock(&mutex_);
    state_ = state;
  }
  void OnSelectedPair(const ice::SelectedPairInfo&) override {}
  void OnData(absl::Span<const uint8_t> data) override;
  void OnConsentLost() override {}
  void OnIceRestart(ice::RestartCause) override {}

  struct Settled {
    IceState state;
    int relays;  // Relayed candidates gathered.
    bool gathered;
  };
  // Waits until connected, failed, gathered without a relayed candidate, or
  // `deadline`.
  Settled AwaitSettled(absl::Time deadline);
  // Waits for the echo of datagram `sequence`; its arrival time.
  std::optional<absl::Time> AwaitEcho(int sequence, absl::Time deadline);

 private:
  const bool echoes_;
  IceSession* self_ = nullptr;
  IceSession* other_ = nullptr;
  absl::Mutex mutex_;
  IceState state_ ABSL_GUARDED_BY(mutex_) = IceState::kNew;
  int relays_ ABSL_GUARDED_BY(mutex_) = 0;
  bool gathered_ ABSL_GUARDED_BY(mutex_) = false;
  std::map<int, absl::Time> echoes_seen_ ABSL_GUARDED_BY(mutex_);
};

void Peer::OnData(absl::Span<const uint8_t> data) {
  if (echoes_) {
    (void)self_->Send(data);
    return;
  }
  absl::string_view text(reinterpret_cast<const char*>(data.data()),
                         data.size());
  int sequence = 0;
  if (!absl::ConsumePrefix(&text, kPayloadPrefix) ||
      !absl::SimpleAtoi(text, &sequence)) {
    return;
  }
  absl::MutexLock lock(&mutex_);
  echoes_seen_.emplace(sequence, absl::Now());
}

Peer::Settled Peer::AwaitSettled(absl::Time deadline) {
  absl::MutexLock lock(&mutex_);
  auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return state_ == IceState::kConnected || state_ == IceState::kFailed ||
           (gathered_ && relays_ == 0);
  };
  mutex_.AwaitWithDeadline(absl::Condition(&settled), deadline);
  return {state_, relays_, gathered_};
}

std::optional<absl::Time> Peer::AwaitEcho(int sequence, absl::Time deadline) {
  absl::MutexLock lock(&mutex_);
  auto arrived = [this, sequence]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return echoes_seen_.contains(sequence);
  };
  if (!mutex_.AwaitWithDeadline(absl::Condition(&arrived), deadline)) {
    return std::nullopt;
  }
  return echoes_seen_[sequence];
}

ice::SessionConfig RelayConfig(const RelayEchoOptions& options,
                               bool controlling) {
  ice::SessionConfig config;
  config.turn_servers = {options.server};
  config.relay_only = true;
  config.local_addresses = {options.local};
  config.ipv4 = options.local.is_v4();
  config.ipv6 = options.local.is_v6();
  config.controlling = controlling;
  const absl::Duration left =
      std::max(options.deadline - absl::Now(), absl::Milliseconds(1));
  config.timeouts.gathering = left;
  config.timeouts.connectivity = left;
  return config;
}

// Both sessions, closed (allocations released) before the thread stops.
struct Sessions {
  NetworkThread thread{"natfwt-turn"};
  Peer a{false};
  Peer b{true};
  std::unique_ptr<IceSession> session_a;
  std::unique_ptr<IceSession> session_b;

  ~Sessions() {
    if (session_a) session_a->Close();
    if (session_b) session_b->Close();
    session_a.reset();
    session_b.reset();
  }
};

absl::Status Open(Sessions& s, const RelayEchoOptions& options) {
  NATFWT_RETURN_IF_ERROR(s.thread.Start());
  NATFWT_ASSIGN_OR_RETURN(
      s.session_a,
      IceSession::Create(s.thread, RelayConfig(options, true), {}, &s.a));
  NATFWT_ASSIGN_OR_RETURN(
      s.session_b,
      IceSession::Create(s.thread, RelayConfig(options, false), {}, &s.b));
  s.a.Connect(s.session_a.get(), s.session_b.get());
  s.b.Connect(s.session_b.get(), s.session_a.get());
  NATFWT_ASSIGN_OR_RETURN(ice::SessionDescription from_a,
                          s.session_a->LocalDescription());
  NATFWT_ASSIGN_OR_RETURN(ice::SessionDescription from_b,
                          s.session_b->LocalDescription());
  NATFWT_RETURN_IF_ERROR(s.session_b->SetRemoteDescription(from_a));
  NATFWT_RETURN_IF_ERROR(s.session_a->SetRemoteDescription(from_b));
  NATFWT_RETURN_IF_ERROR(s.session_a->Start());
  return s.session_b->Start();
}

absl::Status AwaitConnected(Sessions& s, absl::Time deadline) {
  for (Peer* peer : {&s.a, &s.b}) {
    const Peer::Settled settled = peer->AwaitSettled(deadline);
    if (settled.state == IceState::kConnected) continue;
    if (settled.relays == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("libnice got no relayed candidate from the TURN server",
                       settled.gathered ? "" : " in time"));
    }
    // Both allocations exist, yet no check got through them.
    return absl::UnavailableError(absl::StrCat(
        "ICE checks between two relayed candidates of the server ",
        settled.state == IceState::kFailed ? "failed"
                                           : "did not succeed in time",
        ": the server refuses to relay to its own relayed addresses (coturn "
        "needs --allow-loopback-peers for loopback relays; check "
        "denied-peer-ip)"));
  }
  return absl::OkStatus();
}

net::UdpEndpoint RelayedOf(const IceSession& session) {
  const std::optional<ice::SelectedPairInfo> pair = session.SelectedPair();
  if (!pair) return {};
  return {pair->local.address.address, pair->local.address.port};
}

}  // namespace

absl::StatusOr<RelayEchoReport> RunRelayEcho(const RelayEchoOptions& options) {
  if (options.datagrams < 1 || options.datagrams > kMaxDatagrams) {
    return absl::InvalidArgumentError("datagrams must be 1-1000");
  }
  Sessions s;
  NATFWT_RETURN_IF_ERROR(Open(s, options));
  NATFWT_RETURN_IF_ERROR(AwaitConnected(s, options.deadline));
  RelayEchoReport report;
  report.relayed_a = RelayedOf(*s.session_a);
  report.relayed_b = RelayedOf(*s.session_b);
  for (int sequence = 0; sequence < options.datagrams; ++sequence) {
    const std::string payload = absl::StrCat(kPayloadPrefix, sequence);
    const absl::Time sent = absl::Now();
    NATFWT_RETURN_IF_ERROR(s.session_a->Send(absl::MakeConstSpan(
        reinterpret_cast<const uint8_t*>(payload.data()), payload.size())));
    ++report.sent;
    const std::optional<absl::Time> echoed =
        s.a.AwaitEcho(sequence, std::min(options.deadline, sent + kEchoWait));
    if (echoed) {
      ++report.echoed;
      report.rtts.push_back(*echoed - sent);
    }
    if (absl::Now() >= options.deadline) break;
  }
  return report;
}

}  // namespace natfwt::probe
