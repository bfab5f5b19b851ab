// Copyright 2026 The natfwt Authors.
//
// The rendezvous server's poll loop: accepting, reading, writing, timeouts
// and connection teardown (the message handlers are server_handlers.cc).

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/server_internal.h"
#include "engine/rendezvous/signed_envelope.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::rendezvous {
namespace server_internal {
namespace {

// Implementation choices.
constexpr int kListenBacklog = 128;
constexpr size_t kReadChunk = 16 * 1024;  // Per connection per wake-up.
constexpr int kAcceptsPerWakeup = 64;
// Out of descriptors: stop accepting for this long instead of spinning on
// a listener that stays readable.
constexpr absl::Duration kAcceptPause = absl::Milliseconds(100);

std::string RandomChallenge() {
  std::string challenge(kChallengeSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(challenge.data()),
                 static_cast<int>(challenge.size())) != 1) {
    // No randomness, no proof of possession: an empty challenge matches
    // no auth envelope (its body is 32 bytes), so REGISTER is refused.
    challenge.clear();
  }
  return challenge;
}

absl::Status CheckOptions(const Server::Options& options) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("server option ", what));
  };
  if (options.max_clients == 0 || options.max_clients_per_ip == 0 ||
      options.max_networks == 0 || options.max_nodes_per_network == 0) {
    return bad("limits must be positive");
  }
  if (options.max_output_bytes < kMaxLineSize) {
    return bad("max_output_bytes must hold at least one line (32 KiB)");
  }
  if (options.idle_timeout <= absl::ZeroDuration() ||
      options.register_timeout <= absl::ZeroDuration()) {
    return bad("timeouts must be positive");
  }
  if (!(options.messages_per_second > 0) || !(options.message_burst >= 1) ||
      !(options.bytes_per_second > 0) || !(options.strikes >= 1)) {
    return bad("rates must be positive");
  }
  if (!(options.byte_burst >= static_cast<double>(kMaxLineSize))) {
    return bad("byte_burst must hold at least one line (32 KiB)");
  }
  return absl::OkStatus();
}

}  // namespace

Connection::Connection(uint64_t id_in, Socket socket_in, std::string peer_ip_in,
                       const Server::Options& options, absl::Time now)
    : id(id_in),
      socket(std::move(socket_in)),
      peer_ip(std::move(peer_ip_in)),
      accepted_at(now),
      last_received(now),
      challenge(RandomChallenge()),
      messages(options.messages_per_second, options.message_burst, now),
      bytes(options.bytes_per_second, options.byte_burst, now),
      strikes(1.0, options.strikes, now) {}

ServerImpl::ServerImpl(Options options, HostPort listen)
    : options_(std::move(options)),
      listen_(std::move(listen)),
      clock_(options_.clock != nullptr ? options_.clock : &RealClock::Get()) {}

ServerImpl::~ServerImpl() { Stop(); }

absl::Status ServerImpl::Start() {
  absl::MutexLock lock(&mutex_);
  if (started_) return absl::FailedPreconditionError("already started");
  NATFWT_ASSIGN_OR_RETURN(std::vector<SocketAddress> addresses,
                          ResolveTcp(listen_.host, listen_.port, true));
  NATFWT_ASSIGN_OR_RETURN(Socket listener,
                          ListenTcp(addresses.front(), kListenBacklog));
  NATFWT_ASSIGN_OR_RETURN(SocketAddress bound, LocalAddress(listener));
  NATFWT_ASSIGN_OR_RETURN(Waker waker, Waker::Create());
  NATFWT_ASSIGN_OR_RETURN(HostPort parsed, ParseHostPort(bound.ToString()));
  listener_ = std::move(listener);
  waker_.emplace(std::move(waker));
  timer_ = std::make_unique<LoopTimer>(clock_, &*waker_);
  local_address_ = bound.ToString();
  port_ = parsed.port;
  started_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  NATFWT_LOG(kInfo) << "rendezvous server listening on " << local_address_;
  return absl::OkStatus();
}

std::string ServerImpl::local_address() const {
  absl::MutexLock lock(&mutex_);
  return local_address_;
}

uint16_t ServerImpl::port() const {
  absl::MutexLock lock(&mutex_);
  return port_;
}

ServerStats ServerImpl::stats() const {
  absl::MutexLock lock(&mutex_);
  return published_;
}

void ServerImpl::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    if (!started_) return;
    started_ = false;
  }
  stopping_ = true;
  waker_->Wake();
  if (thread_.joinable()) thread_.join();
  timer_.reset();
  waker_.reset();
  listener_.Close();
}

void ServerImpl::Run() {
  while (!stopping_) RunOnce();
  CloseAll();
  PublishStats();
}

