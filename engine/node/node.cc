// Copyright 2026 The natfwt Authors.
//
// Node lifecycle, rendezvous events and status.

#include "engine/node/node.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/ice/candidate.h"
#include "engine/node/node_internal.h"
#include "engine/node/node_wire.h"
#include "engine/secure/node_id.h"
#include "platform/base/clock.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::node {
namespace {

// How often the rendezvous client pings when idle (implementation choice;
// the client's default is 15 s). A NAT that dropped its mapping of the
// rendezvous connection breaks it silently: the next ping (sent through a
// new mapping) is refused and the client reconnects. With 15 s a node could
// miss its peers' offers (a restart after a path failure) for that long.
constexpr absl::Duration kRendezvousKeepalive = absl::Seconds(5);

absl::Status ValidateOptions(const NodeOptions& options) {
  if (options.state_dir.empty()) {
    return absl::InvalidArgumentError("node: no state directory");
  }
  if (options.rendezvous.empty()) {
    return absl::InvalidArgumentError("node: no rendezvous server");
  }
  if (!options.ipv4 && !options.ipv6) {
    return absl::InvalidArgumentError("node: neither IPv4 nor IPv6");
  }
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("node: connect timeout must be > 0");
  }
  if (options.standby_lifetime < absl::Seconds(1)) {
    return absl::InvalidArgumentError("node: standby lifetime must be >= 1 s");
  }
  for (const std::string& id : options.allow) {
    if (id == "any") continue;
    absl::StatusOr<secure::Fingerprint> parsed = secure::ParseNodeId(id);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node: --allow '", id, "': ", parsed.status().message()));
    }
  }
  ice::SessionConfig config;
  config.stun_servers = options.stun_servers;
  config.turn_servers = options.turn_servers;
  config.local_addresses = options.local_addresses;
  config.ipv4 = options.ipv4;
  config.ipv6 = options.ipv6;
  config.timeouts.check_pacing = options.check_pacing;
  return ice::ValidateSessionConfig(config);
}

std::string DescribeCandidate(const ice::Candidate& candidate) {
  absl::string_view type;
  switch (candidate.type) {
    case ice::CandidateType::kHost:
      type = "host";
      break;
    case ice::CandidateType::kServerReflexive:
      type = "srflx";
      break;
    case ice::CandidateType::kPeerReflexive:
      type = "prflx";
      break;
    case ice::CandidateType::kRelay:
      type = "relay";
      break;
  }
  return absl::StrCat(type, " ",
                      ice::CandidateTransportName(candidate.transport), " ",
                      candidate.address.ToString());
}

absl::string_view LinkStateName(engine::SessionState state) {
  switch (state) {
    case engine::SessionState::kNew:
    case engine::SessionState::kConnecting:
      return "connecting";
    case engine::SessionState::kHandshaking:
      return "handshaking";
    case engine::SessionState::kSecure:
      return "secure";
    case engine::SessionState::kFailed:
    case engine::SessionState::kClosed:
      return "failed";
  }
  return "failed";
}

}  // namespace

std::string PathOf(const ice::SelectedPairInfo& pair,
                   const engine::SecureSession& session) {
  return session.Relayed(pair) ? "relay" : "direct";
}

std::string CandidateText(const ice::Candidate& candidate) {
  return DescribeCandidate(candidate);
}

absl::StatusOr<std::unique_ptr<Node>> Node::Create(NodeOptions options) {
  NATFWT_RETURN_IF_ERROR(ValidateOptions(options));
  NATFWT_ASSIGN_OR_RETURN(secure::Identity identity,
                          secure::Identity::LoadOrCreate(options.state_dir));
  return std::unique_ptr<Node>(
      new NodeImpl(std::move(options), std::move(identity)));
}

