// Copyright 2026 The natfwt Authors.
//
// IceSession figures on loopback (127.0.0.1), printed for the record:
//  1. setup time: Start() on both sides (descriptions already exchanged,
//     trickle) to the first datagram delivered, host path;
//  2. memory per idle session: RSS delta / N for N sessions gathered,
//     host-only, idle (default N = 1000);
//  3. libnice's datagram rate through IceSession::Send and SendBatch, 1200-
//     byte payloads, sent vs received per second.
//
//   ice_benchmark [sessions] [seconds-per-rate-run]
//
// Registered with meson benchmark(); `meson test --benchmark` runs it.

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "engine/ice/ice_session.h"
#include "tests/engine/ice/ice_test_support.h"

namespace natfwt::ice {
namespace {

using ::natfwt::ice::testing::IcePair;
using ::natfwt::ice::testing::LoopbackConfig;
using ::natfwt::ice::testing::Recorded;
using ::natfwt::ice::testing::RecordingObserver;

constexpr absl::Duration kWait = absl::Seconds(10);

double SetupMilliseconds(NetworkThread& thread) {
  IcePair pair(thread, LoopbackConfig(true), LoopbackConfig(false));
  if (!pair.Create().ok() || !pair.ExchangeDescriptions().ok()) return -1;
  const absl::Time start = absl::Now();
  if (!pair.StartBoth().ok()) return -1;
  if (!pair.a().observer.WaitForState(IceState::kConnected, kWait)) return -1;
  const uint8_t probe[1] = {7};
  // a sends as soon as it is connected; b may still be checking.
  while (!pair.a().session->Send(probe).ok()) {
  }
  if (!pair.b().observer.WaitFor(
          [](const Recorded& r) { return !r.data.empty(); }, kWait)) {
    return -1;
  }
  return absl::ToDoubleMilliseconds(absl::Now() - start);
}

void MeasureSetup(NetworkThread& thread) {
  std::vector<double> samples;
  SetupMilliseconds(thread);  // Warm-up.
  for (int i = 0; i < 20; ++i) samples.push_back(SetupMilliseconds(thread));
  std::sort(samples.begin(), samples.end());
  std::printf(
      "setup (Start both -> first datagram delivered, host, loopback): "
      "median %.1f ms, p90 %.1f ms, min %.1f ms over %zu runs\n",
      samples[samples.size() / 2], samples[samples.size() * 9 / 10],
      samples.front(), samples.size());
}

void RaiseDescriptorLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

void MeasureIdleMemory(NetworkThread& thread, int count) {
  RecordingObserver warm_observer;
  auto warm =
      IceSession::Create(thread, LoopbackConfig(true), {}, &warm_observer);
  if (!warm.ok() || !(*warm)->Start().ok()) return;
  std::vector<std::unique_ptr<RecordingObserver>> observers;
  std::vector<std::unique_ptr<IceSession>> sessions;
  const long before = testing::ResidentKiB();
  const long heap_before = testing::HeapInUseKiB();
  const int fds_before = testing::CountOpenFds();
  for (int i = 0; i < count; ++i) {
    observers.push_back(std::make_unique<RecordingObserver>());
    auto session = IceSession::Create(thread, LoopbackConfig(i % 2 == 0), {},
                                      observers.back().get());
    if (!session.ok() || !(*session)->Start().ok()) {
      std::printf("idle memory: session %d failed\n", i);
      return;
    }
    sessions.push_back(*std::move(session));
  }
  for (const auto& observer : observers) {
    observer->WaitFor(
        [](const Recorded& r) { return !r.gathering_done.empty(); }, kWait);
  }
  const long after = testing::ResidentKiB();
  const long heap = testing::HeapInUseKiB() - heap_before;
  std::printf(
      "idle sessions: %d gathered host-only; RSS +%ld KiB = %.1f KiB per "
      "session (heap allocated: %.1f KiB per session, mostly libnice's "
      "untouched receive buffers); %d descriptors per session\n",
      count, after - before, static_cast<double>(after - before) / count,
      static_cast<double>(heap) / count,
      (testing::CountOpenFds() - fds_before) / count);
  const absl::Time closing = absl::Now();
  sessions.clear();
  std::printf("closing %d sessions: %.0f ms\n", count,
              absl::ToDoubleMilliseconds(absl::Now() - closing));
}

void MeasureRate(NetworkThread& thread, absl::Duration duration, bool batch) {
  IcePair pair(thread, LoopbackConfig(true), LoopbackConfig(false));
  if (!pair.Create().ok() || !pair.ExchangeDescriptions().ok() ||
      !pair.StartBoth().ok() ||
      !pair.b().observer.WaitForState(IceState::kConnected, kWait) ||
      !pair.a().observer.WaitForState(IceState::kConnected, kWait)) {
    std::printf("rate: could not connect\n");
    return;
  }
  pair.b().observer.set_keep_data(false);
  std::vector<uint8_t> payload(1200, 0xab);
  std::vector<absl::Span<const uint8_t>> spans(64, payload);
  uint64_t sent = 0;
  const absl::Time end = absl::Now() + duration;
  while (absl::Now() < end) {
    if (batch) {
      absl::StatusOr<size_t> n = pair.a().session->SendBatch(spans);
      if (n.ok()) sent += *n;
    } else {
      for (int i = 0; i < 64; ++i) sent += pair.a().session->Send(payload).ok();
    }
  }
  // Let the receiver drain what is in flight.
  pair.b().observer.WaitFor([](const Recorded&) { return false; },
                            absl::Milliseconds(300));
  const uint64_t received = pair.b().observer.Snapshot().data_count;
  const double seconds = absl::ToDoubleSeconds(duration);
  std::printf(
      "%s, 1200 B: sent %.0f pkt/s (%.2f Gb/s), received %.0f pkt/s "
      "(%.1f%% delivered)\n",
      batch ? "SendBatch (nice_agent_send_messages_nonblocking)"
            : "Send (nice_agent_send)",
      sent / seconds, sent * 1200 * 8 / seconds / 1e9, received / seconds,
      sent ? 100.0 * received / sent : 0.0);
}

}  // namespace
}  // namespace natfwt::ice

int main(int argc, char** argv) {
  const int sessions = argc > 1 ? std::atoi(argv[1]) : 1000;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  natfwt::ice::RaiseDescriptorLimit();
  natfwt::NetworkThread thread("ice-bench");
  if (!thread.Start().ok()) return 1;
  natfwt::ice::MeasureSetup(thread);
  natfwt::ice::MeasureIdleMemory(thread, sessions);
  natfwt::ice::MeasureRate(thread, absl::Seconds(seconds), false);
  natfwt::ice::MeasureRate(thread, absl::Seconds(seconds), true);
  return 0;
}
