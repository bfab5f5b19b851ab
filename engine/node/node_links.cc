// Copyright 2026 The natfwt Authors.
//
// Session attempts with peers: offers, answers, trickled candidates, glare,
// failures. Everything here runs on the node thread except LinkObserver's
// callbacks, which post to it (and answer pings in place).

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/ice/session_description.h"
#include "engine/ice/trickle_line.h"
#include "engine/node/node_internal.h"
#include "engine/node/node_wire.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::node {
namespace {

// Candidates kept while the remote description is still missing.
constexpr size_t kMaxEarlyCandidates = 64;
// A relayed session gets an ICE restart after this (then after 3x this),
// at most kMaxUpgradeRestarts times.
constexpr absl::Duration kUpgradeCheckAfter = absl::Seconds(2);
constexpr int kMaxUpgradeRestarts = 2;
// Path health (implementation choices). A secure session without a selected
// pair for kPathLostPatience (the initiator; the responder waits twice as
// long, so that usually one side restarts, not both at once) gets an ICE
// restart, at most one such repair per kRestartBackoff (an upgrade restart,
// CheckUpgrade, does not count: it keeps the pair it has). Consent (RFC 7675)
// would only fail it after ice::kConsentExpiry (10 s), and by then TCP above
// has backed its retransmissions off to several seconds.
constexpr absl::Duration kLinkCheckInterval = absl::Milliseconds(250);
constexpr absl::Duration kPathLostPatience = absl::Milliseconds(750);
constexpr absl::Duration kRestartBackoff = absl::Seconds(4);
// The longest an initiator holds its checks back for a filtering peer
// (StandbyCheckDelay).
constexpr absl::Duration kMaxStandbyCheckDelay = absl::Milliseconds(500);

}  // namespace

absl::StatusOr<RemoteOffer> ParseRemoteOffer(const std::string& text) {
  NATFWT_ASSIGN_OR_RETURN(SessionOffer offer, ParseSessionOffer(text));
  NATFWT_ASSIGN_OR_RETURN(ice::SessionDescription description,
                          ice::ParseSessionDescription(offer.description));
  return RemoteOffer{std::move(description), offer.key, offer.standby};
}

// --- LinkObserver (engine threads) ---

void LinkObserver::Bind(std::string peer, uint64_t session_id) {
  absl::MutexLock lock(&mutex_);
  peer_ = std::move(peer);
  session_id_ = session_id;
}

LinkObserver::Binding LinkObserver::binding() const {
  absl::MutexLock lock(&mutex_);
  return Binding{peer_, session_id_, standby_id_};
}

void LinkObserver::OnLocalCandidate(const ice::TrickleCandidate& candidate) {
  const Binding bound = binding();
  if (bound.session_id == 0) return;  // A standby publishes all at once.
  absl::StatusOr<std::string> line = ice::FormatTrickleLine(candidate);
  if (!line.ok()) return;
  node_->PostLinkTask(bound.peer, bound.session_id,
                      [line = *std::move(line)](NodeImpl& node, Link& link) {
                        node.SendSignal(link.peer, kSignalCandidate,
                                        link.session_id, line);
                      });
}

void LinkObserver::OnGatheringDone() {
  const Binding bound = binding();
  if (bound.session_id == 0) {
    node_->PostStandbyEvent(bound.standby_id,
                            NodeImpl::StandbyEvent::kGathered);
    return;
  }
  node_->PostLinkTask(
      bound.peer, bound.session_id, [](NodeImpl& node, Link& link) {
        absl::StatusOr<std::string> line =
            ice::FormatTrickleLine(ice::EndOfCandidates{link.local_ufrag});
        if (!line.ok()) return;
        node.SendSignal(link.peer, kSignalCandidate, link.session_id, *line);
      });
}