NodeImpl::NodeImpl(NodeOptions options, secure::Identity identity)
    : options_(std::move(options)),
      identity_(std::move(identity)),
      node_id_(identity_.node_id()),
      clock_(RealClock::Get()),
      random_(std::random_device{}()),
      transport_ids_(options_.transport_ids),
      nat_behaviour_(options_.nat_behaviour) {
  for (const std::string& id : options_.allow) {
    if (id == "any") {
      allow_any_ = true;
    } else {
      allowed_.insert(id);
    }
  }
}

NodeImpl::~NodeImpl() { Stop(); }

absl::Status NodeImpl::Start() {
  if (started_) return absl::FailedPreconditionError("node: started twice");
  started_ = true;
  NATFWT_RETURN_IF_ERROR(engine_thread_.Start());
  NATFWT_RETURN_IF_ERROR(node_thread_.Start());
  rendezvous::Client::Options client_options;
  client_options.server = options_.rendezvous;
  client_options.network = options_.network;
  client_options.keepalive = kRendezvousKeepalive;
  NATFWT_ASSIGN_OR_RETURN(
      client_, rendezvous::Client::Create(identity_, client_options, this));
  {
    absl::MutexLock lock(&records_mutex_);
    NATFWT_RETURN_IF_ERROR(PublishLocked());
  }
  NATFWT_RETURN_IF_ERROR(client_->Start());
  ScheduleLinkCheck();
  if (StandbyEnabled()) {
    node_thread_.Post([this] { EnsureStandbys(); });
    ScheduleStandbyRotation();
  }
  if (!allow_any_ && allowed_.empty()) {
    NATFWT_LOG(kWarning) << "no --allow given: this node talks to nobody";
  }
  NATFWT_LOG(kInfo) << "node " << node_id_ << " in network '"
                    << options_.network << "' via " << options_.rendezvous;
  return absl::OkStatus();
}

void NodeImpl::Stop() {
  if (!started_ || stopped_.exchange(true)) return;
  // Say goodbye and close every session on the node thread, then stop the
  // signalling and the threads.
  (void)node_thread_.PostAndWait([this] {
    for (auto& [id, peer] : peers_) {
      if (peer.link == nullptr) continue;
      if (client_ != nullptr) {
        (void)client_->Send(id, kSignalBye,
                            FormatSignalBody({peer.link->session_id, ""}));
      }
      RetireLink(id, peer);
      FailWaiting(peer, absl::UnavailableError("node stopping"));
    }
    DropAllStandbys();
  });
  if (client_ != nullptr) client_->Stop();
  node_thread_.Stop();
  engine_thread_.Stop();
}

bool NodeImpl::Allowed(absl::string_view peer) const {
  return allow_any_ || allowed_.contains(peer);
}

ice::SessionConfig NodeImpl::IceConfig(bool controlling) const {
  ice::SessionConfig config;
  config.stun_servers = options_.stun_servers;
  config.turn_servers = options_.turn_servers;
  config.local_addresses = options_.local_addresses;
  config.ipv4 = options_.ipv4;
  config.ipv6 = options_.ipv6;
  config.controlling = controlling;
  config.nomination = ice::NominationMode::kAggressive;
  config.consent_freshness = true;
  config.timeouts.connectivity = options_.connect_timeout;
  config.timeouts.check_pacing = options_.check_pacing;
  return config;
}

void NodeImpl::OnConnected() {
  rendezvous_connected_ = true;
  NATFWT_LOG(kInfo) << "registered at " << options_.rendezvous;
}

void NodeImpl::OnDisconnected(const absl::Status& why) {
  rendezvous_connected_ = false;
  NATFWT_LOG(kInfo) << "rendezvous connection lost (" << why
                    << "); reconnecting";
}

