// Copyright 2026 The natfwt Authors.
//
// Ping jobs: on the node thread, over a peer's secure session.

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/node/node_internal.h"
#include "engine/node/node_wire.h"
#include "platform/base/logging.h"

namespace natfwt::node {

void NodeImpl::Ping(std::string peer, int count, absl::Duration interval,
                    absl::Duration timeout,
                    std::function<void(const PingReply&)> on_reply,
                    std::function<void()> on_done) {
  auto job = std::make_shared<PingJob>();
  job->peer = std::move(peer);
  job->count = count < 1 ? 1 : count;
  job->interval = interval;
  job->timeout = timeout;
  job->on_reply = std::move(on_reply);
  job->on_done = std::move(on_done);
  if (!node_thread_.Post([this, job] { StartPing(job); })) {
    PingReply reply;
    reply.status = absl::UnavailableError("node is not running");
    job->on_reply(reply);
    job->on_done();
  }
}

void NodeImpl::StartPing(std::shared_ptr<PingJob> job) {
  if (job->peer == node_id_) {
    PingReply reply;
    reply.status = absl::InvalidArgumentError("that is this node's own ID");
    ResolveAll(job, reply);
    return;
  }
  if (!Allowed(job->peer)) {
    PingReply reply;
    reply.status = absl::PermissionDeniedError(
        "peer not allowed (start the node with --allow NODE_ID or --allow "
        "any)");
    ResolveAll(job, reply);
    return;
  }
  Peer& peer = peers_[job->peer];
  if (peer.link != nullptr && peer.link->secure_at.has_value()) {
    SendNextPing(std::move(job));
    return;
  }
  peer.waiting.push_back(job);
  if (peer.link == nullptr) {
    job->created_session = true;
    StartSession(job->peer, peer);
  }
}

void NodeImpl::ResolveAll(const std::shared_ptr<PingJob>& job,
                          const PingReply& reply) {
  // One reply carrying the reason, then done: nothing was sent.
  job->on_reply(reply);
  job->resolved = job->sent = job->count;
  job->on_done();
}

void NodeImpl::SendPingDatagram(Peer& peer, uint32_t sequence) {
  PingMessage message{
      .kind = DatagramKind::kPing, .sequence = sequence, .timestamp_ns = 0};
  uint8_t datagram[kPingSize];
  WritePing(message, absl::MakeSpan(datagram));
  absl::Status status = peer.link->session->Send(absl::MakeConstSpan(datagram));
  if (!status.ok()) {
    NATFWT_LOG(kDebug) << "ping " << sequence << " not sent: " << status;
  }
}

void NodeImpl::ResendPings(Peer& peer) {
  std::vector<uint32_t> resend = std::move(peer.resend);
  peer.resend.clear();
  for (uint32_t sequence : resend) {
    // Answered or timed out meanwhile: nothing to repeat.
    if (peer.outstanding.contains(sequence)) SendPingDatagram(peer, sequence);
  }
}

void NodeImpl::SendNextPing(std::shared_ptr<PingJob> job) {
  auto it = peers_.find(job->peer);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  if (peer.link == nullptr || peer.link->session == nullptr ||
      !peer.link->secure_at.has_value()) {
    // The session went away between pings: wait for a new one.
    peer.waiting.push_back(job);
    if (peer.link == nullptr) StartSession(job->peer, peer);
    return;
  }
  uint32_t sequence = next_sequence_++;
  peer.outstanding[sequence] = {job, clock_.Now()};
  ++job->sent;
  SendPingDatagram(peer, sequence);
  std::string peer_id = job->peer;
  node_thread_.PostDelayed(job->timeout, [this, peer_id, sequence] {
    OnPingTimeout(peer_id, sequence);
  });
  if (job->sent < job->count) {
    node_thread_.PostDelayed(job->interval, [this, job] { SendNextPing(job); });
  }
}

void NodeImpl::PostPong(const std::string& peer, uint32_t sequence,
                        absl::Time received_at) {
  node_thread_.Post([this, peer, sequence, received_at] {
    OnPong(peer, sequence, received_at);
  });
}

void NodeImpl::OnPong(const std::string& peer_id, uint32_t sequence,
                      absl::Time received_at) {
  auto it = peers_.find(peer_id);
  if (it == peers_.end()) return;
  Peer& peer = it->second;
  auto ping = peer.outstanding.find(sequence);
  if (ping == peer.outstanding.end()) return;  // Late, or not ours.
  OutstandingPing outstanding = std::move(ping->second);
  peer.outstanding.erase(ping);
  PingReply reply;
  reply.sequence = sequence;
  reply.rtt = received_at - outstanding.sent_at;
  if (peer.link != nullptr && peer.link->session != nullptr) {
    std::optional<ice::SelectedPairInfo> pair =
        peer.link->session->SelectedPair();
    if (pair.has_value()) {
      reply.path = PathOf(*pair, *peer.link->session);
      reply.remote = CandidateText(pair->remote);
    }
  }
  ResolvePing(outstanding.job, reply);
}

void NodeImpl::OnPingTimeout(const std::string& peer_id, uint32_t sequence) {
  auto it = peers_.find(peer_id);
  if (it == peers_.end()) return;
  auto ping = it->second.outstanding.find(sequence);
  if (ping == it->second.outstanding.end()) return;  // Answered.
  OutstandingPing outstanding = std::move(ping->second);
  it->second.outstanding.erase(ping);
  PingReply reply;
  reply.sequence = sequence;
  reply.status = absl::DeadlineExceededError(absl::StrCat(
      "no reply within ", absl::FormatDuration(outstanding.job->timeout)));
  ResolvePing(outstanding.job, reply);
}

void NodeImpl::ResolvePing(const std::shared_ptr<PingJob>& job,
                           const PingReply& reply) {
  PingReply out = reply;
  if (!job->reported_setup) {
    out.setup_time = job->setup_time;
    job->reported_setup = true;
  }
  job->on_reply(out);
  if (++job->resolved == job->count) job->on_done();
}

void NodeImpl::FailWaiting(Peer& peer, const absl::Status& why) {
  std::vector<std::function<void(const absl::Status&)>> waiters =
      std::move(peer.connect_waiters);
  peer.connect_waiters.clear();
  for (auto& done : waiters) done(why);
  std::vector<std::shared_ptr<PingJob>> waiting = std::move(peer.waiting);
  peer.waiting.clear();
  for (const std::shared_ptr<PingJob>& job : waiting) {
    // Every ping not sent yet fails with the session's reason.
    while (job->sent < job->count) {
      ++job->sent;
      PingReply reply;
      reply.status = absl::Status(
          why.code(),
          absl::StrCat("no session with the peer: ", why.message()));
      ResolvePing(job, reply);
    }
  }
}

}  // namespace natfwt::node
