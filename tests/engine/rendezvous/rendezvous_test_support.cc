// Copyright 2026 The natfwt Authors.

#include "tests/engine/rendezvous/rendezvous_test_support.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/host_port.h"
#include "engine/secure/node_id.h"
#include "platform/base/status_macros.h"

namespace natfwt::rendezvous::testing {
namespace {

absl::Time Deadline(absl::Duration timeout) { return absl::Now() + timeout; }

// Waits for `want` on `fd` until `deadline`. Errors: kDeadlineExceeded.
absl::Status WaitReady(int fd, uint8_t want, absl::Time deadline) {
  for (;;) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError("timed out");
    }
    PollItem item{fd, want, 0};
    NATFWT_RETURN_IF_ERROR(PollSockets(absl::MakeSpan(&item, 1), left));
    if (item.got != 0) return absl::OkStatus();
  }
}

EnvelopeFields Fields(EnvelopeKind kind, const std::string& network,
                      int64_t signed_at_ms) {
  EnvelopeFields fields;
  fields.kind = kind;
  fields.network = network;
  fields.signed_at_ms = signed_at_ms;
  fields.nonce = *RandomNonce();
  return fields;
}

std::string MustSign(const secure::Identity& identity, EnvelopeFields fields) {
  absl::StatusOr<std::string> bytes = SignEnvelope(identity, std::move(fields));
  return bytes.ok() ? *bytes : std::string();
}

}  // namespace

secure::Identity NewIdentity() { return *secure::Identity::Generate(); }

int Recorded::PeerCount(const std::string& node_id) const {
  int count = 0;
  for (const NodeRecord& record : peers) count += record.node_id == node_id;
  return count;
}

void RecordingObserver::OnConnected() {
  absl::MutexLock lock(&mutex_);
  ++recorded_.connected;
}

void RecordingObserver::OnDisconnected(const absl::Status&) {
  absl::MutexLock lock(&mutex_);
  ++recorded_.disconnected;
}

void RecordingObserver::OnPeer(const NodeRecord& record) {
  absl::MutexLock lock(&mutex_);
  recorded_.peers.push_back(record);
}

void RecordingObserver::OnPeerGone(absl::string_view node_id) {
  absl::MutexLock lock(&mutex_);
  recorded_.gone.emplace_back(node_id);
}

void RecordingObserver::OnSignal(const Signal& signal) {
  absl::MutexLock lock(&mutex_);
  recorded_.signals.push_back(signal);
}

Recorded RecordingObserver::Snapshot() const {
  absl::MutexLock lock(&mutex_);
  return recorded_;
}

bool RecordingObserver::WaitFor(
    const std::function<bool(const Recorded&)>& predicate,
    absl::Duration timeout) const {
  absl::MutexLock lock(&mutex_);
  auto holds = [&] { return predicate(recorded_); };
  return mutex_.AwaitWithTimeout(absl::Condition(&holds), timeout);
}

bool RecordingObserver::WaitForSignal(const std::string& payload,
                                      absl::Duration timeout) const {
  return WaitFor(
      [&payload](const Recorded& r) {
        for (const Signal& signal : r.signals) {
          if (signal.payload == payload) return true;
        }
        return false;
      },
      timeout);
}

absl::StatusOr<RawConnection> RawConnection::Connect(uint16_t port) {
  NATFWT_ASSIGN_OR_RETURN(std::vector<SocketAddress> addresses,
                          ResolveTcp("127.0.0.1", port, true));
  NATFWT_ASSIGN_OR_RETURN(Socket socket, StartConnect(addresses.front()));
  NATFWT_RETURN_IF_ERROR(WaitReady(socket.fd(), kPollOut, Deadline(kWait)));
  NATFWT_RETURN_IF_ERROR(FinishConnect(socket));
  return RawConnection(std::move(socket));
}

