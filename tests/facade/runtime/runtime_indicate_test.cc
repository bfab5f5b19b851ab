// Copyright 2026 The natfwt Authors.
//
// IndicateReceivedBuffers with a completion routine (spec 4.5, 7.2, 4.3 step
// 2): pended, written in batches by the instance's indicate thread and
// completed exactly once, in order; refused at once (never completed) when
// invalid or when the queue is full; aborted when the session ends, before
// Deregister returns. Batching is observed deterministically by holding the
// in-memory interface's Write() (MemoryInterface::HoldWrites).

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "facade/runtime/hresult.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/facade/runtime/runtime_fixture.h"
#include "tests/platform/tun/udp_packet.h"

namespace natfwt::cp::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

const HRESULT kAborted = HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED);
const HRESULT kNoResources = HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES);
const HRESULT kInvalidState = HRESULT_FROM_WIN32(ERROR_INVALID_STATE);
constexpr uint16_t kFirstPort = 1000;  // Packet i comes from port 1000 + i.

// What the provider's completion routine was given.
struct Completion {
  size_t index;
  HRESULT status;
  CPNATFWT_BUFFER* chain;
  PVOID user_context;
  std::thread::id thread;
};

// The completions seen so far, in the order they came.
class Completions {
 public:
  void Add(const Completion& completion) {
    absl::MutexLock lock(&mutex_);
    seen_.push_back(completion);
  }
  // Waits (bounded) until `count` completions came.
  bool WaitFor(size_t count, absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mutex_);
    auto enough = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      return seen_.size() >= count;
    };
    return mutex_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }
  std::vector<Completion> All() const {
    absl::MutexLock lock(&mutex_);
    return seen_;
  }
  std::vector<size_t> Indexes() const {
    std::vector<size_t> indexes;
    for (const Completion& completion : All())
      indexes.push_back(completion.index);
    return indexes;
  }
  std::vector<HRESULT> Statuses() const {
    std::vector<HRESULT> statuses;
    for (const Completion& completion : All())
      statuses.push_back(completion.status);
    return statuses;
  }

 private:
  mutable absl::Mutex mutex_;
  std::vector<Completion> seen_ ABSL_GUARDED_BY(mutex_);
};

// One packet the provider indicates, kept alive (and unchanged) until its
// completion, as spec 7.2 requires.
struct Indicated {
  Completions* completions = nullptr;
  size_t index = 0;
  std::vector<uint8_t> packet;
  std::vector<uint8_t> local_bytes;
  std::vector<uint8_t> remote_bytes;
  CPNATFWT_TRANSPORT_ID local_id{};
  CPNATFWT_TRANSPORT_ID remote_id{};
  CPNATFWT_BUFFER chain{};
  // Runs inside the completion routine after it was recorded; the test
  // keeps the object alive until the routine returned (Deregister).
  std::function<void(Indicated&, HRESULT)> on_completion;
};

VOID CALLBACK OnIndicated(CPNATFWT_PROVIDER_INSTANCE, PVOID user_context,
                          PVOID context, CPNATFWT_BUFFER* chain,
                          HRESULT status) {
  // A test may free `indicated` once it saw its completion: nothing of it
  // is read after Add() unless it has a hook (whose test keeps it alive).
  Indicated& indicated = *static_cast<Indicated*>(context);
  const bool hook = static_cast<bool>(indicated.on_completion);
  indicated.completions->Add({indicated.index, status, chain, user_context,
                              std::this_thread::get_id()});
  if (hook) indicated.on_completion(indicated, status);
}

// The index a delivered packet was built with (its UDP source port).
size_t IndexOf(const std::vector<uint8_t>& packet) {
  std::optional<tun::testing::UdpDatagram> udp =
      tun::testing::ParseUdpPacket(packet);
  return udp.has_value() ? udp->from.port - kFirstPort : SIZE_MAX;
}