void LinkObserver::OnStateChanged(engine::SessionState state,
                                  const absl::Status& why) {
  const Binding bound = binding();
  if (bound.session_id == 0) {
    if (state == engine::SessionState::kFailed) {
      node_->PostStandbyEvent(bound.standby_id,
                              NodeImpl::StandbyEvent::kFailed);
    }
    return;
  }
  node_->PostLinkTask(bound.peer, bound.session_id,
                      [state, why](NodeImpl& node, Link& link) {
                        node.OnLinkState(link.peer, link, state, why);
                      });
}

void LinkObserver::OnIceRestart() {
  const Binding bound = binding();
  if (bound.session_id == 0) return;
  // New local credentials: the peer needs our new description (our new
  // candidates follow as trickle lines of the new generation).
  node_->PostLinkTask(
      bound.peer, bound.session_id, [](NodeImpl& node, Link& link) {
        absl::StatusOr<ice::SessionDescription> local =
            link.session->LocalDescription();
        absl::StatusOr<std::string> text =
            local.ok() ? local->Format()
                       : absl::StatusOr<std::string>(local.status());
        if (!text.ok()) return;
        link.local_ufrag = local->ufrag;
        node.SendSignal(link.peer, kSignalRestart, link.session_id, *text);
      });
}

void LinkObserver::OnSelectedPair(const ice::SelectedPairInfo& pair) {
  const Binding bound = binding();
  if (bound.session_id == 0) return;
  node_->PostLinkTask(
      bound.peer, bound.session_id, [pair](NodeImpl&, Link& link) {
        NATFWT_LOG(kInfo) << "peer " << link.peer.substr(0, 12) << ": "
                          << PathOf(pair, *link.session) << " path "
                          << CandidateText(pair.local) << " <-> "
                          << CandidateText(pair.remote);
      });
}

void LinkObserver::OnData(absl::Span<const uint8_t> data) {
  std::optional<PingMessage> ping = ParsePing(data);
  if (ping.has_value() && ping->kind == DatagramKind::kPing) {
    ping->kind = DatagramKind::kPong;
    uint8_t pong[kPingSize];
    WritePing(*ping, absl::MakeSpan(pong));
    (void)session_->Send(absl::MakeConstSpan(pong));
    return;
  }
  if (ping.has_value()) {
    node_->PostPong(peer_, ping->sequence, node_->clock().Now());
    return;
  }
  if (IsIpPacket(data)) {
    const absl::Span<const uint8_t> one[1] = {data};
    OnDataBatch(one);
    return;
  }
  ++dropped_;
}

void LinkObserver::OnDataBatch(
    absl::Span<const absl::Span<const uint8_t>> batch) {
  // IP packets go to the sink in runs; node messages in between are handled
  // one by one. No allocation: runs are sub-spans of `batch`. The sink lock
  // is shared (one uncontended atomic per batch) and only held while a run
  // is handed over, never while node messages are handled.
  size_t run_start = 0;
  auto flush = [&](size_t end) {
    if (end == run_start) return;
    absl::ReaderMutexLock lock(&node_->sink_mutex());
    PacketSink* sink = node_->sink();
    if (sink != nullptr) {
      sink->OnPackets(peer_, batch.subspan(run_start, end - run_start));
    } else {
      node_->CountDroppedPackets(end - run_start);
    }
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    if (IsIpPacket(batch[i])) continue;
    flush(i);
    run_start = i + 1;
    OnData(batch[i]);
  }
  flush(batch.size());
}

// --- NodeImpl: links ---

void NodeImpl::PostLinkTask(
    const std::string& peer, uint64_t session_id,
    absl::AnyInvocable<void(NodeImpl&, Link&) &&> task) {
  node_thread_.Post([this, peer, session_id, task = std::move(task)]() mutable {
    auto it = peers_.find(peer);
    if (it == peers_.end() || it->second.link == nullptr ||
        it->second.link->session_id != session_id) {
      return;  // An old attempt's late event.
    }
    std::move(task)(*this, *it->second.link);
  });
}