absl::Status RawConnection::Send(absl::string_view bytes,
                                 absl::Duration timeout) {
  const absl::Time deadline = Deadline(timeout);
  while (!bytes.empty()) {
    absl::StatusOr<size_t> n = WriteSome(socket_, bytes);
    if (n.ok()) {
      bytes.remove_prefix(*n);
      continue;
    }
    if (!absl::IsUnavailable(n.status())) return n.status();
    NATFWT_RETURN_IF_ERROR(WaitReady(socket_.fd(), kPollOut, deadline));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RawConnection::ReadLine(absl::Duration timeout) {
  const absl::Time deadline = Deadline(timeout);
  for (;;) {
    if (std::optional<std::string> line = framer_.Next()) return *line;
    NATFWT_RETURN_IF_ERROR(WaitReady(socket_.fd(), kPollIn, deadline));
    char buffer[16 * 1024];
    absl::StatusOr<size_t> n =
        ReadSome(socket_, absl::MakeSpan(buffer, sizeof(buffer)));
    if (!n.ok() && absl::IsUnavailable(n.status())) continue;
    if (!n.ok() || *n == 0) {
      return absl::UnavailableError(n.ok() ? "closed by the peer"
                                           : n.status().message());
    }
    NATFWT_RETURN_IF_ERROR(framer_.Append(absl::string_view(buffer, *n)));
  }
}

absl::StatusOr<ServerMessage> RawConnection::ReadServerMessage(
    absl::Duration timeout) {
  NATFWT_ASSIGN_OR_RETURN(std::string line, ReadLine(timeout));
  return ParseServerMessage(line);
}

absl::StatusOr<ClientMessage> RawConnection::ReadClientMessage(
    absl::Duration timeout) {
  NATFWT_ASSIGN_OR_RETURN(std::string line, ReadLine(timeout));
  return ParseClientMessage(line);
}

bool RawConnection::WaitClosed(absl::Duration timeout) {
  const absl::Time deadline = Deadline(timeout);
  for (;;) {
    absl::StatusOr<std::string> line = ReadLine(deadline - absl::Now());
    if (line.ok()) continue;
    return absl::IsUnavailable(line.status());
  }
}

absl::Status RawConnection::Register(const secure::Identity& identity,
                                     const std::string& network) {
  NATFWT_ASSIGN_OR_RETURN(ServerMessage hello, ReadServerMessage());
  if (hello.verb != ServerVerb::kHello) {
    return absl::InternalError("expected HELLO");
  }
  challenge_ = hello.challenge;
  NATFWT_RETURN_IF_ERROR(Send(RegisterLine(identity, network, challenge_)));
  NATFWT_ASSIGN_OR_RETURN(ServerMessage reply, ReadServerMessage());
  if (reply.verb == ServerVerb::kError) {
    return absl::PermissionDeniedError(
        absl::StrCat(reply.error_name, " ", reply.text));
  }
  if (reply.verb != ServerVerb::kWelcome ||
      reply.node_id != identity.node_id()) {
    return absl::InternalError("expected WELCOME with our node ID");
  }
  return absl::OkStatus();
}

std::string RecordEnvelope(const secure::Identity& identity,
                           const std::string& network, int64_t signed_at_ms,
                           const std::vector<std::string>& transport_ids) {
  NodeRecord record;
  record.transport_ids = transport_ids;
  EnvelopeFields fields = Fields(EnvelopeKind::kRecord, network, signed_at_ms);
  fields.body = *EncodeRecordBody(record);
  return MustSign(identity, std::move(fields));
}

std::string AuthEnvelope(const secure::Identity& identity,
                         const std::string& network,
                         const std::string& challenge) {
  EnvelopeFields fields = Fields(EnvelopeKind::kAuth, network, WallClockMs());
  fields.body = challenge;
  return MustSign(identity, std::move(fields));
}

std::string SignalEnvelope(const secure::Identity& from,
                           const secure::Fingerprint& to,
                           const std::string& network, const std::string& kind,
                           const std::string& payload, int64_t signed_at_ms) {
  EnvelopeFields fields = Fields(EnvelopeKind::kSignal, network, signed_at_ms);
  fields.to = to;
  fields.body = *EncodeSignalBody(kind, payload);
  return MustSign(from, std::move(fields));
}

std::string RegisterLine(const secure::Identity& identity,
                         const std::string& network,
                         const std::string& challenge) {
  ClientMessage message;
  message.verb = ClientVerb::kRegister;
  message.envelope = RecordEnvelope(identity, network, WallClockMs());
  message.auth = AuthEnvelope(identity, network, challenge);
  return EncodeClientMessage(message);
}

std::string ServerLine(ServerVerb verb, const std::string& envelope) {
  ServerMessage message;
  message.verb = verb;
  message.envelope = envelope;
  return EncodeServerMessage(message);
}

absl::StatusOr<FakeServer> FakeServer::Listen() {
  NATFWT_ASSIGN_OR_RETURN(std::vector<SocketAddress> addresses,
                          ResolveTcp("127.0.0.1", 0, true));
  FakeServer server;
  NATFWT_ASSIGN_OR_RETURN(server.listener_, ListenTcp(addresses.front(), 8));
  NATFWT_ASSIGN_OR_RETURN(SocketAddress bound, LocalAddress(server.listener_));
  NATFWT_ASSIGN_OR_RETURN(HostPort parsed, ParseHostPort(bound.ToString()));
  server.port_ = parsed.port;
  return server;
}

absl::StatusOr<RawConnection> FakeServer::AcceptAndRegister(
    const std::string& network, std::string* node_id) {
  NATFWT_RETURN_IF_ERROR(WaitReady(listener_.fd(), kPollIn, Deadline(kWait)));
  std::string peer_ip;
  NATFWT_ASSIGN_OR_RETURN(Socket socket, AcceptTcp(listener_, &peer_ip));
  RawConnection connection(std::move(socket));
  ServerMessage hello;
  hello.verb = ServerVerb::kHello;
  hello.challenge = std::string(kChallengeSize, '\0');
  for (char& c : hello.challenge) c = static_cast<char>(*RandomNonce());
  NATFWT_RETURN_IF_ERROR(connection.Send(EncodeServerMessage(hello)));
  NATFWT_ASSIGN_OR_RETURN(ClientMessage reg, connection.ReadClientMessage());
  if (reg.verb != ClientVerb::kRegister) {
    return absl::InternalError("expected REGISTER");
  }
  Expectation expect_record;
  expect_record.kind = EnvelopeKind::kRecord;
  expect_record.network = network;
  NATFWT_ASSIGN_OR_RETURN(Envelope record,
                          VerifyEnvelope(reg.envelope, expect_record));
  Expectation expect_auth = expect_record;
  expect_auth.kind = EnvelopeKind::kAuth;
  NATFWT_ASSIGN_OR_RETURN(Envelope auth, VerifyEnvelope(reg.auth, expect_auth));
  if (auth.fields.body != hello.challenge ||
      auth.fields.from != record.fields.from) {
    return absl::InternalError("the auth does not answer the challenge");
  }
  *node_id = secure::FormatNodeId(record.fields.from);
  ServerMessage welcome;
  welcome.verb = ServerVerb::kWelcome;
  welcome.node_id = *node_id;
  NATFWT_RETURN_IF_ERROR(connection.Send(EncodeServerMessage(welcome)));
  return connection;
}

int CountOpenFds() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/fd")) {
    ++count;
  }
  return count;
}

int CountThreads() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++count;
  }
  return count;
}

}  // namespace natfwt::rendezvous::testing
