// Copyright 2026 The natfwt Authors.
//
// The rendezvous client: public methods and the connection state machine
// (connect with a timeout, register, keep alive, reconnect with backoff).
//
//   kWaiting --retry_at_--> kConnecting --TCP up--> kHandshaking
//      ^                        |  (next address on failure)  | HELLO ->
//      |                        v                             | REGISTER,
//      +------ Fail(): backoff <-+-- timeout, ERR, EOF -------+ WELCOME
//                                                             v
//                                                        kRegistered
//
// Backoff (implementation choice): after n consecutive failed attempts the
// next one waits min(reconnect_max, reconnect_min * 2^n), scaled by a
// random factor in [0.5, 1] so that clients of a restarted server do not
// all return at the same instant. A successful registration resets n; an
// "ERR replaced" (this node registered elsewhere) sets it to the maximum
// so that two instances of one identity do not take turns at full speed.
//
// Time: Options::clock (monotonic, injectable) drives every timer here:
// backoff, connect and registration timeouts, keepalive. What a node signs
// and checks against other nodes (signed_at_ms, the freshness window) is
// wall-clock time (absl::Now()), since it must mean the same on both ends.
//
// Name resolution: a DNS name is resolved with getaddrinfo(3) on the
// client thread at every attempt (so a changed address is picked up);
// getaddrinfo cannot be interrupted, so Stop() may wait for a slow
// resolver. IP literals never block.

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/rendezvous/client_internal.h"
#include "engine/secure/node_id.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::rendezvous {
namespace client_internal {
namespace {

// Implementation choice.
constexpr size_t kReadChunk = 16 * 1024;

absl::Status CheckOptions(const Client::Options& options) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("client option ", what));
  };
  if (!ValidateNetworkName(options.network).ok()) {
    return bad("network must be [A-Za-z0-9._-]{1,64}");
  }
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.keepalive <= absl::ZeroDuration() ||
      options.freshness <= absl::ZeroDuration() ||
      options.reconnect_min <= absl::ZeroDuration()) {
    return bad("durations must be positive");
  }
  if (options.reconnect_max < options.reconnect_min) {
    return bad("reconnect_max must not be below reconnect_min");
  }
  return absl::OkStatus();
}

std::string VerbOnly(ClientVerb verb) {
  ClientMessage message;
  message.verb = verb;
  return EncodeClientMessage(message);
}

uint64_t SeedFromNonce() {
  absl::StatusOr<uint64_t> seed = RandomNonce();
  return seed.ok() ? *seed : static_cast<uint64_t>(WallClockMs());
}

}  // namespace

ClientImpl::ClientImpl(const secure::Identity& identity, Options options,
                       HostPort server, ClientObserver* observer)
    : identity_(identity),
      options_(std::move(options)),
      server_(std::move(server)),
      observer_(observer),
      clock_(options_.clock != nullptr ? options_.clock : &RealClock::Get()),
      node_id_(identity.node_id()),
      random_(SeedFromNonce()) {}

ClientImpl::~ClientImpl() { Stop(); }