void ServerImpl::RunOnce() {
  std::vector<PollItem> items;
  std::vector<Connection*> polled;
  items.push_back({waker_->read_fd(), kPollIn, 0});
  const absl::Time now = clock_->Now();
  const bool accepting = now >= listener_paused_until_;
  if (accepting) items.push_back({listener_.fd(), kPollIn, 0});
  for (auto& [id, connection] : connections_) {
    uint8_t want = kPollIn;
    if (connection->pending_output() > 0) want |= kPollOut;
    items.push_back({connection->socket.fd(), want, 0});
    polled.push_back(connection.get());
  }
  const absl::Time deadline = NextDeadline();
  timer_->ArmAt(deadline);
  absl::Status status = PollSockets(absl::MakeSpan(items), deadline - now);
  if (!status.ok()) {
    NATFWT_LOG(kError) << "rendezvous server: " << status;
    stopping_ = true;
    return;
  }
  if (items[0].got != 0) waker_->Drain();
  const absl::Time after = clock_->Now();
  const size_t first = accepting ? 2 : 1;
  if (accepting && items[1].got != 0) AcceptAll(after);
  for (size_t i = 0; i < polled.size(); ++i) {
    const uint8_t got = items[first + i].got;
    if (got & (kPollIn | kPollError)) ReadFrom(*polled[i], after);
  }
  Sweep(after);
  // Stats are published before anything they count becomes visible to a
  // peer (a reply, a close), so whoever sees the effect sees the count.
  PublishStats();
  FinishRefusals();
  for (auto& [id, connection] : connections_) {
    if (connection->pending_output() > 0 && !connection->dead) {
      Flush(*connection);
    }
  }
  Reap();
}

void ServerImpl::AcceptAll(absl::Time now) {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    std::string peer_ip;
    absl::StatusOr<Socket> socket = AcceptTcp(listener_, &peer_ip);
    if (!socket.ok()) {
      if (absl::IsResourceExhausted(socket.status())) {
        NATFWT_LOG(kWarning)
            << "rendezvous server: " << socket.status() << "; pausing accepts";
        listener_paused_until_ = now + kAcceptPause;
      } else if (!absl::IsUnavailable(socket.status())) {
        NATFWT_LOG(kWarning) << "rendezvous server: " << socket.status();
      }
      return;
    }
    if (connections_.size() >= options_.max_clients) {
      Refuse(*std::move(socket), "too many clients");
      continue;
    }
    if (per_ip_[peer_ip] >= options_.max_clients_per_ip) {
      Refuse(*std::move(socket), "too many clients from this address");
      continue;
    }
    ++per_ip_[peer_ip];
    ++stats_.accepted;
    const uint64_t id = next_id_++;
    auto connection = std::make_unique<Connection>(id, *std::move(socket),
                                                   peer_ip, options_, now);
    ServerMessage hello;
    hello.verb = ServerVerb::kHello;
    hello.challenge = connection->challenge;
    Send(*connection, EncodeServerMessage(hello));
    connections_.emplace(id, std::move(connection));
  }
}

void ServerImpl::Refuse(Socket socket, absl::string_view why) {
  ++stats_.refused;
  ++stats_.errors[static_cast<size_t>(ErrorCode::kFull)];
  refusing_.push_back({std::move(socket), ErrorLine(ErrorCode::kFull, why)});
}

void ServerImpl::FinishRefusals() {
  for (const auto& [socket, line] : refusing_) {
    // Best effort: the line fits any fresh socket buffer.
    (void)WriteSome(socket, line);
  }
  refusing_.clear();
}

void ServerImpl::ReadFrom(Connection& connection, absl::Time now) {
  if (connection.dead) return;
  char buffer[kReadChunk];
  absl::StatusOr<size_t> n =
      ReadSome(connection.socket, absl::MakeSpan(buffer, sizeof(buffer)));
  if (!n.ok()) {
    if (!absl::IsUnavailable(n.status())) connection.dead = true;
    return;
  }
  if (*n == 0) {
    connection.dead = true;
    return;
  }
  stats_.bytes_in += *n;
  if (!connection.framer.Append(absl::string_view(buffer, *n)).ok()) {
    SendError(connection, ErrorCode::kOversized,
              absl::StrCat("a line is at most ", kMaxLineSize, " bytes"));
    ++stats_.dropped_oversized;
    connection.dead = true;
    return;
  }
  while (!connection.dead) {
    std::optional<std::string> line = connection.framer.Next();
    if (!line.has_value()) break;
    connection.last_received = now;
    ++stats_.messages_in;
    if (Admit(connection, line->size() + 1)) HandleLine(connection, *line);
  }
}

