// Copyright 2026 The natfwt Authors.

#include "tests/engine/session/session_test_support.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace natfwt::engine::testing {

SecureSession::Options LoopbackSessionOptions(bool controlling) {
  SecureSession::Options options;
  options.ice.local_addresses = {*net::IpAddress::Parse("127.0.0.1")};
  options.ice.ipv6 = false;
  options.ice.controlling = controlling;
  return options;
}

// ---- SessionRecorder ----

void SessionRecorder::set_keep_data(bool keep) {
  absl::MutexLock lock(&mutex_);
  keep_data_ = keep;
}

void SessionRecorder::OnLocalCandidate(const ice::TrickleCandidate&) {
  absl::MutexLock lock(&mutex_);
  ++candidates_;
}

void SessionRecorder::OnGatheringDone() {
  absl::MutexLock lock(&mutex_);
  gathered_ = true;
}

void SessionRecorder::OnStateChanged(SessionState state,
                                     const absl::Status& why) {
  absl::MutexLock lock(&mutex_);
  states_.push_back(state);
  last_status_ = why;
}

void SessionRecorder::OnIceRestart() {
  absl::MutexLock lock(&mutex_);
  ++restarts_;
}

void SessionRecorder::OnData(absl::Span<const uint8_t> data) {
  {
    absl::MutexLock lock(&mutex_);
    ++data_count_;
    if (keep_data_) data_.emplace_back(data.begin(), data.end());
  }
  if (on_data_) on_data_();
}

void SessionRecorder::OnDataBatch(
    absl::Span<const absl::Span<const uint8_t>> batch) {
  {
    absl::MutexLock lock(&mutex_);
    ++batch_calls_;
    largest_batch_ = std::max(largest_batch_, batch.size());
    data_count_ += batch.size();
    if (keep_data_) {
      for (absl::Span<const uint8_t> data : batch) {
        data_.emplace_back(data.begin(), data.end());
      }
    }
  }
  if (on_data_) on_data_();
}

bool SessionRecorder::WaitForState(SessionState state, absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return std::find(states_.begin(), states_.end(), state) != states_.end();
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

bool SessionRecorder::WaitForGathering(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  return mutex_.AwaitWithTimeout(absl::Condition(&gathered_), timeout);
}

bool SessionRecorder::WaitForRestart(absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto restarted = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return restarts_ > 0;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&restarted), timeout);
}

bool SessionRecorder::WaitForData(uint64_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mutex_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return data_count_ >= count;
  };
  return mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

std::vector<std::vector<uint8_t>> SessionRecorder::data() {
  absl::MutexLock lock(&mutex_);
  return data_;
}

uint64_t SessionRecorder::data_count() {
  absl::MutexLock lock(&mutex_);
  return data_count_;
}

uint64_t SessionRecorder::batch_calls() {
  absl::MutexLock lock(&mutex_);
  return batch_calls_;
}

size_t SessionRecorder::largest_batch() {
  absl::MutexLock lock(&mutex_);
  return largest_batch_;
}

std::vector<SessionState> SessionRecorder::states() {
  absl::MutexLock lock(&mutex_);
  return states_;
}

absl::Status SessionRecorder::last_status() {
  absl::MutexLock lock(&mutex_);
  return last_status_;
}

bool SessionRecorder::failed() {
  absl::MutexLock lock(&mutex_);
  return std::find(states_.begin(), states_.end(), SessionState::kFailed) !=
         states_.end();
}

// ---- SessionPair ----

SessionPair::SessionPair(NetworkThread& thread,
                         SecureSession::Options a_options,
                         SecureSession::Options b_options)
    : thread_(thread),
      a_options_(std::move(a_options)),
      b_options_(std::move(b_options)) {}

SessionPair::~SessionPair() {
  a_.session.reset();
  b_.session.reset();
}

absl::Status SessionPair::Create() {
  for (SessionPeer* peer : {&a_, &b_}) {
    if (!peer->identity.has_value()) {
      absl::StatusOr<secure::Identity> identity = secure::Identity::Generate();
      if (!identity.ok()) return identity.status();
      peer->identity = *std::move(identity);
    }
  }
  absl::StatusOr<std::unique_ptr<SecureSession>> a =
      SecureSession::Create(thread_, *a_.identity, a_options_, &a_.recorder);
  if (!a.ok()) return a.status();
  absl::StatusOr<std::unique_ptr<SecureSession>> b =
      SecureSession::Create(thread_, *b_.identity, b_options_, &b_.recorder);
  if (!b.ok()) return b.status();
  a_.session = *std::move(a);
  b_.session = *std::move(b);
  return absl::OkStatus();
}

absl::Status SessionPair::Connect(absl::Duration timeout) {
  if (absl::Status s = a_.session->Start(); !s.ok()) return s;
  if (absl::Status s = b_.session->Start(); !s.ok()) return s;
  if (!a_.recorder.WaitForGathering(timeout) ||
      !b_.recorder.WaitForGathering(timeout)) {
    return absl::DeadlineExceededError("gathering did not finish");
  }
  return ExchangeDescriptions();
}

absl::Status SessionPair::ExchangeDescriptions() {
  absl::StatusOr<ice::SessionDescription> da = a_.session->LocalDescription();
  if (!da.ok()) return da.status();
  absl::StatusOr<ice::SessionDescription> db = b_.session->LocalDescription();
  if (!db.ok()) return db.status();
  if (absl::Status s = b_.session->SetRemoteDescription(*da); !s.ok()) return s;
  return a_.session->SetRemoteDescription(*db);
}

absl::Status SessionPair::WaitSecure(absl::Duration timeout) {
  if (!a_.recorder.WaitForState(SessionState::kSecure, timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("a not secure: ", a_.recorder.last_status().ToString()));
  }
  if (!b_.recorder.WaitForState(SessionState::kSecure, timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("b not secure: ", b_.recorder.last_status().ToString()));
  }
  return absl::OkStatus();
}

absl::Status SessionPair::WaitDirect(absl::Duration timeout) {
  const bool both = PollUntil(
      [&] {
        return a_.session->stats().direct_path &&
               b_.session->stats().direct_path;
      },
      timeout);
  return both ? absl::OkStatus()
              : absl::DeadlineExceededError("no direct path on both sides");
}

// ---- process counters ----

bool PollUntil(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= deadline) return condition();
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

namespace {

int CountEntries(const char* directory) {
  int count = 0;
  std::error_code error;
  for (auto it = std::filesystem::directory_iterator(directory, error);
       !error && it != std::filesystem::directory_iterator();
       it.increment(error)) {
    ++count;
  }
  return count;
}

}  // namespace

int CountOpenFds() { return CountEntries("/proc/self/fd"); }
int CountThreads() { return CountEntries("/proc/self/task"); }

}  // namespace natfwt::engine::testing
