// Copyright 2026 The natfwt Authors.
//
// SendPump: the provider's SEND_BUFFERS path onto the node's hot path.
//
// The Connectivity Platform hands the provider one IP packet per
// SEND_BUFFERS call (spec 5.8, 7.1), from its packet thread, as it reads
// batches from the interface. Sending each alone would cost one encryption
// set-up and one system call per packet and lose GSO. So the callback only
// queues the packet (a pointer to the CP's buffer, no copy: the CP owns it
// until completion, spec 7.2) and returns pending; one worker thread takes
// everything queued at once, maps each destination transport ID to its
// peer (OwnerCache, memoised per run), hands each run of consecutive
// packets for the same peer to node::Node::SendPackets() as one batch, and
// then completes each packet's SEND:
//
//   CP packet thread            queue (bounded ring)        worker
//   SEND -> Push() -> PENDING   [p1 p2 p3 p4 ...]  --->  Take all, group by
//   SEND -> Push() -> PENDING                            peer, SendPackets(),
//   ...                                                  complete each SEND
//
// Under load packets pile up while the worker sends, so batches grow by
// themselves; an idle pump sends a lone packet at once (one wake-up, no
// timer). Nothing is allocated per packet, and the thread hop is per batch
// (the worker is woken only when it waits). FIFO order is kept, so packets
// of one flow (endpointLuid) stay in order.
//
// Completion status per packet (spec 5.8): S_OK when SendPackets() took the
// batch (IP semantics: a packet the session dropped for congestion still
// counts as accepted, and is counted here); ERROR_HOST_UNREACHABLE when no
// allowed peer owns the destination or there is no secure session with it
// (the CP then forgets its REACH answer and asks again, which sets the
// session up); ERROR_OPERATION_ABORTED for packets still queued at Stop.
//
// Thread-safety: Push() from any thread (it is called from the CP's
// SEND_BUFFERS); Start/RequestStop/Join from the owner. The completion
// routines run on the worker thread with no lock held.

#ifndef NATFWT_ENGINE_PROVIDER_SEND_PUMP_H_
#define NATFWT_ENGINE_PROVIDER_SEND_PUMP_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "cpnatfwt.h"
#include "engine/node/node.h"
#include "engine/provider/owner_cache.h"
#include "platform/net/ip_address.h"

namespace natfwt::provider {

struct SendCounters {
  uint64_t queued = 0;        // Accepted by Push().
  uint64_t packets_sent = 0;  // Taken by SendPackets().
  uint64_t batches = 0;       // SendPackets() calls.
  uint64_t dropped = 0;       // Taken, but the session dropped them.
  uint64_t unreachable = 0;   // No owner or no secure session.
  uint64_t aborted = 0;       // Still queued at Stop.
  uint64_t queue_full = 0;    // Refused by Push().
  uint64_t largest_batch = 0;
};

class SendPump {
 public:
  // One queued SEND_BUFFERS call. `packet` is empty when the chain has
  // several non-empty segments: the worker gathers it then.
  struct Item {
    net::IpAddress destination;
    absl::Span<const uint8_t> packet;
    const CPNATFWT_BUFFER* chain = nullptr;
    PVOID context = nullptr;
    CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine = nullptr;
  };

  struct Options {
    // Packets the queue holds (more than the CP's packet buffers, so it
    // never fills in practice).
    size_t capacity = 4096;
    // Most packets in one SendPackets() call.
    size_t max_batch = 64;
  };

  // `node` and `owners` must outlive the pump. `on_exit` runs on the worker
  // thread after it stopped and completed everything queued.
  SendPump(node::Node& node, OwnerCache& owners, Options options,
           absl::AnyInvocable<void()> on_exit);
  SendPump(const SendPump&) = delete;
  SendPump& operator=(const SendPump&) = delete;
  // RequestStop() and Join().
  ~SendPump();

  // Starts the worker. kFailedPrecondition when called twice.
  absl::Status Start();
  // Queues `item`; its routine will be called exactly once. False (nothing
  // queued, routine never called) when the queue is full or stopping.
  bool Push(const Item& item);
  // Asks the worker to finish its current batch, complete what is still
  // queued with ERROR_OPERATION_ABORTED, run `on_exit` and end. Returns at
  // once; idempotent.
  void RequestStop();
  // Waits for the worker to end. Not from the worker itself.
  void Join();

  SendCounters counters() const;

 private:
  void Run();
  // Takes up to `items_.size()` queued items; false when stopping.
  bool Take(size_t* count);
  void SendTaken(size_t count);
  // Memoised owner lookup for the worker: sets `owner_`.
  bool Resolve(const net::IpAddress& destination);
  void SendGroup(size_t begin, size_t end, absl::string_view peer);
  void SendGathered(const Item& item);
  void CompleteRange(size_t begin, size_t end, HRESULT status);
  void AbortQueued();
  void Count(std::atomic<uint64_t>& counter, uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  node::Node& node_;
  OwnerCache& owners_;
  const Options options_;
  absl::AnyInvocable<void()> on_exit_;
  std::thread thread_;
  bool started_ = false;

  // The queue: a ring of `options_.capacity` items.
  mutable absl::Mutex mutex_;
  std::vector<Item> ring_ ABSL_GUARDED_BY(mutex_);
  size_t head_ ABSL_GUARDED_BY(mutex_) = 0;
  size_t count_ ABSL_GUARDED_BY(mutex_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  uint64_t queued_ ABSL_GUARDED_BY(mutex_) = 0;

  // Worker only.
  std::vector<Item> items_;
  std::vector<absl::Span<const uint8_t>> spans_;
  std::vector<uint8_t> gathered_;  // Allocated on first use.
  std::string owner_;
  std::string group_peer_;
  net::IpAddress last_destination_;
  uint64_t last_generation_ = 0;
  bool last_found_ = false;

  std::atomic<uint64_t> packets_sent_{0};
  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> unreachable_{0};
  std::atomic<uint64_t> aborted_{0};
  std::atomic<uint64_t> queue_full_{0};
  std::atomic<uint64_t> largest_batch_{0};
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_SEND_PUMP_H_
