// Copyright 2026 The natfwt Authors.

#include "engine/provider/owner_cache.h"

#include <optional>
#include <utility>

namespace natfwt::provider {

template <typename Use>
auto OwnerCache::WithOwner(const net::IpAddress& transport_id, Use use) {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  {
    absl::MutexLock lock(&mutex_);
    if (table_generation_ != generation) {
      owners_.clear();
      table_generation_ = generation;
    }
    auto it = owners_.find(transport_id);
    if (it != owners_.end()) return use(it->second);
  }
  // A miss: asked without our lock held (the node takes its own).
  misses_.fetch_add(1, std::memory_order_relaxed);
  std::optional<std::string> owner = node_.PeerOwning(transport_id);
  std::string value = owner.has_value() ? *std::move(owner) : std::string();
  absl::MutexLock lock(&mutex_);
  // Kept only when no Invalidate() came in between: the answer may predate
  // the change.
  if (table_generation_ == generation &&
      generation_.load(std::memory_order_acquire) == generation) {
    if (owners_.size() >= kMaxEntries) owners_.clear();
    owners_.insert_or_assign(transport_id, value);
  }
  return use(value);
}

bool OwnerCache::Lookup(const net::IpAddress& transport_id,
                        std::string* owner) {
  return WithOwner(transport_id, [owner](const std::string& found) {
    if (found.empty()) return false;
    owner->assign(found);
    return true;
  });
}

bool OwnerCache::IsOwner(const net::IpAddress& transport_id,
                         absl::string_view peer) {
  return WithOwner(transport_id, [peer](const std::string& found) {
    return !found.empty() && found == peer;
  });
}

}  // namespace natfwt::provider