void NodeImpl::SendSignal(const std::string& peer, absl::string_view kind,
                          uint64_t session_id, const std::string& text) {
  absl::Status status =
      client_->Send(peer, kind, FormatSignalBody({session_id, text}));
  if (!status.ok()) {
    NATFWT_LOG(kDebug) << "signal " << kind << " to " << peer.substr(0, 12)
                       << " not sent: " << status;
  }
}

absl::StatusOr<std::unique_ptr<Link>> NodeImpl::MakeLink(
    std::unique_ptr<LinkObserver> observer, bool controlling) {
  auto link = std::make_unique<Link>();
  link->created = clock_.Now();
  link->initiator = controlling;
  link->observer = std::move(observer);
  engine::SecureSession::Options options;
  options.ice = IceConfig(controlling);
  NATFWT_ASSIGN_OR_RETURN(
      link->session,
      engine::SecureSession::Create(engine_thread_, identity_,
                                    std::move(options), link->observer.get()));
  link->observer->set_session(link->session.get());
  NATFWT_RETURN_IF_ERROR(link->session->Start());
  return link;
}

absl::StatusOr<std::unique_ptr<Link>> NodeImpl::NewLink(const std::string& peer,
                                                        uint64_t session_id,
                                                        bool initiator) {
  NATFWT_ASSIGN_OR_RETURN(
      std::unique_ptr<Link> link,
      MakeLink(std::make_unique<LinkObserver>(this, peer, session_id),
               /*controlling=*/initiator));
  link->peer = peer;
  link->session_id = session_id;
  return link;
}

void NodeImpl::StartSession(const std::string& peer_id, Peer& peer,
                            bool use_standby) {
  uint64_t session_id = 0;
  while (session_id == 0) session_id = random_();
  std::unique_ptr<Link> link = TakeOutboundStandby();
  if (link != nullptr) {
    BindLink(*link, peer_id, session_id, /*initiator=*/true);
  } else {
    absl::StatusOr<std::unique_ptr<Link>> created =
        NewLink(peer_id, session_id, /*initiator=*/true);
    if (!created.ok()) {
      FailWaiting(peer, created.status());
      return;
    }
    link = *std::move(created);
  }
  absl::StatusOr<SessionOffer> offer =
      LocalOffer(*link, options_.signalled_keys);
  absl::Status status = offer.status();
  if (status.ok() && use_standby && StandbyEnabled()) {
    status = UsePeerStandby(*link, peer_id, peer, *offer);
  }
  if (!status.ok()) {
    CloseLinkNow(std::move(link));
    if (use_standby) {
      NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                        << ": its standby is not usable (" << status
                        << "); offering without it";
      StartSession(peer_id, peer, /*use_standby=*/false);
      return;
    }
    FailWaiting(peer, status);
    return;
  }
  peer.link = std::move(link);
  peer.last_failure.reset();
  ++counters_.sessions_started;
  SendSignal(peer_id, kSignalOffer, session_id, FormatSessionOffer(*offer));
  ArmConnectTimeout(peer_id, session_id);
}

absl::Status NodeImpl::UsePeerStandby(Link& link, const std::string& peer_id,
                                      const Peer& peer, SessionOffer& offer) {
  if (!peer.record.has_value() || peer.record->standby.empty() ||
      !link.ephemeral.has_value()) {
    return absl::OkStatus();  // Nothing to use: a plain offer.
  }
  NATFWT_ASSIGN_OR_RETURN(RemoteOffer standby,
                          ParseRemoteOffer(peer.record->standby));
  if (!standby.key.has_value()) {
    return absl::InvalidArgumentError("published without a key");
  }
  NATFWT_RETURN_IF_ERROR(UseSignalledKeys(link, peer_id, *standby.key));
  link.key_exchange = "x25519";
  link.via_standby = true;
  link.standby_target = standby.description.ufrag;
  link.standby_key = standby.key;
  offer.standby = standby.description.ufrag;
  const absl::Duration delay = StandbyCheckDelay(peer);
  if (delay <= absl::ZeroDuration()) {
    NATFWT_RETURN_IF_ERROR(
        link.session->SetRemoteDescription(standby.description));
    RemoteDescriptionSet(link);
    return absl::OkStatus();
  }
  link.pending_standby = std::move(standby.description);
  node_thread_.PostDelayed(
      delay, [this, peer_id, session_id = link.session_id] {
        auto it = peers_.find(peer_id);
        if (it == peers_.end() || it->second.link == nullptr ||
            it->second.link->session_id != session_id) {
          return;
        }
        ApplyPendingStandby(peer_id, it->second);
      });
  return absl::OkStatus();
}