class IndicateTest : public RuntimeFixture {
 protected:
  // Packet `index` from PeerAddress() to the instance's transport ID.
  std::unique_ptr<Indicated> Make(size_t index) {
    auto indicated = std::make_unique<Indicated>();
    const net::IpAddress peer = PeerAddress();
    indicated->completions = &completions_;
    indicated->index = index;
    indicated->packet = tun::testing::BuildUdpPacket(
        {peer, static_cast<uint16_t>(kFirstPort + index)}, {local_, 4000},
        tun::testing::Pattern(40, static_cast<uint8_t>(index)));
    indicated->local_bytes.assign(local_.bytes().begin(), local_.bytes().end());
    indicated->remote_bytes.assign(peer.bytes().begin(), peer.bytes().end());
    indicated->local_id = {16, indicated->local_bytes.data()};
    indicated->remote_id = {16, indicated->remote_bytes.data()};
    indicated->chain = {nullptr, static_cast<ULONG>(indicated->packet.size()),
                        indicated->packet.data()};
    return indicated;
  }
  std::vector<std::unique_ptr<Indicated>> MakeMany(size_t count) {
    std::vector<std::unique_ptr<Indicated>> all;
    for (size_t i = 0; i < count; ++i) all.push_back(Make(i));
    return all;
  }
  // The C ABI's answer: ERROR_IO_PENDING when pended.
  HRESULT Indicate(CPNATFWT_PROVIDER_INSTANCE instance, Indicated& indicated) {
    absl::StatusOr<bool> result = runtime_->IndicateReceivedBuffers(
        instance, &indicated.local_id, &indicated.remote_id, &indicated.chain,
        &indicated, &OnIndicated);
    if (!result.ok()) return ToHresult(result.status());
    return *result ? kPending : S_OK;
  }
  // Holds the interface's writes, pends packets[0] (the writer thread then
  // waits inside Write() with it) and pends packets[1, count) behind it.
  void PendBehindHeldWrite(
      CPNATFWT_PROVIDER_INSTANCE instance,
      const std::vector<std::unique_ptr<Indicated>>& packets, size_t count) {
    interface()->HoldWrites();
    ASSERT_EQ(Indicate(instance, *packets[0]), kPending);
    ASSERT_TRUE(interface()->WaitForHeldWrite(absl::Seconds(10)));
    for (size_t i = 1; i < count; ++i) {
      ASSERT_EQ(Indicate(instance, *packets[i]), kPending);
    }
  }
  std::vector<size_t> DeliveredIndexes() {
    std::vector<size_t> indexes;
    for (const std::vector<uint8_t>& packet : interface()->TakeDelivered())
      indexes.push_back(IndexOf(packet));
    return indexes;
  }
  static std::vector<size_t> Range(size_t begin, size_t end) {
    std::vector<size_t> range;
    for (size_t i = begin; i < end; ++i) range.push_back(i);
    return range;
  }

  Completions completions_;
};

TEST_F(IndicateTest, PendedIndicationCompletesOnceWithSuccess) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::unique_ptr<Indicated> packet = Make(0);
  ASSERT_EQ(Indicate(instance, *packet), kPending);
  ASSERT_TRUE(completions_.WaitFor(1));
  std::optional<std::vector<uint8_t>> delivered =
      interface()->WaitDelivered(absl::Seconds(10));
  ASSERT_TRUE(delivered.has_value());
  EXPECT_THAT(*delivered, ElementsAreArray(packet->packet));
  InstanceStats stats = Info(instance).stats;
  EXPECT_EQ(stats.indications_pended, 1u);
  EXPECT_EQ(stats.packets_indicated, 1u);
  EXPECT_EQ(stats.indicate_writes, 1u);
  EXPECT_EQ(stats.indications_refused, 0u);
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  std::vector<Completion> all = completions_.All();
  ASSERT_EQ(all.size(), 1u);  // Exactly once, also after teardown.
  EXPECT_EQ(all[0].status, S_OK);
  EXPECT_EQ(all[0].chain, &packet->chain);
  EXPECT_EQ(all[0].user_context, &provider);
  EXPECT_NE(all[0].thread, std::this_thread::get_id());
}

