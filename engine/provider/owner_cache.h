// Copyright 2026 The natfwt Authors.
//
// OwnerCache: which allowed peer owns a transport ID, as
// node::Node::PeerOwning() answers from verified rendezvous records, kept
// so the packet paths need not ask the node (a lock and a string copy) for
// every packet.
//
// Both directions use it: SEND maps a destination transport ID to the peer
// to send to; received packets are indicated only when their source
// transport ID belongs to the peer whose session delivered them. Entries,
// negative ones included, stay valid until Invalidate(), which the provider
// calls whenever the node reports a changed peer record
// (PacketSink::OnPeerRecordChanged); a stale answer would route to, or
// accept packets from, a peer that no longer owns the address. The table is
// bounded (kMaxEntries; full means it starts over), so a flood of spoofed
// source addresses cannot grow it.
//
// Thread-safety: every method may be called from any thread. Lookups take
// one internal mutex (the node is asked outside it on a miss).

#ifndef NATFWT_ENGINE_PROVIDER_OWNER_CACHE_H_
#define NATFWT_ENGINE_PROVIDER_OWNER_CACHE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "engine/node/node.h"
#include "platform/net/ip_address.h"

namespace natfwt::provider {

class OwnerCache {
 public:
  // Entries kept at most (implementation choice: far more than any overlay
  // network's transport IDs, small enough to stay in cache).
  static constexpr size_t kMaxEntries = 4096;

  // `node` must outlive the cache.
  explicit OwnerCache(const node::Node& node) : node_(node) {}
  OwnerCache(const OwnerCache&) = delete;
  OwnerCache& operator=(const OwnerCache&) = delete;

  // Forgets every answer (wait-free; the table is cleared by the next
  // lookup).
  void Invalidate() { generation_.fetch_add(1, std::memory_order_release); }
  // Changes with every Invalidate(): callers that memoise an answer (the
  // last destination of a batch) compare it.
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

  // Copies the owner of `transport_id` into `*owner` (assigning into its
  // capacity: no allocation once warm). False when no allowed peer owns it.
  bool Lookup(const net::IpAddress& transport_id, std::string* owner);
  // Whether `peer` owns `transport_id`.
  bool IsOwner(const net::IpAddress& transport_id, absl::string_view peer);

  // Lookups the node had to answer (misses), for tests and status.
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  // Runs `use` on the cached owner ("" = nobody) under the mutex, asking
  // the node first on a miss.
  template <typename Use>
  auto WithOwner(const net::IpAddress& transport_id, Use use);

  const node::Node& node_;
  std::atomic<uint64_t> generation_{1};
  std::atomic<uint64_t> misses_{0};
  absl::Mutex mutex_;
  uint64_t table_generation_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::flat_hash_map<net::IpAddress, std::string> owners_
      ABSL_GUARDED_BY(mutex_);
};

}  // namespace natfwt::provider

#endif  // NATFWT_ENGINE_PROVIDER_OWNER_CACHE_H_
