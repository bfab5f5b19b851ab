// Copyright 2026 The natfwt Authors.

#include "engine/secure/dtls_handshake.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <deque>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/secure/demux.h"
#include "engine/secure/dtls_bio.h"
#include "engine/secure/dtls_context.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"

namespace natfwt::secure {
namespace {

constexpr size_t kDtlsRecordHeaderSize = 13;  // RFC 6347 §4.1 (spec).
constexpr size_t kMaxDatagramSize = 65507;    // Largest UDP payload.
// Implementation choice: every flight (at most about 700 bytes with P-256
// identities) fits in one datagram; see dtls_handshake.h.
constexpr size_t kMinMtu = 1000;
// RFC 5246 §6.2.1 content types (spec).
constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kHandshake = 22;
// Must stay below the OpenSSL timer in dtls_context.cc (one hour).
constexpr absl::Duration kMaxHandshakeTimeout = absl::Minutes(10);

absl::Status ValidateOptions(const DtlsHandshake::Options& options) {
  if (options.initial_retransmit_timeout <= absl::ZeroDuration() ||
      options.initial_retransmit_timeout > options.max_retransmit_timeout) {
    return absl::InvalidArgumentError(
        "retransmit timeouts must satisfy 0 < initial <= max");
  }
  if (options.handshake_timeout <= absl::ZeroDuration() ||
      options.handshake_timeout > kMaxHandshakeTimeout) {
    return absl::InvalidArgumentError(
        "handshake_timeout must be in (0, 10 minutes]");
  }
  if (options.mtu < kMinMtu || options.mtu > kMaxDatagramSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("mtu must be in [", kMinMtu, ", ", kMaxDatagramSize, "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckDtlsDatagram(absl::Span<const uint8_t> datagram) {
  if (datagram.size() < kDtlsRecordHeaderSize ||
      datagram.size() > kMaxDatagramSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a DTLS datagram: ", datagram.size(), " bytes"));
  }
  if (ClassifyPacket(datagram[0]) != PacketKind::kDtls) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a DTLS datagram: first byte ", datagram[0],
                     " (RFC 7983 gives DTLS 20-63)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view DtlsStateName(DtlsHandshake::State state) {
  switch (state) {
    case DtlsHandshake::State::kHandshaking:
      return "handshaking";
    case DtlsHandshake::State::kEstablished:
      return "established";
    case DtlsHandshake::State::kFailed:
      return "failed";
  }
  return "unknown";
}

// Everything behind a DtlsHandshake. Shared with the Clock timers through
// weak pointers, so a timer that fires after destruction finds it closed
// (or gone) instead of freed memory.
class DtlsHandshake::Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Clock& clock, const Fingerprint& expected, const Options& options,
       SendCallback send, StateCallback on_state)
      : clock_(clock),
        options_(options),
        send_(std::move(send)),
        on_state_(std::move(on_state)) {
    check_.expected = expected;
    pipe_.mtu = options.mtu;
  }

  absl::Status Init(const Identity& local, DtlsRole role);
  absl::Status Start();
  absl::Status OnDatagram(absl::Span<const uint8_t> datagram);
  void Close();

  State state() const;
  absl::Status status() const;
  absl::StatusOr<ChannelKeys> keys() const;
  Stats stats() const;

 private:
  // A callback to make once no lock is held.
  struct Event {
    std::vector<uint8_t> datagram;  // Sent when `state` is empty.
    std::optional<State> state;
    absl::Status status;
  };

  void StartLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status OnDatagramLocked(absl::Span<const uint8_t> datagram)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DriveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendFlightLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResendFlightLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EstablishLocked(bool sent_last_flight)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FailLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AnswerRetransmissionLocked(absl::Span<const uint8_t> datagram)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ArmRetransmitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ArmDeadlineLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CancelTimersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseSslLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool IdleLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !delivering_;
  }

  void OnRetransmitTimer(uint64_t generation);
  void OnDeadline();
  void DeliverPending();
  void Deliver(const Event& event);

  Clock& clock_;
  const Options options_;
  const SendCallback send_;
  const StateCallback on_state_;