absl::Duration NodeImpl::StandbyCheckDelay(const Peer& peer) const {
  // A peer whose NAT filters by address drops our checks until it has sent
  // towards us, which it does once our offer arrived: checks sent now would
  // be lost and libnice retries only after 100 ms or more (then the peer's
  // own checks, one way later, have to trigger ours). Checks sent about one
  // signalling round trip later arrive just after its filter opened. With
  // an open or full-cone peer (or one whose NAT nobody probed), now is best.
  // A peer behind an endpoint-dependent mapping gains nothing either way.
  bool filtering = false;
  for (const std::string& hint : peer.record->hints) {
    if (hint == "nat=restricted-cone" || hint == "nat=port-restricted-cone") {
      filtering = true;
    }
  }
  if (!filtering) return absl::ZeroDuration();
  std::optional<absl::Duration> rtt = client_->stats().min_rtt;
  if (!rtt.has_value()) return absl::ZeroDuration();
  return std::min(*rtt, kMaxStandbyCheckDelay);
}

void NodeImpl::RemoteDescriptionSet(Link& link) {
  link.remote_set = true;
  for (const ice::TrickleMessage& message : link.early_candidates) {
    (void)link.session->AddRemoteTrickle(message);
  }
  link.early_candidates.clear();
}

void NodeImpl::ApplyPendingStandby(const std::string& peer_id, Peer& peer) {
  Link& link = *peer.link;
  if (!link.pending_standby.has_value()) return;
  ice::SessionDescription description = *std::move(link.pending_standby);
  link.pending_standby.reset();
  if (absl::Status status = link.session->SetRemoteDescription(description);
      !status.ok()) {
    const std::string id = peer_id;  // May be the link's own, going now.
    FailLink(id, peer, status);
    return;
  }
  RemoteDescriptionSet(link);
}

absl::StatusOr<SessionOffer> NodeImpl::LocalOffer(Link& link, bool with_key) {
  NATFWT_ASSIGN_OR_RETURN(ice::SessionDescription local,
                          link.session->LocalDescription());
  NATFWT_ASSIGN_OR_RETURN(std::string description, local.Format());
  link.local_ufrag = local.ufrag;
  SessionOffer offer{std::move(description), std::nullopt, std::nullopt};
  if (with_key) {
    NATFWT_ASSIGN_OR_RETURN(secure::EphemeralKey key,
                            secure::EphemeralKey::Generate());
    offer.key = key.public_key();
    link.ephemeral = std::move(key);
  }
  return offer;
}

absl::Status NodeImpl::UseSignalledKeys(
    Link& link, const std::string& peer_id,
    const std::array<uint8_t, kSessionKeySize>& peer_key) {
  if (!link.ephemeral.has_value()) {
    return absl::FailedPreconditionError("no ephemeral key of ours");
  }
  secure::KeyAgreementContext context;
  context.session_id = link.session_id;
  context.initiator_id = link.initiator ? node_id_ : peer_id;
  context.responder_id = link.initiator ? peer_id : node_id_;
  context.initiator_public =
      link.initiator ? link.ephemeral->public_key() : peer_key;
  context.responder_public =
      link.initiator ? peer_key : link.ephemeral->public_key();
  absl::StatusOr<secure::ChannelKeys> keys =
      link.ephemeral->Derive(peer_key, context);
  link.ephemeral.reset();  // Forward secrecy: the private key goes now.
  if (!keys.ok()) return keys.status();
  return link.session->UsePresetKeys(*keys, link.initiator
                                                ? secure::DtlsRole::kClient
                                                : secure::DtlsRole::kServer);
}

