// Copyright 2026 The natfwt Authors.

#include "facade/runtime/reach_cache.h"

#include <utility>

namespace natfwt::cp {

ReachCache::Answer ReachCache::Find(const net::IpAddress& destination,
                                    absl::Time now) const {
  auto it = entries_.find(destination);
  if (it == entries_.end()) return Answer::kUnknown;
  const Entry& entry = it->second;
  if (entry.pending) return Answer::kPending;
  if (now >= entry.expires) return Answer::kUnknown;
  return entry.reachable ? Answer::kReachable : Answer::kUnreachable;
}

void ReachCache::EvictExpired(absl::Time now) {
  absl::erase_if(entries_, [now](const auto& item) {
    return !item.second.pending && now >= item.second.expires;
  });
}

bool ReachCache::StartQuery(const net::IpAddress& destination, absl::Time now) {
  if (!entries_.contains(destination) &&
      entries_.size() >= options_.max_destinations) {
    EvictExpired(now);
    if (entries_.size() >= options_.max_destinations) return false;
  }
  Entry& entry = entries_[destination];
  entry.pending = true;
  return true;
}

bool ReachCache::Enqueue(const net::IpAddress& destination, PacketHandle packet,
                         std::vector<PacketHandle>* dropped) {
  auto it = entries_.find(destination);
  if (it == entries_.end() || !it->second.pending) return false;
  std::deque<PacketHandle>& queue = it->second.queue;
  while (queue.size() >= options_.queue_per_destination && !queue.empty()) {
    dropped->push_back(queue.front());
    queue.pop_front();
  }
  if (options_.queue_per_destination == 0) {
    dropped->push_back(packet);
    return true;
  }
  queue.push_back(packet);
  return true;
}

std::vector<ReachCache::PacketHandle> ReachCache::Complete(
    const net::IpAddress& destination, bool reachable, absl::Time now) {
  Entry& entry = entries_[destination];
  std::vector<PacketHandle> queued(entry.queue.begin(), entry.queue.end());
  entry.queue.clear();
  entry.pending = false;
  entry.reachable = reachable;
  entry.expires =
      now + (reachable ? options_.positive_ttl : options_.negative_ttl);
  return queued;
}

void ReachCache::Invalidate(const net::IpAddress& destination) {
  auto it = entries_.find(destination);
  if (it == entries_.end() || it->second.pending) return;
  entries_.erase(it);
}

std::vector<ReachCache::PacketHandle> ReachCache::Clear() {
  std::vector<PacketHandle> queued;
  for (auto& [address, entry] : entries_) {
    queued.insert(queued.end(), entry.queue.begin(), entry.queue.end());
  }
  entries_.clear();
  return queued;
}

}  // namespace natfwt::cp