  mutable absl::Mutex mu_;
  // Declared before the OpenSSL objects that point into them.
  PeerCheck check_ ABSL_GUARDED_BY(mu_);
  DatagramPipe pipe_ ABSL_GUARDED_BY(mu_);
  OpensslPtr<SSL_CTX> context_ ABSL_GUARDED_BY(mu_);
  OpensslPtr<SSL> ssl_ ABSL_GUARDED_BY(mu_);

  State state_ ABSL_GUARDED_BY(mu_) = State::kHandshaking;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<ChannelKeys> keys_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);

  // Retransmission (RFC 6347 §4.2.4).
  std::vector<std::vector<uint8_t>> last_flight_ ABSL_GUARDED_BY(mu_);
  absl::Duration retransmit_timeout_ ABSL_GUARDED_BY(mu_);
  TimerId retransmit_timer_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t timer_generation_ ABSL_GUARDED_BY(mu_) = 0;
  TimerId deadline_timer_ ABSL_GUARDED_BY(mu_) = 0;
  bool answers_retransmissions_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_answer_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();

  // Callbacks waiting to be made, and who is making them.
  std::deque<Event> pending_ ABSL_GUARDED_BY(mu_);
  bool delivering_ ABSL_GUARDED_BY(mu_) = false;
  std::thread::id delivering_thread_ ABSL_GUARDED_BY(mu_);
};

// ---- Setup and teardown ----

absl::Status DtlsHandshake::Core::Init(const Identity& local, DtlsRole role) {
  absl::MutexLock lock(&mu_);
  NATFWT_ASSIGN_OR_RETURN(
      context_, NewDtlsContext(local, options_.preferred_aead, &check_));
  NATFWT_ASSIGN_OR_RETURN(ssl_, NewDtlsSession(context_.get(), role, &pipe_));
  return absl::OkStatus();
}

void DtlsHandshake::Core::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  CancelTimersLocked();
  ReleaseSslLocked();
  pending_.clear();
  last_flight_.clear();
  keys_.reset();
  // A callback running on another thread finishes first; one running on
  // this thread (destruction from inside a callback) cannot be waited for,
  // and DeliverPending() stops after it because closed_ is set.
  if (delivering_ && delivering_thread_ != std::this_thread::get_id()) {
    mu_.Await(absl::Condition(this, &Core::IdleLocked));
  }
}

void DtlsHandshake::Core::ReleaseSslLocked() {
  ssl_.reset();  // Frees the BIO too.
  context_.reset();
  pipe_.inbound.clear();
  pipe_.has_inbound = false;
  pipe_.outbound.clear();
}

// ---- Driving OpenSSL ----

absl::Status DtlsHandshake::Core::Start() {
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    if (!closed_) StartLocked();
    result = status_;
  }
  DeliverPending();
  return result;
}

void DtlsHandshake::Core::StartLocked() {
  if (started_ || state_ != State::kHandshaking) return;
  started_ = true;
  retransmit_timeout_ = options_.initial_retransmit_timeout;
  ArmDeadlineLocked();
  DriveLocked();
}

absl::Status DtlsHandshake::Core::OnDatagram(
    absl::Span<const uint8_t> datagram) {
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    result = OnDatagramLocked(datagram);
  }
  DeliverPending();
  return result;
}

absl::Status DtlsHandshake::Core::OnDatagramLocked(
    absl::Span<const uint8_t> datagram) {
  if (closed_) return absl::FailedPreconditionError("handshake destroyed");
  absl::Status valid = CheckDtlsDatagram(datagram);
  if (!valid.ok()) {
    ++stats_.datagrams_rejected;
    return valid;
  }
  ++stats_.datagrams_received;
  if (state_ == State::kFailed) {
    return absl::FailedPreconditionError(
        absl::StrCat("the DTLS handshake already failed: ", status_.message()));
  }
  if (state_ == State::kEstablished) {
    AnswerRetransmissionLocked(datagram);
    return absl::OkStatus();
  }
  StartLocked();
  if (state_ != State::kHandshaking) return status_;
  pipe_.inbound.assign(datagram.begin(), datagram.end());
  pipe_.has_inbound = true;
  DriveLocked();
  pipe_.has_inbound = false;
  return status_;
}