void NodeImpl::OnPeer(const rendezvous::NodeRecord& record) {
  {
    absl::MutexLock lock(&records_mutex_);
    absl::erase_if(owners_, [&](const auto& entry) {
      return entry.second == record.node_id;
    });
    for (const std::string& text : record.transport_ids) {
      absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
      if (address.ok()) owners_[*address] = record.node_id;
    }
  }
  node_thread_.Post([this, record] {
    Peer& peer = peers_[record.node_id];
    peer.record = record;
    bool back = !peer.online;
    peer.online = true;
    if (back) OnPeerBack(record.node_id, peer);
  });
  absl::ReaderMutexLock lock(&sink_mutex_);
  if (sink_ != nullptr) sink_->OnPeerRecordChanged(record.node_id);
}

void NodeImpl::OnPeerGone(absl::string_view node_id) {
  node_thread_.Post([this, id = std::string(node_id)] {
    auto it = peers_.find(id);
    if (it != peers_.end()) it->second.online = false;
  });
}

void NodeImpl::OnSignal(const rendezvous::Signal& signal) {
  node_thread_.Post([this, signal] { HandleSignal(signal); });
}

void NodeImpl::SetPacketSink(PacketSink* sink) {
  absl::MutexLock lock(&sink_mutex_);
  sink_ = sink;
}

void NodeImpl::SetDormant(bool dormant) {
  if (dormant_.exchange(dormant) == dormant) return;
  if (!dormant) {
    node_thread_.Post([this] { EnsureStandbys(); });
    return;
  }
  node_thread_.Post([this] {
    CloseIdleLinks();
    if (dormant_.load()) DropAllStandbys();
  });
}

void NodeImpl::CloseIdleLinks() {
  if (!dormant_.load()) return;  // Active again before this ran.
  for (auto& [id, peer] : peers_) {
    if (peer.link == nullptr || !peer.waiting.empty() ||
        !peer.connect_waiters.empty() || !peer.outstanding.empty()) {
      continue;
    }
    if (client_ != nullptr) {
      (void)client_->Send(id, kSignalBye,
                          FormatSignalBody({peer.link->session_id, ""}));
    }
    NATFWT_LOG(kInfo) << "peer " << id.substr(0, 12)
                      << ": session closed (dormant)";
    RetireLink(id, peer);
  }
}

absl::Status NodeImpl::SetTransportIds(std::vector<std::string> ids) {
  for (const std::string& id : ids) {
    if (!net::IpAddress::Parse(id).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("transport ID '", id, "' is not an IP address"));
    }
  }
  absl::MutexLock lock(&records_mutex_);
  transport_ids_ = std::move(ids);
  return PublishLocked();
}

void NodeImpl::SetNatBehaviour(std::string behaviour) {
  absl::MutexLock lock(&records_mutex_);
  nat_behaviour_ = std::move(behaviour);
  (void)PublishLocked();
}

absl::Status NodeImpl::PublishLocked() {
  if (client_ == nullptr) return absl::OkStatus();
  return client_->Publish(
      transport_ids_, {absl::StrCat("nat=", nat_behaviour_)}, standby_text_);
}

std::optional<std::string> NodeImpl::PeerOwning(
    const net::IpAddress& transport_id) const {
  absl::MutexLock lock(&records_mutex_);
  auto it = owners_.find(transport_id);
  if (it == owners_.end() || !Allowed(it->second)) return std::nullopt;
  return it->second;
}

void NodeImpl::ExposeSession(const std::string& peer,
                             std::shared_ptr<engine::SecureSession> session) {
  absl::MutexLock lock(&secure_mutex_);
  secure_[peer] = std::move(session);
}

void NodeImpl::HideSession(const std::string& peer) {
  std::shared_ptr<engine::SecureSession> last;
  {
    absl::MutexLock lock(&secure_mutex_);
    auto it = secure_.find(peer);
    if (it == secure_.end()) return;
    last = std::move(it->second);
    secure_.erase(it);
  }
  // `last` may still be shared with a sender on the hot path; whoever drops
  // the final reference closes the session.
}