void NodeImpl::ArmConnectTimeout(const std::string& peer_id,
                                 uint64_t session_id) {
  node_thread_.PostDelayed(
      options_.connect_timeout, [this, peer_id, session_id] {
        auto it = peers_.find(peer_id);
        if (it == peers_.end() || it->second.link == nullptr) return;
        Link& link = *it->second.link;
        if (link.session_id != session_id || link.secure_at.has_value()) return;
        FailLink(peer_id, it->second,
                 absl::DeadlineExceededError(absl::StrCat(
                     "no secure session within ",
                     absl::FormatDuration(options_.connect_timeout))));
      });
}

void NodeImpl::HandleSignal(const rendezvous::Signal& signal) {
  absl::StatusOr<SignalBody> body = ParseSignalBody(signal.payload);
  if (!body.ok()) {
    ++counters_.signals_malformed;
    NATFWT_LOG(kDebug) << "malformed signal from " << signal.from.substr(0, 12)
                       << ": " << body.status();
    return;
  }
  if (!Allowed(signal.from)) {
    ++counters_.offers_not_allowed;
    if (signal.kind == kSignalOffer) {
      NATFWT_LOG(kWarning) << "offer from " << signal.from
                           << " refused: not in --allow";
    }
    return;
  }
  Peer& peer = peers_[signal.from];
  if (signal.kind == kSignalOffer) {
    HandleOffer(signal.from, peer, body->session_id, body->text);
  } else if (signal.kind == kSignalAnswer) {
    HandleAnswer(peer, body->session_id, body->text);
  } else if (signal.kind == kSignalCandidate) {
    HandleCandidate(peer, body->session_id, body->text);
  } else if (signal.kind == kSignalRestart) {
    HandleRestart(peer, body->session_id, body->text);
  } else if (signal.kind == kSignalBye) {
    if (peer.link != nullptr && peer.link->session_id == body->session_id) {
      FailLink(signal.from, peer, absl::UnavailableError("the peer left"));
    }
  } else {
    ++counters_.signals_malformed;
  }
}

void NodeImpl::HandleOffer(const std::string& from, Peer& peer,
                           uint64_t session_id, const std::string& text) {
  if (peer.link != nullptr) {
    Link& current = *peer.link;
    if (current.session_id == session_id) return;  // A duplicate.
    // Both sides offered at once: the smaller node ID's offer wins.
    if (current.initiator && !current.answered && node_id_ < from) {
      ++counters_.glare_resolved;
      return;
    }
    if (current.initiator && !current.answered) ++counters_.glare_resolved;
  }
  absl::StatusOr<RemoteOffer> offer = ParseRemoteOffer(text);
  if (!offer.ok()) {
    ++counters_.signals_malformed;
    return;
  }
  // A new offer replaces whatever we had: the peer restarted or lost it.
  RetireLink(from, peer);
  const bool keyed = options_.signalled_keys && offer->key.has_value();
  absl::StatusOr<Accepted> link = AcceptingLink(
      from, session_id, keyed ? offer->standby : std::nullopt, keyed);
  if (!link.ok()) {
    NATFWT_LOG(kWarning) << "session with " << from.substr(0, 12)
                         << " not started: " << link.status();
    return;
  }
  Link& created = *link->link;
  // The keys first: they must be in place before ICE can connect.
  absl::Status status = absl::OkStatus();
  if (keyed) status = UseSignalledKeys(created, from, *offer->key);
  created.key_exchange = keyed ? "x25519" : "dtls";
  if (status.ok()) {
    status = created.session->SetRemoteDescription(offer->description);
  }
  if (!status.ok()) {
    NATFWT_LOG(kWarning) << "offer from " << from.substr(0, 12)
                         << " not accepted: " << status;
    ++counters_.signals_malformed;
    CloseLinkNow(std::move(link->link));
    return;
  }
  created.remote_set = true;
  created.answered = true;
  peer.link = std::move(link->link);
  peer.last_failure.reset();
  ++counters_.sessions_accepted;
  SendSignal(from, kSignalAnswer, session_id, link->answer);
  ArmConnectTimeout(from, session_id);
}