void DtlsHandshake::Core::DriveLocked() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  const int error =
      result == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
  const bool produced = !pipe_.outbound.empty();
  if (error == SSL_ERROR_NONE) {
    if (produced) SendFlightLocked();
    EstablishLocked(produced);
    return;
  }
  if (error == SSL_ERROR_WANT_READ) {
    if (!produced) return;  // Part of the peer's flight, or a duplicate.
    SendFlightLocked();
    retransmit_timeout_ = options_.initial_retransmit_timeout;
    ArmRetransmitLocked();
    return;
  }
  absl::Status failure = DescribeHandshakeFailure(check_, error);
  // An alert OpenSSL wrote goes out once; it is not a flight to repeat.
  for (std::vector<uint8_t>& datagram : TakeOutboundDatagrams(&pipe_)) {
    ++stats_.datagrams_sent;
    pending_.push_back(Event{std::move(datagram), std::nullopt, {}});
  }
  FailLocked(std::move(failure));
}

// The datagrams OpenSSL just wrote are a new flight: send and keep them.
void DtlsHandshake::Core::SendFlightLocked() {
  last_flight_ = TakeOutboundDatagrams(&pipe_);
  for (const std::vector<uint8_t>& datagram : last_flight_) {
    ++stats_.datagrams_sent;
    pending_.push_back(Event{datagram, std::nullopt, {}});
  }
}

void DtlsHandshake::Core::ResendFlightLocked() {
  for (const std::vector<uint8_t>& datagram : last_flight_) {
    ++stats_.datagrams_sent;
    pending_.push_back(Event{datagram, std::nullopt, {}});
  }
}

// ---- Outcomes ----

void DtlsHandshake::Core::EstablishLocked(bool sent_last_flight) {
  absl::StatusOr<ChannelKeys> keys = ExportChannelKeys(ssl_.get(), check_);
  if (!keys.ok()) {
    FailLocked(keys.status());
    return;
  }
  keys_ = *std::move(keys);
  state_ = State::kEstablished;
  answers_retransmissions_ = sent_last_flight;
  if (!sent_last_flight) last_flight_.clear();
  CancelTimersLocked();
  ReleaseSslLocked();
  NATFWT_LOG(kInfo) << "DTLS handshake with node "
                    << FormatNodeId(check_.expected) << " established ("
                    << AeadAlgorithmName(keys_->algorithm) << ")";
  pending_.push_back(Event{{}, State::kEstablished, absl::OkStatus()});
}

void DtlsHandshake::Core::FailLocked(absl::Status status) {
  if (state_ != State::kHandshaking) return;
  state_ = State::kFailed;
  status_ = std::move(status);
  if (check_.mismatch) ++stats_.fingerprint_mismatches;
  CancelTimersLocked();
  ReleaseSslLocked();
  last_flight_.clear();
  // The one log line for this failure.
  NATFWT_LOG(kWarning) << "DTLS handshake failed: " << status_;
  pending_.push_back(Event{{}, State::kFailed, status_});
}

// RFC 6347 §4.2.4: the sender of the last flight repeats it when the peer
// retransmits its own flight (its copy of ours was lost).
void DtlsHandshake::Core::AnswerRetransmissionLocked(
    absl::Span<const uint8_t> datagram) {
  if (!answers_retransmissions_ || last_flight_.empty()) return;
  if (datagram[0] != kHandshake && datagram[0] != kChangeCipherSpec) return;
  const absl::Time now = clock_.Now();
  // A flight arrives as several datagrams: answer it once.
  if (now - last_answer_ < options_.initial_retransmit_timeout / 2) return;
  last_answer_ = now;
  ++stats_.final_flight_resends;
  ResendFlightLocked();
}

// ---- Timers ----

void DtlsHandshake::Core::ArmRetransmitLocked() {
  if (retransmit_timer_ != 0) clock_.Cancel(retransmit_timer_);
  const uint64_t generation = ++timer_generation_;
  retransmit_timer_ = clock_.CallAfter(
      retransmit_timeout_, [weak = weak_from_this(), generation] {
        if (std::shared_ptr<Core> core = weak.lock()) {
          core->OnRetransmitTimer(generation);
        }
      });
}

void DtlsHandshake::Core::ArmDeadlineLocked() {
  deadline_timer_ =
      clock_.CallAfter(options_.handshake_timeout, [weak = weak_from_this()] {
        if (std::shared_ptr<Core> core = weak.lock()) {
          core->OnDeadline();
        }
      });
}