TEST_F(IndicateTest, CompletionsAndWritesKeepTheIndicationOrder) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  constexpr size_t kCount = 300;  // Fewer than the queue holds.
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(kCount);
  for (auto& packet : packets) ASSERT_EQ(Indicate(instance, *packet), kPending);
  ASSERT_TRUE(completions_.WaitFor(kCount));
  EXPECT_EQ(completions_.Indexes(), Range(0, kCount));
  EXPECT_EQ(completions_.Statuses(), std::vector<HRESULT>(kCount, S_OK));
  EXPECT_EQ(DeliveredIndexes(), Range(0, kCount));
  InstanceStats stats = Info(instance).stats;
  EXPECT_EQ(stats.packets_indicated, kCount);
  EXPECT_EQ(stats.indications_pended, kCount);
  EXPECT_GE(stats.indicate_writes, 2u);  // At most 256 per Write().
  EXPECT_LE(stats.indicate_writes, kCount);
}

TEST_F(IndicateTest, ConcurrentIndicatorsAreEachCompletedOnce) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  constexpr size_t kThreads = 4;
  constexpr size_t kEach = 200;  // 800 in all: fewer than the queue holds.
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(kThreads * kEach);
  std::vector<std::vector<HRESULT>> results(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t * kEach; i < (t + 1) * kEach; ++i)
        results[t].push_back(Indicate(instance, *packets[i]));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::vector<HRESULT>& each : results)
    EXPECT_EQ(each, std::vector<HRESULT>(kEach, kPending));
  ASSERT_TRUE(completions_.WaitFor(kThreads * kEach));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  std::vector<size_t> indexes = completions_.Indexes();
  ASSERT_EQ(indexes.size(), kThreads * kEach);  // None twice, none late.
  // Each thread's own indications complete in the order it made them.
  for (size_t t = 0; t < kThreads; ++t) {
    std::vector<size_t> own;
    std::copy_if(indexes.begin(), indexes.end(), std::back_inserter(own),
                 [t](size_t i) { return i / kEach == t; });
    EXPECT_EQ(own, Range(t * kEach, (t + 1) * kEach));
  }
  std::sort(indexes.begin(), indexes.end());
  EXPECT_EQ(indexes, Range(0, kThreads * kEach));
  EXPECT_EQ(completions_.Statuses(),
            std::vector<HRESULT>(kThreads * kEach, S_OK));
  std::vector<size_t> delivered = DeliveredIndexes();
  std::sort(delivered.begin(), delivered.end());
  EXPECT_EQ(delivered, Range(0, kThreads * kEach));
  EXPECT_EQ(Info(instance).stats.packets_indicated, kThreads * kEach);
}

TEST_F(IndicateTest, PacketsQueuedBehindABusyWriteGoInOneBatch) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  constexpr size_t kQueued = 40;
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(1 + kQueued);
  ASSERT_NO_FATAL_FAILURE(PendBehindHeldWrite(instance, packets, kQueued + 1));
  EXPECT_TRUE(completions_.All().empty());  // Nothing written yet.
  interface()->ReleaseWrites();
  ASSERT_TRUE(completions_.WaitFor(1 + kQueued));
  EXPECT_THAT(interface()->WriteBatchSizes(), ElementsAre(1u, kQueued));
  EXPECT_EQ(completions_.Indexes(), Range(0, 1 + kQueued));
  EXPECT_EQ(completions_.Statuses(), std::vector<HRESULT>(1 + kQueued, S_OK));
  EXPECT_EQ(DeliveredIndexes(), Range(0, 1 + kQueued));
  EXPECT_EQ(Info(instance).stats.indicate_writes, 2u);
}

