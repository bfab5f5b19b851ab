// Copyright 2026 The natfwt Authors.
//
// ReachCache: the CP's memory of REACH_TRANSPORT_ID answers, and the packets
// waiting for a pending answer (spec 5.7 and decision D12).
//
// Positive answers are kept for 60 s and negative ones for 5 s (both
// configurable); while a query is pending, up to 16 packets per destination
// wait, and a 17th pushes out the oldest. The number of destinations is
// bounded too, so a local program sending to many addresses cannot grow it
// without limit. Pure policy: no threads, no clock of its own (times are
// passed in), no provider calls. Packets are opaque handles (pool slot
// numbers) that the caller owns; every handle the cache gives back must be
// released by the caller.
//
// Thread-safety: none; the runtime guards it with its data-path mutex.

#ifndef NATFWT_FACADE_RUNTIME_REACH_CACHE_H_
#define NATFWT_FACADE_RUNTIME_REACH_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "platform/net/ip_address.h"

namespace natfwt::cp {

struct ReachCacheOptions {
  absl::Duration positive_ttl = absl::Seconds(60);  // D12
  absl::Duration negative_ttl = absl::Seconds(5);   // D12
  size_t queue_per_destination = 16;                // D12
  size_t max_destinations = 4096;  // Implementation choice: memory bound.
};

class ReachCache {
 public:
  using PacketHandle = uint32_t;

  enum class Answer {
    kReachable,    // Send now.
    kUnreachable,  // Drop.
    kPending,      // A query is under way: Enqueue().
    kUnknown,      // No answer: StartQuery(), then Enqueue().
  };

  explicit ReachCache(ReachCacheOptions options = {}) : options_(options) {}

  Answer Find(const net::IpAddress& destination, absl::Time now) const;

  // Records that a query for `destination` is under way. Returns false when
  // the cache is full of pending queries (the caller drops the packet).
  // Expired entries are evicted first.
  bool StartQuery(const net::IpAddress& destination, absl::Time now);

  // Queues `packet` behind the pending query. Returns the handle that fell
  // out (the oldest, when the queue was full) in `dropped`, or false when no
  // query is pending for the destination (the caller drops `packet`).
  bool Enqueue(const net::IpAddress& destination, PacketHandle packet,
               std::vector<PacketHandle>* dropped);

  // Stores the answer and returns the queued packets, oldest first: to send
  // when `reachable`, to drop otherwise.
  std::vector<PacketHandle> Complete(const net::IpAddress& destination,
                                     bool reachable, absl::Time now);

  // Forgets the answer for `destination` (a SEND failed). Queued packets are
  // kept if a query is pending.
  void Invalidate(const net::IpAddress& destination);

  // Forgets everything; returns every queued packet.
  std::vector<PacketHandle> Clear();

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    bool pending = false;
    bool reachable = false;
    absl::Time expires;  // Meaningful when !pending.
    std::deque<PacketHandle> queue;
  };

  void EvictExpired(absl::Time now);

  ReachCacheOptions options_;
  absl::flat_hash_map<net::IpAddress, Entry> entries_;
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_REACH_CACHE_H_