void DtlsHandshake::Core::CancelTimersLocked() {
  ++timer_generation_;  // A retransmit timer already running does nothing.
  if (retransmit_timer_ != 0) clock_.Cancel(retransmit_timer_);
  if (deadline_timer_ != 0) clock_.Cancel(deadline_timer_);
  retransmit_timer_ = 0;
  deadline_timer_ = 0;
}

void DtlsHandshake::Core::OnRetransmitTimer(uint64_t generation) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || generation != timer_generation_ ||
        state_ != State::kHandshaking) {
      return;
    }
    retransmit_timer_ = 0;
    ++stats_.flights_retransmitted;
    ResendFlightLocked();
    retransmit_timeout_ =
        std::min(2 * retransmit_timeout_, options_.max_retransmit_timeout);
    ArmRetransmitLocked();
  }
  DeliverPending();
}

void DtlsHandshake::Core::OnDeadline() {
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || state_ != State::kHandshaking) return;
    deadline_timer_ = 0;
    FailLocked(absl::DeadlineExceededError(
        absl::StrCat("the DTLS handshake did not complete within ",
                     absl::FormatDuration(options_.handshake_timeout), " (",
                     stats_.flights_retransmitted, " retransmissions, ",
                     stats_.datagrams_received, " datagrams received)")));
  }
  DeliverPending();
}

// ---- Callbacks ----

void DtlsHandshake::Core::DeliverPending() {
  mu_.Lock();
  if (delivering_) {  // The caller further up this thread, or another
    mu_.Unlock();     // thread, is already draining the queue in order.
    return;
  }
  delivering_ = true;
  delivering_thread_ = std::this_thread::get_id();
  while (!pending_.empty() && !closed_) {
    Event event = std::move(pending_.front());
    pending_.pop_front();
    mu_.Unlock();
    Deliver(event);
    mu_.Lock();
  }
  delivering_ = false;
  mu_.Unlock();
}

void DtlsHandshake::Core::Deliver(const Event& event) {
  if (!event.state.has_value()) {
    send_(absl::MakeConstSpan(event.datagram));
  } else if (on_state_) {
    on_state_(*event.state, event.status);
  }
}

// ---- Accessors ----

DtlsHandshake::State DtlsHandshake::Core::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

absl::Status DtlsHandshake::Core::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

absl::StatusOr<ChannelKeys> DtlsHandshake::Core::keys() const {
  absl::MutexLock lock(&mu_);
  if (!keys_.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no keys: the DTLS handshake is ", DtlsStateName(state_)));
  }
  return *keys_;
}

DtlsHandshake::Stats DtlsHandshake::Core::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

// ---- DtlsHandshake ----

absl::StatusOr<std::unique_ptr<DtlsHandshake>> DtlsHandshake::Create(
    const Identity& local, DtlsRole role, const Fingerprint& expected_peer,
    Clock& clock, SendCallback send, StateCallback on_state,
    const Options& options) {
  if (!send) return absl::InvalidArgumentError("a send callback is required");
  NATFWT_RETURN_IF_ERROR(ValidateOptions(options));
  auto core = std::make_shared<Core>(clock, expected_peer, options,
                                     std::move(send), std::move(on_state));
  NATFWT_RETURN_IF_ERROR(core->Init(local, role));
  return std::unique_ptr<DtlsHandshake>(
      new DtlsHandshake(std::move(core), role));
}

DtlsHandshake::~DtlsHandshake() { core_->Close(); }

// Each call holds its own reference: a callback may destroy *this.
absl::Status DtlsHandshake::Start() {
  std::shared_ptr<Core> core = core_;
  return core->Start();
}

absl::Status DtlsHandshake::OnDatagram(absl::Span<const uint8_t> datagram) {
  std::shared_ptr<Core> core = core_;
  return core->OnDatagram(datagram);
}

DtlsHandshake::State DtlsHandshake::state() const { return core_->state(); }
absl::Status DtlsHandshake::status() const { return core_->status(); }
absl::StatusOr<ChannelKeys> DtlsHandshake::keys() const {
  return core_->keys();
}
DtlsHandshake::Stats DtlsHandshake::stats() const { return core_->stats(); }

}  // namespace natfwt::secure