absl::StatusOr<NodeImpl::Accepted> NodeImpl::AcceptingLink(
    const std::string& from, uint64_t session_id,
    const std::optional<std::string>& standby, bool keyed) {
  Accepted accepted;
  if (standby.has_value()) {
    accepted.link = TakeInboundStandby(*standby, &accepted.answer);
    if (accepted.link != nullptr) {
      ++counters_.standby_used;
      BindLink(*accepted.link, from, session_id, /*initiator=*/false);
      return accepted;
    }
    ++counters_.standby_missed;
    NATFWT_LOG(kInfo) << "offer from " << from.substr(0, 12)
                      << " for a standby we no longer have; answering anew";
  }
  NATFWT_ASSIGN_OR_RETURN(accepted.link,
                          NewLink(from, session_id, /*initiator=*/false));
  absl::StatusOr<SessionOffer> answer = LocalOffer(*accepted.link, keyed);
  if (!answer.ok()) {
    CloseLinkNow(std::move(accepted.link));
    return answer.status();
  }
  accepted.answer = FormatSessionOffer(*answer);
  return accepted;
}

void NodeImpl::CloseLinkNow(std::unique_ptr<Link> link) {
  if (link != nullptr && link->session != nullptr) link->session->Close();
}

void NodeImpl::HandleAnswer(Peer& peer, uint64_t session_id,
                            const std::string& text) {
  if (peer.link == nullptr || peer.link->session_id != session_id ||
      !peer.link->initiator || peer.link->answered) {
    ++counters_.signals_stale;
    return;
  }
  absl::StatusOr<RemoteOffer> answer = ParseRemoteOffer(text);
  if (peer.link->standby_target.has_value()) {
    HandleStandbyAnswer(peer, answer);
    return;
  }
  absl::Status status = answer.status();
  const bool keyed = status.ok() && answer->key.has_value() &&
                     peer.link->ephemeral.has_value();
  if (keyed) {
    status = UseSignalledKeys(*peer.link, peer.link->peer, *answer->key);
  }
  peer.link->key_exchange = keyed ? "x25519" : "dtls";
  peer.link->ephemeral.reset();  // Without the peer's key: DTLS.
  if (status.ok()) {
    status = peer.link->session->SetRemoteDescription(answer->description);
  }
  if (!status.ok()) {
    ++counters_.signals_malformed;
    NATFWT_LOG(kWarning) << "answer from " << peer.link->peer.substr(0, 12)
                         << " not usable: " << status;
    return;
  }
  Link& link = *peer.link;
  link.answered = true;
  RemoteDescriptionSet(link);
}

void NodeImpl::HandleStandbyAnswer(Peer& peer,
                                   const absl::StatusOr<RemoteOffer>& answer) {
  Link& link = *peer.link;
  // The peer answers a standby offer with the standby's own text; anything
  // else means it no longer had that standby and made a fresh session,
  // whose keys we cannot derive any more (our private key is gone).
  if (answer.ok() && answer->description.ufrag == *link.standby_target &&
      answer->key == link.standby_key) {
    link.answered = true;
    // The peer has sent towards us by now: no reason to wait any longer.
    ApplyPendingStandby(link.peer, peer);
    return;
  }
  ++counters_.standby_fallbacks;
  for (const auto& [sequence, ping] : peer.outstanding) {
    peer.resend.push_back(sequence);
  }
  const std::string peer_id = link.peer;
  NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                    << " no longer had its standby; offering anew";
  RetireLink(peer_id, peer);
  StartSession(peer_id, peer, /*use_standby=*/false);
}