absl::Status ClientImpl::Start() {
  absl::MutexLock lock(&mutex_);
  if (started_ || stopping_) {
    return absl::FailedPreconditionError("already started");
  }
  NATFWT_ASSIGN_OR_RETURN(Waker waker, Waker::Create());
  waker_.emplace(std::move(waker));
  timer_ = std::make_unique<LoopTimer>(clock_, &*waker_);
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void ClientImpl::Stop() {
  {
    absl::MutexLock lock(&mutex_);
    if (!started_) return;
    started_ = false;
  }
  stopping_ = true;
  waker_->Wake();
  if (thread_.joinable()) thread_.join();
  timer_.reset();
  absl::MutexLock lock(&mutex_);
  registered_ = false;
  stats_.connected = false;
  outbox_.clear();
  waker_.reset();  // Send() and Publish() use it under the lock.
}

absl::Status ClientImpl::Publish(std::vector<std::string> transport_ids,
                                 std::vector<std::string> hints,
                                 std::string standby) {
  NodeRecord record;
  record.transport_ids = std::move(transport_ids);
  record.hints = std::move(hints);
  record.standby = std::move(standby);
  // Validates and canonicalises the addresses.
  NATFWT_ASSIGN_OR_RETURN(std::string body, EncodeRecordBody(record));
  NATFWT_ASSIGN_OR_RETURN(NodeRecord canonical, DecodeRecordBody(body));
  absl::MutexLock lock(&mutex_);
  transport_ids_ = std::move(canonical.transport_ids);
  hints_ = std::move(canonical.hints);
  standby_ = std::move(canonical.standby);
  ++publish_version_;
  if (!registered_) return absl::OkStatus();
  NATFWT_ASSIGN_OR_RETURN(std::string envelope, SignRecordLocked());
  ClientMessage publish;
  publish.verb = ClientVerb::kPublish;
  publish.envelope = std::move(envelope);
  outbox_ += EncodeClientMessage(publish);
  registered_version_ = publish_version_;
  if (waker_.has_value()) waker_->Wake();
  return absl::OkStatus();
}

absl::StatusOr<std::string> ClientImpl::SignRecordLocked() {
  NodeRecord record;
  record.transport_ids = transport_ids_;
  record.hints = hints_;
  record.standby = standby_;
  EnvelopeFields fields;
  fields.kind = EnvelopeKind::kRecord;
  fields.network = options_.network;
  NATFWT_ASSIGN_OR_RETURN(fields.body, EncodeRecordBody(record));
  NATFWT_ASSIGN_OR_RETURN(fields.nonce, RandomNonce());
  // Strictly increasing, so every record replaces the one before even
  // when the wall clock stands still or steps back.
  last_record_ms_ = std::max(WallClockMs(), last_record_ms_ + 1);
  fields.signed_at_ms = last_record_ms_;
  return SignEnvelope(identity_, std::move(fields));
}

absl::Status ClientImpl::Send(absl::string_view to, absl::string_view kind,
                              absl::string_view payload) {
  absl::StatusOr<secure::Fingerprint> addressee = secure::ParseNodeId(to);
  if (!addressee.ok()) return addressee.status();
  EnvelopeFields fields;
  fields.kind = EnvelopeKind::kSignal;
  fields.network = options_.network;
  fields.to = *addressee;
  NATFWT_ASSIGN_OR_RETURN(fields.body, EncodeSignalBody(kind, payload));
  NATFWT_ASSIGN_OR_RETURN(fields.nonce, RandomNonce());
  fields.signed_at_ms = WallClockMs();
  NATFWT_ASSIGN_OR_RETURN(std::string envelope,
                          SignEnvelope(identity_, std::move(fields)));
  ClientMessage signal;
  signal.verb = ClientVerb::kSignal;
  signal.envelope = std::move(envelope);
  std::string line = EncodeClientMessage(signal);
  absl::MutexLock lock(&mutex_);
  if (!registered_) {
    return absl::UnavailableError("not connected to the rendezvous server");
  }
  if (outbox_.size() + line.size() > kMaxOutbox) {
    return absl::UnavailableError("the send queue is full");
  }
  outbox_ += line;
  ++stats_.signals_sent;
  waker_->Wake();
  return absl::OkStatus();
}

std::vector<NodeRecord> ClientImpl::Peers() const {
  absl::MutexLock lock(&mutex_);
  std::vector<NodeRecord> peers;
  peers.reserve(peers_.size());
  for (const auto& [id, record] : peers_) peers.push_back(record);
  return peers;
}

ClientStats ClientImpl::stats() const {
  absl::MutexLock lock(&mutex_);
  return stats_;
}

// ---- The client thread ----

void ClientImpl::Run() {
  retry_at_ = clock_->Now();
  while (!stopping_) {
    const absl::Time now = clock_->Now();
    OnTimers(now);
    TakeOutbox();
    FlushOutput();
    if (stopping_) break;
    PollOnce(now);
  }
  SayGoodbye();
  CloseConnection();
}

void ClientImpl::OnTimers(absl::Time now) {
  switch (state_) {
    case State::kWaiting:
      if (now >= retry_at_) BeginAttempt(now);
      return;
    case State::kConnecting:
      if (now >= attempt_deadline_) {
        TryNextAddress(now, absl::DeadlineExceededError("connect timed out"));
      }
      return;
    case State::kHandshaking:
      if (now >= attempt_deadline_) {
        Fail(absl::DeadlineExceededError("registration timed out"), now);
      }
      return;
    case State::kRegistered:
      if (now - last_received_ >= 2 * options_.keepalive) {
        Fail(absl::DeadlineExceededError("the server stopped answering"), now);
      } else if (now - last_sent_ >= options_.keepalive) {
        SendPing(now);
      }
      return;
  }
}

void ClientImpl::SendPing(absl::Time now) {
  output_ += VerbOnly(ClientVerb::kPing);
  last_sent_ = now;
  // A keepalive while a PING is unanswered: the round trip still counts
  // from the first.
  if (!ping_sent_.has_value()) ping_sent_ = now;
}

absl::Time ClientImpl::NextDeadline() const {
  switch (state_) {
    case State::kWaiting:
      return retry_at_;
    case State::kConnecting:
    case State::kHandshaking:
      return attempt_deadline_;
    case State::kRegistered:
      return std::min(last_received_ + 2 * options_.keepalive,
                      last_sent_ + options_.keepalive);
  }
  return absl::InfiniteFuture();
}

void ClientImpl::PollOnce(absl::Time now) {
  PollItem items[2] = {{waker_->read_fd(), kPollIn, 0}, {-1, 0, 0}};
  size_t count = 1;
  if (socket_.valid()) {
    uint8_t want = kPollIn;
    if (state_ == State::kConnecting) want = kPollOut;
    if (!output_.empty()) want |= kPollOut;
    items[1] = {socket_.fd(), want, 0};
    count = 2;
  }
  const absl::Time deadline = NextDeadline();
  timer_->ArmAt(deadline);
  absl::Status status =
      PollSockets(absl::MakeSpan(items, count), deadline - now);
  if (!status.ok()) {
    NATFWT_LOG(kError) << "rendezvous client: " << status;
    Fail(status, clock_->Now());
    return;
  }
  if (items[0].got != 0) waker_->Drain();
  if (count == 2 && items[1].got != 0) {
    OnSocketReady(items[1].got, clock_->Now());
  }
}

void ClientImpl::OnSocketReady(uint8_t got, absl::Time now) {
  if (state_ == State::kConnecting) {
    absl::Status connected = FinishConnect(socket_);
    if (!connected.ok()) {
      TryNextAddress(now, connected);
      return;
    }
    state_ = State::kHandshaking;
    attempt_deadline_ = now + options_.connect_timeout;
    last_received_ = now;
    return;
  }
  if (got & (kPollIn | kPollError)) ReadInput(now);
}

void ClientImpl::BeginAttempt(absl::Time now) {
  // getaddrinfo may block on DNS; literals never do.
  absl::StatusOr<std::vector<SocketAddress>> addresses =
      ResolveTcp(server_.host, server_.port, server_.is_ip_literal);
  if (!addresses.ok()) {
    Fail(addresses.status(), now);
    return;
  }
  addresses_ = *std::move(addresses);
  address_index_ = 0;
  TryNextAddress(now, absl::OkStatus());
}

// Tries addresses_[address_index_...] until a connect starts; gives up
// (Fail) when none is left. `why` is the previous address's failure.
void ClientImpl::TryNextAddress(absl::Time now, const absl::Status& why) {
  CloseConnection();
  absl::Status last = why;
  while (address_index_ < addresses_.size()) {
    absl::StatusOr<Socket> socket = StartConnect(addresses_[address_index_++]);
    if (socket.ok()) {
      socket_ = *std::move(socket);
      state_ = State::kConnecting;
      attempt_deadline_ = now + options_.connect_timeout;
      return;
    }
    last = socket.status();
  }
  Fail(last.ok() ? absl::UnavailableError("no address to connect to") : last,
       now);
}

void ClientImpl::ReadInput(absl::Time now) {
  char buffer[kReadChunk];
  absl::StatusOr<size_t> n =
      ReadSome(socket_, absl::MakeSpan(buffer, sizeof(buffer)));
  if (!n.ok()) {
    if (!absl::IsUnavailable(n.status())) Fail(n.status(), now);
    return;
  }
  if (*n == 0) {
    Fail(absl::UnavailableError("the server closed the connection"), now);
    return;
  }
  if (!framer_.Append(absl::string_view(buffer, *n)).ok()) {
    {
      absl::MutexLock lock(&mutex_);
      ++stats_.rejected_malformed;
    }
    Fail(absl::DataLossError("the server sent an oversized line"), now);
    return;
  }
  last_received_ = now;
  while (socket_.valid()) {
    std::optional<std::string> line = framer_.Next();
    if (!line.has_value()) break;
    HandleLine(*line, now);
  }
}

// Moves what Send()/Publish() queued to the socket's buffer, unless that
// is already full (a server that does not read): then Send() finds the
// outbox full and says kUnavailable, so neither buffer grows unbounded.
void ClientImpl::TakeOutbox() {
  if (output_.size() >= kMaxOutbox) return;
  absl::MutexLock lock(&mutex_);
  if (outbox_.empty()) return;
  if (state_ == State::kRegistered) output_ += outbox_;
  outbox_.clear();
}

void ClientImpl::FlushOutput() {
  if (!socket_.valid() || state_ == State::kConnecting) return;
  while (!output_.empty()) {
    absl::StatusOr<size_t> n = WriteSome(socket_, output_);
    if (!n.ok()) {
      if (!absl::IsUnavailable(n.status())) Fail(n.status(), clock_->Now());
      return;
    }
    output_.erase(0, *n);
    last_sent_ = clock_->Now();
  }
}

void ClientImpl::Fail(const absl::Status& why, absl::Time now) {
  const bool was_registered = state_ == State::kRegistered;
  CloseConnection();
  {
    absl::MutexLock lock(&mutex_);
    if (was_registered) {
      registered_ = false;
      stats_.connected = false;
      outbox_.clear();
      peers_.clear();
    } else {
      ++stats_.connect_failures;
    }
  }
  NATFWT_LOG(kDebug) << "rendezvous client (" << options_.network
                     << "): " << why;
  ScheduleRetry(now);
  if (was_registered) observer_->OnDisconnected(why);
}

void ClientImpl::ScheduleRetry(absl::Time now) {
  const int doublings = std::min(failed_attempts_, kMaxBackoffDoublings);
  absl::Duration delay = options_.reconnect_min * (int64_t{1} << doublings);
  delay = std::min(delay, options_.reconnect_max);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  delay = delay * jitter(random_);
  if (failed_attempts_ < kMaxBackoffDoublings) ++failed_attempts_;
  state_ = State::kWaiting;
  retry_at_ = now + delay;
}

void ClientImpl::CloseConnection() {
  socket_.Close();
  framer_.Clear();
  output_.clear();
  said_hello_ = false;
}

void ClientImpl::SayGoodbye() {
  if (state_ != State::kRegistered || !socket_.valid()) return;
  // Best effort and non-blocking: the server also notices the close.
  output_ += VerbOnly(ClientVerb::kBye);
  (void)WriteSome(socket_, output_);
}

}  // namespace client_internal

absl::StatusOr<std::unique_ptr<Client>> Client::Create(
    const secure::Identity& identity, Options options,
    ClientObserver* observer) {
  if (observer == nullptr) {
    return absl::InvalidArgumentError("client needs an observer");
  }
  absl::StatusOr<HostPort> server = ParseHostPort(options.server);
  if (!server.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("client option server: ", server.status().message()));
  }
  if (server->port == 0) {
    return absl::InvalidArgumentError("client option server: port 0");
  }
  NATFWT_RETURN_IF_ERROR(client_internal::CheckOptions(options));
  return std::unique_ptr<Client>(new client_internal::ClientImpl(
      identity, std::move(options), *std::move(server), observer));
}

}  // namespace natfwt::rendezvous