absl::StatusOr<size_t> NodeImpl::SendPackets(
    absl::string_view peer,
    absl::Span<const absl::Span<const uint8_t>> packets) {
  std::shared_ptr<engine::SecureSession> session;
  {
    absl::ReaderMutexLock lock(&secure_mutex_);
    auto it = secure_.find(peer);
    if (it != secure_.end()) session = it->second;
  }
  if (session == nullptr) {
    return absl::FailedPreconditionError("no secure session with the peer");
  }
  return session->SendBatch(packets);
}

void NodeImpl::Connect(std::string peer,
                       std::function<void(const absl::Status&)> done) {
  if (!node_thread_.Post([this, peer, done]() mutable {
        StartConnect(peer, std::move(done));
      })) {
    done(absl::UnavailableError("node is not running"));
  }
}

void NodeImpl::StartConnect(const std::string& peer_id,
                            std::function<void(const absl::Status&)> done) {
  if (peer_id == node_id_ || !Allowed(peer_id)) {
    done(absl::PermissionDeniedError("peer not allowed"));
    return;
  }
  Peer& peer = peers_[peer_id];
  if (peer.link != nullptr && peer.link->secure_at.has_value()) {
    done(absl::OkStatus());
    return;
  }
  peer.connect_waiters.push_back(std::move(done));
  if (peer.link == nullptr) StartSession(peer_id, peer);
}

PeerStatus NodeImpl::DescribePeer(const std::string& id,
                                  const Peer& peer) const {
  PeerStatus status;
  status.node_id = id;
  status.online = peer.online;
  if (peer.record.has_value()) {
    status.transport_ids = peer.record->transport_ids;
    status.peer_standby = !peer.record->standby.empty();
  }
  if (peer.link == nullptr) {
    status.state = peer.last_failure.has_value() ? "failed" : "known";
    return status;
  }
  const Link& link = *peer.link;
  status.state = std::string(LinkStateName(link.state));
  status.initiator = link.initiator;
  status.last_handshake = link.secure_wall;
  status.key_exchange = link.key_exchange;
  status.standby = link.via_standby;
  if (link.secure_at.has_value()) {
    status.setup_time = *link.secure_at - link.created;
  }
  if (link.session == nullptr) return status;
  engine::SessionStats stats = link.session->stats();
  status.packets_sent = stats.packets_sent;
  status.packets_received = stats.packets_received;
  status.bytes_sent = stats.bytes_sent;
  status.bytes_received = stats.bytes_received;
  status.rtt = stats.rtt;
  std::optional<ice::SelectedPairInfo> pair = link.session->SelectedPair();
  if (pair.has_value()) {
    status.path = PathOf(*pair, *link.session);
    status.local_candidate = DescribeCandidate(pair->local);
    status.remote_candidate = DescribeCandidate(pair->remote);
  }
  return status;
}

NodeStatus NodeImpl::Status() const {
  NodeStatus status;
  status.node_id = node_id_;
  status.network = options_.network;
  status.rendezvous = options_.rendezvous;
  status.rendezvous_connected = rendezvous_connected_;
  if (client_ != nullptr) status.rendezvous_rtt = client_->stats().rtt;
  {
    absl::MutexLock lock(&records_mutex_);
    status.transport_ids = transport_ids_;
    status.nat_behaviour = nat_behaviour_;
    status.standby_published = !standby_text_.empty();
  }
  status.allow = options_.allow;
  // PostAndWait needs a mutable thread; the work only reads.
  auto& thread = const_cast<NetworkThread&>(node_thread_);
  (void)thread.PostAndWait([&] {
    for (const auto& [id, peer] : peers_) {
      status.peers.push_back(DescribePeer(id, peer));
    }
    status.counters = counters_;
    for (const Standby& standby : standbys_) {
      if (!standby.inbound && standby.ready) {
        status.standby_outbound_ready = true;
      }
    }
  });
  return status;
}

}  // namespace natfwt::node