TEST_F(IndicateTest, FullQueueRefusesWithoutPending) {
  RuntimeOptions options = BaseOptions();
  options.indicate_queue = 4;
  Restart(std::move(options));
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(6);
  // The writer holds 0; 1-4 fill the queue.
  ASSERT_NO_FATAL_FAILURE(PendBehindHeldWrite(instance, packets, 5));
  EXPECT_EQ(Indicate(instance, *packets[5]), kNoResources);
  InstanceStats stats = Info(instance).stats;
  EXPECT_EQ(stats.indicate_queue_full, 1u);
  EXPECT_EQ(stats.indications_refused, 1u);
  EXPECT_EQ(stats.indications_pended, 5u);
  interface()->ReleaseWrites();
  ASSERT_TRUE(completions_.WaitFor(5));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(completions_.Indexes(), Range(0, 5));  // Never packet 5.
  EXPECT_EQ(completions_.Statuses(), std::vector<HRESULT>(5, S_OK));
  EXPECT_EQ(DeliveredIndexes(), Range(0, 5));
}

TEST_F(IndicateTest, InvalidIndicationsFailAtOnceAndNeverComplete) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::unique_ptr<Indicated> wrong_source = Make(0);
  wrong_source->remote_bytes[15] ^= 0x40;  // ID no longer the packet's.
  std::unique_ptr<Indicated> corrupt = Make(1);
  corrupt->packet[4] ^= 0x01;  // IPv6 payload length no longer matches.
  std::unique_ptr<Indicated> not_added = Make(2);
  not_added->local_bytes[15] ^= 0x40;
  std::unique_ptr<Indicated> empty = Make(3);
  empty->chain.size = 0;
  std::unique_ptr<Indicated> odd_id = Make(4);
  odd_id->local_id.size = 3;
  const HRESULT kInvalidData = HRESULT_FROM_WIN32(ERROR_INVALID_DATA);
  EXPECT_EQ(Indicate(instance, *wrong_source), kInvalidData);
  EXPECT_EQ(Indicate(instance, *corrupt), kInvalidData);
  EXPECT_EQ(Indicate(instance, *not_added),
            HRESULT_FROM_WIN32(ERROR_NOT_FOUND));
  EXPECT_EQ(Indicate(instance, *empty), E_INVALIDARG);
  EXPECT_EQ(Indicate(instance, *odd_id), E_INVALIDARG);
  std::unique_ptr<Indicated> good = Make(5);
  absl::StatusOr<bool> no_ids = runtime_->IndicateReceivedBuffers(
      instance, nullptr, nullptr, &good->chain, good.get(), &OnIndicated);
  EXPECT_EQ(ToHresult(no_ids.status()), E_POINTER);
  EXPECT_EQ(Info(instance).stats.indications_refused, 6u);
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(Indicate(instance, *good), kInvalidState);  // Session over.
  EXPECT_TRUE(completions_.All().empty());
  EXPECT_TRUE(interface()->TakeDelivered().empty());
  EXPECT_EQ(Info(instance).stats.indications_pended, 0u);
}

TEST_F(IndicateTest, ChainOfSeveralSegmentsIsWrittenAtOnceWithoutCompletion) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::unique_ptr<Indicated> packet = Make(0);
  CPNATFWT_BUFFER second{nullptr, packet->chain.size - 30,
                         packet->packet.data() + 30};
  packet->chain = {&second, 30, packet->packet.data()};
  EXPECT_EQ(Indicate(instance, *packet), S_OK);
  // Written before the call returned: no waiting.
  EXPECT_THAT(interface()->TakeDelivered(), ElementsAre(packet->packet));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_TRUE(completions_.All().empty());
  EXPECT_EQ(Info(instance).stats.indications_pended, 0u);
  EXPECT_EQ(Info(instance).stats.packets_indicated, 1u);
}

TEST_F(IndicateTest, DeregisterAbortsWhatIsQueuedBeforeItReturns) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(6);
  ASSERT_NO_FATAL_FAILURE(PendBehindHeldWrite(instance, packets, 6));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  // Every completion came before Deregister returned: the held Write() was
  // interrupted by Close() (the interface refused it), the rest aborted.
  EXPECT_EQ(completions_.Indexes(), Range(0, 6));
  EXPECT_THAT(completions_.Statuses(),
              ElementsAre(kInvalidState, kAborted, kAborted, kAborted, kAborted,
                          kAborted));
  EXPECT_TRUE(interface()->TakeDelivered().empty());
  InstanceStats stats = Info(instance).stats;
  EXPECT_EQ(stats.indications_aborted, 5u);
  EXPECT_EQ(stats.indications_refused, 1u);
  EXPECT_EQ(stats.packets_indicated, 0u);
  // Later indications are refused at once and never complete.
  std::unique_ptr<Indicated> late = Make(7);
  EXPECT_EQ(Indicate(instance, *late), kInvalidState);
  runtime_->Destroy(instance).IgnoreError();
  EXPECT_EQ(completions_.All().size(), 6u);
}

