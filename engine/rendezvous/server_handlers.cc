// Copyright 2026 The natfwt Authors.
//
// The rendezvous server's message handlers: rate limits, REGISTER,
// PUBLISH, SIGNAL, PING and BYE (see server.h for the rules they enforce).

#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/server_internal.h"
#include "engine/rendezvous/signed_envelope.h"
#include "engine/secure/node_id.h"
#include "platform/base/logging.h"

namespace natfwt::rendezvous::server_internal {
namespace {

// A REGISTER's two envelopes, decoded and checked.
struct Registration {
  Envelope record;
  std::string node_id;
};

absl::Status Forbidden(absl::string_view what) {
  return absl::PermissionDeniedError(what);
}

// Checks a REGISTER: a record and an auth envelope from the same key, for
// the same network, the auth answering this connection's challenge.
// Errors: kInvalidArgument (malformed), kPermissionDenied (forbidden).
absl::StatusOr<Registration> CheckRegistration(const ClientMessage& message,
                                               const std::string& challenge) {
  absl::StatusOr<Envelope> record = DecodeEnvelope(message.envelope);
  if (!record.ok()) return record.status();
  absl::StatusOr<Envelope> auth = DecodeEnvelope(message.auth);
  if (!auth.ok()) return auth.status();
  if (record->fields.kind != EnvelopeKind::kRecord ||
      auth->fields.kind != EnvelopeKind::kAuth) {
    return absl::InvalidArgumentError(
        "REGISTER takes a record and an auth envelope");
  }
  absl::StatusOr<NodeRecord> body = DecodeRecordBody(record->fields.body);
  if (!body.ok()) return body.status();
  if (!VerifySignature(*record).ok() || !VerifySignature(*auth).ok()) {
    return Forbidden("a signature does not verify");
  }
  if (auth->fields.from != record->fields.from ||
      auth->fields.network != record->fields.network) {
    return Forbidden("the record and the auth come from different nodes");
  }
  if (challenge.empty() || auth->fields.body != challenge) {
    return Forbidden("the auth does not answer this connection's challenge");
  }
  std::string node_id = secure::FormatNodeId(record->fields.from);
  return Registration{*std::move(record), std::move(node_id)};
}

ErrorCode CodeFor(const absl::Status& status) {
  return absl::IsPermissionDenied(status) ? ErrorCode::kForbidden
                                          : ErrorCode::kMalformed;
}

}  // namespace

bool ServerImpl::Admit(Connection& connection, size_t line_bytes) {
  const absl::Time now = clock_->Now();
  const double cost = static_cast<double>(line_bytes);
  if (connection.messages.Available(now) >= 1 &&
      connection.bytes.Available(now) >= cost) {
    connection.messages.TryTake(1, now);
    connection.bytes.TryTake(cost, now);
    return true;
  }
  ++stats_.rate_limited;
  if (!connection.strikes.TryTake(1, now)) {
    NATFWT_LOG(kDebug) << "rendezvous: dropping " << connection.peer_ip
                       << ": keeps exceeding its rate";
    ++stats_.dropped_abusive;
    SendError(connection, ErrorCode::kRateLimited,
              "rate limit exceeded persistently; closing");
    connection.dead = true;
    return false;
  }
  SendError(connection, ErrorCode::kRateLimited, "message dropped; slow down");
  return false;
}

void ServerImpl::HandleLine(Connection& connection, const std::string& line) {
  absl::StatusOr<ClientMessage> message = ParseClientMessage(line);
  if (!message.ok()) {
    SendError(connection, ErrorCode::kMalformed, message.status().message());
    return;
  }
  switch (message->verb) {
    case ClientVerb::kRegister:
      HandleRegister(connection, *message);
      return;
    case ClientVerb::kPublish:
      HandlePublish(connection, *message);
      return;
    case ClientVerb::kSignal:
      HandleSignal(connection, *message);
      return;
    case ClientVerb::kPing: {
      ServerMessage pong;
      pong.verb = ServerVerb::kPong;
      pong.token = message->token;
      Send(connection, EncodeServerMessage(pong));
      return;
    }
    case ClientVerb::kBye:
      connection.dead = true;
      return;
  }
}

bool ServerImpl::HasRoomFor(const Connection& connection,
                            const std::string& network) {
  auto it = networks_.find(network);
  if (it == networks_.end()) return networks_.size() < options_.max_networks;
  return it->second.members.size() < options_.max_nodes_per_network ||
         it->second.members.contains(connection.node_id);
}

void ServerImpl::ReplaceHolder(Network& network, const std::string& node_id) {
  auto member = network.members.find(node_id);
  if (member == network.members.end()) return;
  Connection* old = Find(member->second);
  network.members.erase(member);
  if (old == nullptr) return;
  ++stats_.replaced;
  SendError(*old, ErrorCode::kReplaced,
            "this node registered again from another connection");
  old->announce_gone = false;
  old->dead = true;
}

void ServerImpl::HandleRegister(Connection& connection,
                                const ClientMessage& message) {
  if (connection.registered) {
    SendError(connection, ErrorCode::kProtocol, "already registered");
    return;
  }
  absl::StatusOr<Registration> registration =
      CheckRegistration(message, connection.challenge);
  if (!registration.ok()) {
    SendError(connection, CodeFor(registration.status()),
              registration.status().message());
    return;
  }
  const std::string& network_name = registration->record.fields.network;
  connection.node_id = registration->node_id;
  if (!HasRoomFor(connection, network_name)) {
    SendError(connection, ErrorCode::kFull,
              "no room for another network or node");
    return;
  }
  Network& network = networks_[network_name];
  ReplaceHolder(network, connection.node_id);
  network.members[connection.node_id] = connection.id;
  connection.registered = true;
  connection.network = network_name;
  connection.record = message.envelope;
  connection.record_signed_at_ms = registration->record.fields.signed_at_ms;
  ++stats_.registrations;
  NATFWT_LOG(kDebug) << "rendezvous: " << connection.node_id << " joined '"
                     << network_name << "' from " << connection.peer_ip;
  ServerMessage welcome;
  welcome.verb = ServerVerb::kWelcome;
  welcome.node_id = connection.node_id;
  Send(connection, EncodeServerMessage(welcome));
  SendMemberList(connection);
  ServerMessage peer;
  peer.verb = ServerVerb::kPeer;
  peer.envelope = connection.record;
  Broadcast(network_name, connection.id, EncodeServerMessage(peer),
            &stats_.records_pushed);
}

void ServerImpl::SendMemberList(Connection& connection) {
  const Network& network = networks_[connection.network];
  for (const auto& [node_id, id] : network.members) {
    const Connection* member = Find(id);
    if (member == nullptr || id == connection.id) continue;
    ServerMessage peer;
    peer.verb = ServerVerb::kPeer;
    peer.envelope = member->record;
    ++stats_.records_pushed;
    Send(connection, EncodeServerMessage(peer));
  }
}

void ServerImpl::HandlePublish(Connection& connection,
                               const ClientMessage& message) {
  if (!connection.registered) {
    SendError(connection, ErrorCode::kNotRegistered, "REGISTER first");
    return;
  }
  absl::StatusOr<Envelope> record = DecodeEnvelope(message.envelope);
  absl::Status status = record.status();
  if (status.ok() && record->fields.kind != EnvelopeKind::kRecord) {
    status = absl::InvalidArgumentError("PUBLISH takes a record envelope");
  }
  if (status.ok()) status = DecodeRecordBody(record->fields.body).status();
  if (status.ok() &&
      (!VerifySignature(*record).ok() ||
       secure::FormatNodeId(record->fields.from) != connection.node_id ||
       record->fields.network != connection.network)) {
    status = Forbidden("not signed by this connection's node");
  }
  if (!status.ok()) {
    SendError(connection, CodeFor(status), status.message());
    return;
  }
  if (record->fields.signed_at_ms <= connection.record_signed_at_ms) {
    SendError(connection, ErrorCode::kOutdated,
              "not newer than the current record");
    return;
  }
  connection.record = message.envelope;
  connection.record_signed_at_ms = record->fields.signed_at_ms;
  ServerMessage peer;
  peer.verb = ServerVerb::kPeer;
  peer.envelope = connection.record;
  Broadcast(connection.network, connection.id, EncodeServerMessage(peer),
            &stats_.records_pushed);
}

void ServerImpl::HandleSignal(Connection& connection,
                              const ClientMessage& message) {
  if (!connection.registered) {
    SendError(connection, ErrorCode::kNotRegistered, "REGISTER first");
    return;
  }
  absl::StatusOr<Envelope> signal = DecodeEnvelope(message.envelope);
  if (!signal.ok() || signal->fields.kind != EnvelopeKind::kSignal) {
    SendError(connection, ErrorCode::kMalformed,
              signal.ok() ? "SIGNAL takes a signal envelope"
                          : signal.status().message());
    return;
  }
  if (secure::FormatNodeId(signal->fields.from) != connection.node_id ||
      signal->fields.network != connection.network) {
    SendError(connection, ErrorCode::kForbidden,
              "a signal must come from this connection's node and network");
    return;
  }
  const std::string to = secure::FormatNodeId(signal->fields.to);
  const Network& network = networks_[connection.network];
  auto member = network.members.find(to);
  Connection* target =
      member == network.members.end() ? nullptr : Find(member->second);
  if (target == nullptr || target->dead) {
    SendError(connection, ErrorCode::kUnknownPeer,
              absl::StrCat("unknown peer ", to));
    return;
  }
  ServerMessage relay;
  relay.verb = ServerVerb::kSignal;
  relay.envelope = message.envelope;
  ++stats_.signals_relayed;
  Send(*target, EncodeServerMessage(relay));
}

void ServerImpl::Send(Connection& connection, const std::string& line) {
  if (connection.pending_output() + line.size() > options_.max_output_bytes) {
    if (!connection.dead) {
      NATFWT_LOG(kDebug) << "rendezvous: dropping " << connection.peer_ip
                         << ": output queue full";
      ++stats_.dropped_slow;
      connection.dead = true;
    }
    return;
  }
  connection.output += line;
  ++stats_.messages_out;
}

void ServerImpl::SendError(Connection& connection, ErrorCode code,
                           absl::string_view text) {
  ++stats_.errors[static_cast<size_t>(code)];
  Send(connection, ErrorLine(code, text));
}

void ServerImpl::Broadcast(const std::string& network, uint64_t except,
                           const std::string& line, uint64_t* counter) {
  auto it = networks_.find(network);
  if (it == networks_.end()) return;
  for (const auto& [node_id, id] : it->second.members) {
    Connection* member = Find(id);
    if (member == nullptr || id == except || member->dead) continue;
    if (counter != nullptr) ++*counter;
    Send(*member, line);
  }
}

}  // namespace natfwt::rendezvous::server_internal