void ServerImpl::Flush(Connection& connection) {
  while (connection.pending_output() > 0) {
    absl::StatusOr<size_t> n = WriteSome(
        connection.socket,
        absl::string_view(connection.output).substr(connection.output_sent));
    if (!n.ok()) {
      if (!absl::IsUnavailable(n.status())) connection.dead = true;
      break;
    }
    connection.output_sent += *n;
    stats_.bytes_out += *n;
  }
  if (connection.output_sent == connection.output.size()) {
    connection.output.clear();
    connection.output_sent = 0;
  } else if (connection.output_sent > connection.output.size() / 2) {
    connection.output.erase(0, connection.output_sent);
    connection.output_sent = 0;
  }
}

void ServerImpl::Sweep(absl::Time now) {
  for (auto& [id, connection] : connections_) {
    if (connection->dead) continue;
    if (!connection->registered &&
        now - connection->accepted_at >= options_.register_timeout) {
      SendError(*connection, ErrorCode::kIdle, "not registered in time");
      ++stats_.dropped_idle;
      connection->dead = true;
    } else if (now - connection->last_received >= options_.idle_timeout) {
      SendError(*connection, ErrorCode::kIdle, "idle for too long");
      ++stats_.dropped_idle;
      connection->dead = true;
    }
  }
}

// Closing a registered connection broadcasts GONE, which can overflow
// another connection's queue and kill it too: repeat until none is dead.
// The sockets close last, after the stats are published.
void ServerImpl::Reap() {
  std::vector<std::unique_ptr<Connection>> closing;
  for (;;) {
    std::vector<uint64_t> dead;
    for (const auto& [id, connection] : connections_) {
      if (connection->dead) dead.push_back(id);
    }
    if (dead.empty()) break;
    for (uint64_t id : dead) {
      auto it = connections_.find(id);
      closing.push_back(std::move(it->second));
      connections_.erase(it);
      Connection& connection = *closing.back();
      if (--per_ip_[connection.peer_ip] == 0) {
        per_ip_.erase(connection.peer_ip);
      }
      Unregister(connection);
    }
  }
  if (closing.empty()) return;
  PublishStats();
  for (const std::unique_ptr<Connection>& connection : closing) {
    if (connection->pending_output() > 0) {
      // One last non-blocking attempt, for a final ERR.
      (void)WriteSome(connection->socket, absl::string_view(connection->output)
                                              .substr(connection->output_sent));
    }
  }
}

void ServerImpl::Unregister(Connection& connection) {
  if (!connection.registered) return;
  auto network = networks_.find(connection.network);
  if (network == networks_.end()) return;
  auto member = network->second.members.find(connection.node_id);
  if (member == network->second.members.end() ||
      member->second != connection.id) {
    return;  // Replaced by a newer registration.
  }
  network->second.members.erase(member);
  NATFWT_LOG(kDebug) << "rendezvous: " << connection.node_id << " left '"
                     << connection.network << "'";
  if (network->second.members.empty()) {
    networks_.erase(network);
    return;
  }
  if (connection.announce_gone) {
    ServerMessage gone;
    gone.verb = ServerVerb::kGone;
    gone.node_id = connection.node_id;
    Broadcast(connection.network, connection.id, EncodeServerMessage(gone));
  }
}

absl::Time ServerImpl::NextDeadline() const {
  absl::Time deadline = absl::InfiniteFuture();
  const absl::Time now = clock_->Now();
  if (now < listener_paused_until_) deadline = listener_paused_until_;
  for (const auto& [id, connection] : connections_) {
    deadline = std::min(
        deadline,
        connection->registered
            ? connection->last_received + options_.idle_timeout
            : std::min(connection->accepted_at + options_.register_timeout,
                       connection->last_received + options_.idle_timeout));
  }
  return deadline;
}

void ServerImpl::PublishStats() {
  stats_.clients = connections_.size();
  stats_.networks = networks_.size();
  size_t registered = 0;
  for (const auto& [name, network] : networks_) {
    registered += network.members.size();
  }
  stats_.registered = registered;
  absl::MutexLock lock(&mutex_);
  published_ = stats_;
}

void ServerImpl::CloseAll() {
  connections_.clear();
  networks_.clear();
  per_ip_.clear();
}

Connection* ServerImpl::Find(uint64_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

}  // namespace server_internal

absl::StatusOr<std::unique_ptr<Server>> Server::Create(Options options) {
  absl::StatusOr<HostPort> listen = ParseHostPort(options.listen);
  if (!listen.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("listen: ", listen.status().message()));
  }
  if (!listen->is_ip_literal) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen: '", listen->host, "' is not a numeric IPv4 or IPv6 address"));
  }
  NATFWT_RETURN_IF_ERROR(server_internal::CheckOptions(options));
  return std::unique_ptr<Server>(
      new server_internal::ServerImpl(std::move(options), *std::move(listen)));
}

}  // namespace natfwt::rendezvous
