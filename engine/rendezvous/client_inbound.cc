// Copyright 2026 The natfwt Authors.
//
// The rendezvous client's handling of what the server sends. Nothing the
// server says is believed without proof: records and signals are verified
// (signed_envelope.h) before an observer sees them, and every rejection is
// counted by reason in ClientStats.
//
// Records have no freshness window (a node's record stays valid while it
// is registered, however long ago it signed it); instead the client keeps
// the newest accepted record of every node and refuses anything older
// (replayed), or as old but different. The same record again is a
// harmless duplicate: a server sends every member's record after each
// re-registration. A record signed more than `freshness` in the future is
// refused (stale), so it cannot lock out the node's genuine updates.
// Signals must be fresh and unseen (ReplayCache).

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/client_internal.h"
#include "engine/secure/node_id.h"
#include "platform/base/logging.h"

namespace natfwt::rendezvous::client_internal {

void ClientImpl::HandleLine(const std::string& line, absl::Time now) {
  absl::StatusOr<ServerMessage> message = ParseServerMessage(line);
  if (!message.ok()) {
    CountRejection(message.status());
    return;
  }
  const bool registered = state_ == State::kRegistered;
  switch (message->verb) {
    case ServerVerb::kHello:
      HandleHello(*message, now);
      return;
    case ServerVerb::kWelcome:
      HandleWelcome(*message, now);
      return;
    case ServerVerb::kPeer:
      if (registered) HandlePeer(*message);
      break;
    case ServerVerb::kSignal:
      if (registered) HandleSignal(*message);
      break;
    case ServerVerb::kGone:
      if (registered) HandleGone(*message);
      break;
    case ServerVerb::kPong:
      if (ping_sent_.has_value()) NoteRoundTrip(now - *ping_sent_);
      ping_sent_.reset();
      MaybeSampleRtt(now);
      return;
    case ServerVerb::kError:
      HandleError(*message, now);
      return;
  }
  if (!registered) {
    CountRejection(absl::InvalidArgumentError("message before WELCOME"));
  }
}

void ClientImpl::NoteRoundTrip(absl::Duration sample) {
  if (sample < absl::ZeroDuration()) return;
  rtt_samples_[rtt_sample_count_++ % rtt_samples_.size()] = sample;
  const size_t held = std::min(rtt_sample_count_, rtt_samples_.size());
  const absl::Duration least =
      *std::min_element(rtt_samples_.begin(), rtt_samples_.begin() + held);
  absl::MutexLock lock(&mutex_);
  stats_.rtt = stats_.rtt.has_value() ? (*stats_.rtt * 7 + sample) / 8 : sample;
  stats_.min_rtt = least;
  ++stats_.rtt_samples;
}

void ClientImpl::MaybeSampleRtt(absl::Time now) {
  // The REGISTER sample carries the server's signature checks and whatever
  // load a (re)start brings: a few PINGs right away give min_rtt a fair
  // value before the first keepalive would.
  if (state_ != State::kRegistered || ping_sent_.has_value() ||
      rtt_sample_count_ >= kEarlyRttSamples) {
    return;
  }
  SendPing(now);
}

void ClientImpl::HandleHello(const ServerMessage& message, absl::Time now) {
  if (state_ != State::kHandshaking || said_hello_) {
    CountRejection(absl::InvalidArgumentError("unexpected HELLO"));
    return;
  }
  ClientMessage request;
  request.verb = ClientVerb::kRegister;
  absl::StatusOr<std::string> record;
  {
    absl::MutexLock lock(&mutex_);
    record = SignRecordLocked();
    registered_version_ = publish_version_;
  }
  absl::StatusOr<std::string> auth =
      record.ok() ? SignAuth(message.challenge) : record.status();
  if (!auth.ok()) {
    Fail(auth.status(), now);
    return;
  }
  request.envelope = *std::move(record);
  request.auth = *std::move(auth);
  output_ += EncodeClientMessage(request);
  said_hello_ = true;
  register_sent_ = now;
}

absl::StatusOr<std::string> ClientImpl::SignAuth(const std::string& challenge) {
  EnvelopeFields fields;
  fields.kind = EnvelopeKind::kAuth;
  fields.network = options_.network;
  fields.body = challenge;
  fields.signed_at_ms = WallClockMs();
  absl::StatusOr<uint64_t> nonce = RandomNonce();
  if (!nonce.ok()) return nonce.status();
  fields.nonce = *nonce;
  return SignEnvelope(identity_, std::move(fields));
}

void ClientImpl::HandleWelcome(const ServerMessage& message, absl::Time now) {
  if (state_ != State::kHandshaking || !said_hello_ ||
      message.node_id != node_id_) {
    CountRejection(absl::InvalidArgumentError("unexpected WELCOME"));
    Fail(absl::DataLossError("the server's WELCOME does not fit"), now);
    return;
  }
  state_ = State::kRegistered;
  failed_attempts_ = 0;
  last_sent_ = now;
  ping_sent_.reset();
  NoteRoundTrip(now - register_sent_);
  MaybeSampleRtt(now);
  {
    absl::MutexLock lock(&mutex_);
    registered_ = true;
    stats_.connected = true;
    ++stats_.connects;
    if (registered_version_ != publish_version_) {
      // Publish() ran while REGISTER was in flight: send the newer record.
      absl::StatusOr<std::string> record = SignRecordLocked();
      if (record.ok()) {
        ClientMessage publish;
        publish.verb = ClientVerb::kPublish;
        publish.envelope = *std::move(record);
        output_ += EncodeClientMessage(publish);
        registered_version_ = publish_version_;
      }
    }
  }
  NATFWT_LOG(kDebug) << "rendezvous client: registered in '" << options_.network
                     << "'";
  observer_->OnConnected();
}

void ClientImpl::HandlePeer(const ServerMessage& message) {
  Expectation expectation;
  expectation.kind = EnvelopeKind::kRecord;
  expectation.network = options_.network;
  absl::StatusOr<Envelope> envelope =
      VerifyEnvelope(message.envelope, expectation);
  if (!envelope.ok()) {
    CountRejection(envelope.status());
    return;
  }
  const std::string node_id = secure::FormatNodeId(envelope->fields.from);
  if (node_id == node_id_) return;  // Our own record: nothing to learn.
  if (envelope->fields.signed_at_ms >
      WallClockMs() + absl::ToInt64Milliseconds(options_.freshness)) {
    CountRejection(absl::OutOfRangeError("record signed in the future"));
    return;
  }
  absl::StatusOr<NodeRecord> record = DecodeRecordBody(envelope->fields.body);
  absl::Status order =
      record.ok() ? CheckRecordOrder(node_id, *envelope) : record.status();
  if (!order.ok()) {
    CountRejection(order);
    return;
  }
  Remember(node_id, *envelope);
  record->network = options_.network;
  record->node_id = node_id;
  record->signed_at_ms = envelope->fields.signed_at_ms;
  bool changed;
  {
    absl::MutexLock lock(&mutex_);
    auto [it, inserted] = peers_.try_emplace(node_id, *record);
    changed = inserted || it->second.signed_at_ms != record->signed_at_ms;
    it->second = *record;
  }
  if (changed) observer_->OnPeer(*record);
}

absl::Status ClientImpl::CheckRecordOrder(const std::string& node_id,
                                          const Envelope& envelope) {
  auto it = known_.find(node_id);
  if (it == known_.end()) {
    if (known_.size() < kMaxKnownNodes) return absl::OkStatus();
    // Make room by forgetting a node that is not a member now.
    absl::MutexLock lock(&mutex_);
    for (auto candidate = known_.begin(); candidate != known_.end();
         ++candidate) {
      if (!peers_.contains(candidate->first)) {
        known_.erase(candidate);
        return absl::OkStatus();
      }
    }
    return absl::ResourceExhaustedError("too many nodes");
  }
  const int64_t signed_at = envelope.fields.signed_at_ms;
  if (signed_at < it->second.signed_at_ms) {
    return absl::AlreadyExistsError("older than the node's current record");
  }
  if (signed_at == it->second.signed_at_ms &&
      envelope.signed_part != it->second.signed_part) {
    return absl::AlreadyExistsError("conflicts with the node's record");
  }
  return absl::OkStatus();
}

void ClientImpl::Remember(const std::string& node_id,
                          const Envelope& envelope) {
  KnownRecord& known = known_[node_id];
  known.signed_at_ms = envelope.fields.signed_at_ms;
  known.signed_part = envelope.signed_part;
}

void ClientImpl::HandleSignal(const ServerMessage& message) {
  const int64_t now_ms = WallClockMs();
  Expectation expectation;
  expectation.kind = EnvelopeKind::kSignal;
  expectation.network = options_.network;
  expectation.to = identity_.fingerprint();
  expectation.freshness = options_.freshness;
  expectation.now_ms = now_ms;
  absl::StatusOr<Envelope> envelope =
      VerifyEnvelope(message.envelope, expectation);
  absl::StatusOr<Signal> signal =
      envelope.ok() ? DecodeSignalBody(envelope->fields.body)
                    : absl::StatusOr<Signal>(envelope.status());
  absl::Status fresh = signal.status();
  if (fresh.ok()) {
    fresh = replay_cache_.Insert(
        envelope->fields.from, envelope->fields.nonce,
        envelope->fields.signed_at_ms,
        now_ms - absl::ToInt64Milliseconds(options_.freshness));
  }
  if (!fresh.ok()) {
    CountRejection(fresh);
    return;
  }
  signal->from = secure::FormatNodeId(envelope->fields.from);
  {
    absl::MutexLock lock(&mutex_);
    ++stats_.signals_received;
  }
  observer_->OnSignal(*signal);
}

void ClientImpl::HandleGone(const ServerMessage& message) {
  bool erased;
  {
    absl::MutexLock lock(&mutex_);
    erased = peers_.erase(message.node_id) > 0;
  }
  if (erased) observer_->OnPeerGone(message.node_id);
}

void ClientImpl::HandleError(const ServerMessage& message, absl::Time now) {
  {
    absl::MutexLock lock(&mutex_);
    ++stats_.server_errors;
  }
  const absl::Status why = absl::UnavailableError(absl::StrCat(
      "rendezvous server: ", message.error_name, " ", message.text));
  NATFWT_LOG(kDebug) << why;
  if (message.error == ErrorCode::kReplaced) {
    failed_attempts_ = kMaxBackoffDoublings;
    Fail(why, now);
  } else if (state_ == State::kHandshaking) {
    Fail(why, now);  // Registration refused.
  }
}

void ClientImpl::CountRejection(const absl::Status& status) {
  absl::MutexLock lock(&mutex_);
  switch (RejectionOf(status)) {
    case Rejection::kMalformed:
      ++stats_.rejected_malformed;
      return;
    case Rejection::kForged:
      ++stats_.rejected_forged;
      return;
    case Rejection::kMisdirected:
      ++stats_.rejected_misdirected;
      return;
    case Rejection::kStale:
      ++stats_.rejected_stale;
      return;
    case Rejection::kReplayed:
      ++stats_.rejected_replayed;
      return;
  }
}

}  // namespace natfwt::rendezvous::client_internal