TEST_F(IndicateTest, TerminationAbortsTheQueueAndFinishesTheWriteUnderWay) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(4);
  ASSERT_NO_FATAL_FAILURE(PendBehindHeldWrite(instance, packets, 4));
  runtime_->Shutdown();  // The CP ends the session (6.3 B).
  ASSERT_TRUE(provider.WaitFor(Event::kTerminate));
  std::unique_ptr<Indicated> late = Make(4);
  EXPECT_EQ(Indicate(instance, *late), kInvalidState);
  EXPECT_TRUE(completions_.All().empty());  // The writer is still held.
  interface()->ReleaseWrites();
  ASSERT_TRUE(completions_.WaitFor(4));
  EXPECT_EQ(completions_.Indexes(), Range(0, 4));
  EXPECT_THAT(completions_.Statuses(),
              ElementsAre(S_OK, kAborted, kAborted, kAborted));
  EXPECT_EQ(DeliveredIndexes(), Range(0, 1));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(completions_.All().size(), 4u);
  EXPECT_EQ(Info(instance).stats.indications_aborted, 3u);
}

TEST_F(IndicateTest, CompletionRoutineMayIndicateAgain) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  constexpr size_t kRounds = 20;
  std::unique_ptr<Indicated> packet = Make(0);
  std::vector<HRESULT> again;  // Written by the completion routine only.
  packet->on_completion = [&](Indicated& indicated, HRESULT status) {
    if (status != S_OK || again.size() + 1 >= kRounds) return;
    // The provider owns the chain again: the same buffer goes back in.
    again.push_back(Indicate(instance, indicated));
  };
  ASSERT_EQ(Indicate(instance, *packet), kPending);
  ASSERT_TRUE(completions_.WaitFor(kRounds));
  ASSERT_EQ(ToHresult(runtime_->Deregister(instance)), S_OK);
  EXPECT_EQ(again, std::vector<HRESULT>(kRounds - 1, kPending));
  std::vector<Completion> all = completions_.All();
  ASSERT_EQ(all.size(), kRounds);
  for (const Completion& completion : all) {
    EXPECT_EQ(completion.status, S_OK);
    EXPECT_EQ(completion.thread, all[0].thread);  // The indicate thread.
  }
  EXPECT_EQ(interface()->TakeDelivered().size(), kRounds);
}

TEST_F(IndicateTest, CompletionRoutineMayDeregister) {
  TestProvider& provider = NewProvider();
  CPNATFWT_PROVIDER_INSTANCE instance = Ready(provider);
  std::vector<std::unique_ptr<Indicated>> packets = MakeMany(3);
  // Written by the completion routine only.
  HRESULT deregistered = E_UNEXPECTED;
  packets[0]->on_completion = [&](Indicated&, HRESULT) {
    deregistered = ToHresult(runtime_->Deregister(instance));
  };
  ASSERT_NO_FATAL_FAILURE(PendBehindHeldWrite(instance, packets, 3));
  interface()->ReleaseWrites();
  ASSERT_TRUE(completions_.WaitFor(3));
  EXPECT_EQ(deregistered, S_OK);  // No deadlock on the indicate thread.
  EXPECT_TRUE(provider.WaitFor(Event::kTerminate));
  // Packet 0 was written; 1 and 2, queued when Deregister ran, aborted.
  EXPECT_EQ(completions_.Indexes(), Range(0, 3));
  EXPECT_THAT(completions_.Statuses(), ElementsAre(S_OK, kAborted, kAborted));
  EXPECT_EQ(DeliveredIndexes(), Range(0, 1));
}

}  // namespace
}  // namespace natfwt::cp::testing