void NodeImpl::HandleRestart(Peer& peer, uint64_t session_id,
                             const std::string& text) {
  if (peer.link == nullptr || peer.link->session_id != session_id ||
      !peer.link->remote_set) {
    ++counters_.signals_stale;
    return;
  }
  absl::StatusOr<ice::SessionDescription> remote =
      ice::ParseSessionDescription(text);
  absl::Status status = remote.status();
  if (status.ok()) {
    // A new ufrag restarts ICE here too (unless we started it and this is
    // the peer's answer); the secure channel is kept.
    status = peer.link->session->SetRemoteDescription(*remote);
    // Our path is lost too: the peer's restart is the repair CheckLinks
    // would start (not a second one at the same time).
    if (peer.link->path_lost_since.has_value()) {
      peer.link->last_repair = clock_.Now();
    }
  }
  if (!status.ok()) {
    ++counters_.signals_malformed;
    NATFWT_LOG(kInfo) << "ICE restart from " << peer.link->peer.substr(0, 12)
                      << " not applied: " << status;
  }
}

void NodeImpl::ScheduleUpgradeCheck(const std::string& peer_id,
                                    uint64_t session_id, absl::Duration delay) {
  node_thread_.PostDelayed(delay, [this, peer_id, session_id] {
    CheckUpgrade(peer_id, session_id);
  });
}

void NodeImpl::CheckUpgrade(const std::string& peer_id, uint64_t session_id) {
  auto it = peers_.find(peer_id);
  if (it == peers_.end() || it->second.link == nullptr) return;
  Link& link = *it->second.link;
  if (link.session_id != session_id || link.session == nullptr ||
      !link.secure_at.has_value()) {
    return;
  }
  std::optional<ice::SelectedPairInfo> pair = link.session->SelectedPair();
  if (!pair.has_value() || PathOf(*pair, *link.session) != "relay") {
    return;
  }
  if (link.upgrade_restarts >= kMaxUpgradeRestarts) return;
  ++link.upgrade_restarts;
  NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                    << ": still relayed; ICE restart to look for a direct path";
  absl::Status status = link.session->Restart();
  if (!status.ok()) {
    NATFWT_LOG(kInfo) << "ICE restart failed: " << status;
    return;
  }
  ScheduleUpgradeCheck(peer_id, session_id, kUpgradeCheckAfter * 3);
}

void NodeImpl::HandleCandidate(Peer& peer, uint64_t session_id,
                               const std::string& text) {
  if (peer.link == nullptr || peer.link->session_id != session_id) {
    ++counters_.signals_stale;
    return;
  }
  absl::StatusOr<ice::TrickleMessage> message = ice::ParseTrickleLine(text);
  if (!message.ok()) {
    ++counters_.signals_malformed;
    return;
  }
  Link& link = *peer.link;
  if (!link.remote_set) {
    if (link.early_candidates.size() < kMaxEarlyCandidates) {
      link.early_candidates.push_back(*message);
    }
    return;
  }
  absl::Status status = link.session->AddRemoteTrickle(*message);
  if (!status.ok()) {
    NATFWT_LOG(kDebug) << "candidate from " << link.peer.substr(0, 12)
                       << " ignored: " << status;
  }
}

void NodeImpl::OnLinkState(const std::string& peer_id, Link& link,
                           engine::SessionState state,
                           const absl::Status& why) {
  link.state = state;
  link.why = why;
  auto it = peers_.find(peer_id);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  if (state == engine::SessionState::kSecure && !link.secure_at.has_value()) {
    link.secure_at = clock_.Now();
    link.secure_wall = absl::Now();
    ++counters_.sessions_secure;
    ExposeSession(peer_id, link.session);
    if (link.initiator) {
      ScheduleUpgradeCheck(peer_id, link.session_id, kUpgradeCheckAfter);
    }
    std::vector<std::function<void(const absl::Status&)>> connected =
        std::move(peer.connect_waiters);
    peer.connect_waiters.clear();
    for (auto& done : connected) done(absl::OkStatus());
    NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12) << ": secure after "
                      << absl::FormatDuration(*link.secure_at - link.created);
    std::vector<std::shared_ptr<PingJob>> waiting = std::move(peer.waiting);
    peer.waiting.clear();
    for (std::shared_ptr<PingJob>& job : waiting) {
      if (job->created_session)
        job->setup_time = *link.secure_at - link.created;
      SendNextPing(std::move(job));
    }
    ResendPings(peer);
    return;
  }
  if (state == engine::SessionState::kFailed ||
      state == engine::SessionState::kClosed) {
    const bool was_secure = link.secure_at.has_value();
    // `peer_id` may be the link's own (destroyed by FailLink): a copy.
    const std::string id = peer_id;
    FailLink(id, peer,
             why.ok() ? absl::UnavailableError("session closed") : why);
    if (was_secure) MaybeReconnect(id, peer);
  }
}

void NodeImpl::MaybeReconnect(const std::string& peer_id, Peer& peer) {
  // Also when the peer seems offline: it may be back before the rendezvous
  // told us, and if not, OnPeerBack offers again when it is.
  if (stopped_.load() || dormant_.load() || peer.link != nullptr ||
      !Allowed(peer_id)) {
    return;
  }
  NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                    << ": setting up a new session";
  StartSession(peer_id, peer);
}

void NodeImpl::OnPeerBack(const std::string& peer_id, Peer& peer) {
  if (peer.link == nullptr || !peer.link->initiator || peer.link->answered) {
    return;
  }
  NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                    << " is back; offering a new session";
  RetireLink(peer_id, peer);
  StartSession(peer_id, peer);
}

void NodeImpl::ScheduleLinkCheck() {
  node_thread_.PostDelayed(kLinkCheckInterval, [this] {
    CheckLinks();
    ScheduleLinkCheck();
  });
}

void NodeImpl::CheckLinks() {
  const absl::Time now = clock_.Now();
  for (auto& [peer_id, peer] : peers_) {
    if (peer.link == nullptr || peer.link->session == nullptr ||
        !peer.link->secure_at.has_value()) {
      continue;
    }
    Link& link = *peer.link;
    if (link.session->SelectedPair().has_value()) {
      link.path_lost_since.reset();
      continue;
    }
    if (!link.path_lost_since.has_value()) link.path_lost_since = now;
    const absl::Duration patience =
        link.initiator ? kPathLostPatience : 2 * kPathLostPatience;
    if (now - *link.path_lost_since < patience ||
        (link.last_repair.has_value() &&
         now - *link.last_repair < kRestartBackoff)) {
      continue;
    }
    link.last_repair = now;
    NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12) << ": path lost "
                      << absl::FormatDuration(now - *link.path_lost_since)
                      << " ago; ICE restart";
    if (absl::Status status = link.session->Restart(); !status.ok()) {
      NATFWT_LOG(kInfo) << "ICE restart failed: " << status;
    }
  }
}

void NodeImpl::FailLink(const std::string& peer_id, Peer& peer,
                        const absl::Status& why) {
  NATFWT_LOG(kInfo) << "peer " << peer_id.substr(0, 12)
                    << ": session ended: " << why;
  ++counters_.sessions_failed;
  peer.last_failure = why;
  // Destroyed here, on the node thread: never inside the session's own
  // callbacks (those run on the engine threads and only post to us).
  RetireLink(peer_id, peer);
  FailWaiting(peer, why);
}

}  // namespace natfwt::node

namespace natfwt::node {

void NodeImpl::RetireLink(const std::string& peer_id, Peer& peer) {
  if (peer.link == nullptr) return;
  HideSession(peer_id);
  // Closed before the link (and its observer) goes: a sender on the hot
  // path may still hold the session, but no callback reaches the observer
  // after Close() returns.
  CloseLinkNow(std::move(peer.link));
}

}  // namespace natfwt::node
