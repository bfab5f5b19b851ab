// Copyright 2026 The natfwt Authors.
//
// IceProvider: REACH_TRANSPORT_ID, SEND_BUFFERS and the packets peers send.
// SEND and OnPackets are the hot paths: no allocation, no logging, no
// Status per packet; errors are counters.

#include <cstring>
#include <memory>
#include <utility>

#include "engine/provider/ice_provider.h"
#include "engine/provider/packet_addresses.h"
#include "engine/provider/reach_book.h"

namespace natfwt::provider {
namespace {

// Largest IP packet a chain can carry (RFC 8200 section 3: a 40-byte fixed
// header and up to 65535 bytes of payload).
constexpr size_t kMaxPacket = 65535 + 40;
// Longest chain walked (implementation choice: a CP never sends more than a
// handful of segments; this stops a cyclic chain).
constexpr int kMaxSegments = 64;

// Checks `chain` (spec 7.1: zero-length segments are skipped, the total is
// 1..kMaxPacket bytes) and finds its only non-empty segment, if it has just
// one. False for an invalid chain.
bool CheckChain(const CPNATFWT_BUFFER* chain,
                const CPNATFWT_BUFFER** only_segment) {
  size_t total = 0;
  int segments = 0;
  int non_empty = 0;
  for (; chain != nullptr; chain = chain->next) {
    if (++segments > kMaxSegments) return false;
    if (chain->size == 0) continue;
    if (chain->buffer == nullptr) return false;
    total += chain->size;
    if (total > kMaxPacket) return false;
    *only_segment = chain;
    ++non_empty;
  }
  if (non_empty != 1) *only_segment = nullptr;
  return non_empty > 0;
}

}  // namespace

HRESULT IceProvider::OnReach(const CPNATFWT_TRANSPORT_ID* id, PVOID context,
                             CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  if (id == nullptr || id->transportId == nullptr ||
      (id->size != 4 && id->size != 16) || routine == nullptr) {
    return E_INVALIDARG;
  }
  const net::IpAddress address = AddressOf({id->transportId, id->size});
  std::optional<std::string> peer = node_.PeerOwning(address);
  if (!peer.has_value()) {
    reach_no_owner_.fetch_add(1, std::memory_order_relaxed);
    return HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE);
  }
  std::shared_ptr<ReachBook> book = reaches_;
  std::shared_ptr<ReachBook::Op> op =
      book->Begin(context, routine, options_.reach_timeout);
  // May answer at once (a secure session exists), even before this returns:
  // allowed (5.0 rule 1).
  node_.Connect(*std::move(peer), [book, op](const absl::Status& status) {
    if (status.ok()) {
      book->Complete(op, S_OK, ReachBook::Outcome::kReached);
    } else {
      book->Complete(op, HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE),
                     ReachBook::Outcome::kFailed);
    }
  });
  return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
}

HRESULT IceProvider::OnSend(const CPNATFWT_TRANSPORT_ID* remote,
                            const CPNATFWT_BUFFER* chain, PVOID context,
                            CPNATFWT_PLATFORM_COMPLETION_ROUTINE routine) {
  const CPNATFWT_BUFFER* only = nullptr;
  if (remote == nullptr || remote->transportId == nullptr ||
      (remote->size != 4 && remote->size != 16) || routine == nullptr ||
      !CheckChain(chain, &only)) {
    send_refused_.fetch_add(1, std::memory_order_relaxed);
    return E_INVALIDARG;
  }
  SendPump::Item item;
  item.destination = AddressOf({remote->transportId, remote->size});
  if (only != nullptr) {
    item.packet = absl::MakeConstSpan(only->buffer, only->size);
  } else {
    item.chain = chain;  // Gathered by the worker.
  }
  item.context = context;
  item.routine = routine;
  if (!pump_.Push(item)) {
    send_refused_.fetch_add(1, std::memory_order_relaxed);
    return HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES);
  }
  return HRESULT_FROM_WIN32(ERROR_IO_PENDING);
}

void IceProvider::OnPackets(
    absl::string_view peer,
    absl::Span<const absl::Span<const uint8_t>> packets) {
  packets_received_.fetch_add(packets.size(), std::memory_order_relaxed);
  if (!receiving_.load(std::memory_order_acquire)) {
    drops_no_session_.fetch_add(packets.size(), std::memory_order_relaxed);
    return;
  }
  uint64_t indicated = 0, not_owner = 0, malformed = 0, refused = 0;
  // Packets of one batch nearly always share their source: its verdict is
  // memoised for the batch.
  net::IpAddress last_source;
  bool have_last = false;
  bool last_owned = false;
  for (absl::Span<const uint8_t> packet : packets) {
    std::optional<PacketAddresses> addresses = FindPacketAddresses(packet);
    if (!addresses.has_value()) {
      ++malformed;
      continue;
    }
    const net::IpAddress source = AddressOf(addresses->source);
    if (!have_last || source != last_source) {
      last_owned = owners_.IsOwner(source, peer);
      last_source = source;
      have_last = true;
    }
    if (!last_owned) {
      ++not_owner;
      continue;
    }
    switch (Indicate(*addresses, packet)) {
      case IndicateResult::kPended:
        break;  // Counted when it completes (IndicateDone).
      case IndicateResult::kDone:
        ++indicated;
        break;
      case IndicateResult::kRefused:
        ++refused;
        break;
      case IndicateResult::kDropped:
        break;  // Counted in drops_backlog_.
    }
  }
  auto add = [](std::atomic<uint64_t>& counter, uint64_t n) {
    if (n != 0) counter.fetch_add(n, std::memory_order_relaxed);
  };
  add(packets_indicated_, indicated);
  add(drops_not_owner_, not_owner);
  add(drops_malformed_, malformed);
  add(drops_refused_, refused);
}

IceProvider::IndicateResult IceProvider::Indicate(
    const PacketAddresses& addresses, absl::Span<const uint8_t> packet) {
  if (packet.size() > IndicateSlots::kSlotBytes)
    return IndicateCopied(addresses, packet);
  // Lent to the CP with a completion routine, so natfwt can write many
  // packets to the interface at once (4.5: it may pend; it then owns the
  // chain and both IDs until IndicateDone). When every slot is lent out the
  // CP's writer is behind: this thread waits for one (the node's socket
  // buffers absorb the burst) rather than indicating a copy that would
  // overtake the queued packets (reordering costs TCP more than a wait).
  IndicateSlots::Slot* slot = slots_.Acquire(packet, addresses.destination,
                                             addresses.source, kSlotWait);
  if (slot == nullptr) {
    drops_backlog_.fetch_add(1, std::memory_order_relaxed);
    return IndicateResult::kDropped;
  }
  HRESULT hr = options_.api.indicate(instance_, &slot->local, &slot->remote,
                                     &slot->chain, slot, &IndicateDone);
  if (hr == HRESULT_FROM_WIN32(ERROR_IO_PENDING))
    return IndicateResult::kPended;
  slots_.Release(slot);
  return SUCCEEDED(hr) ? IndicateResult::kDone : IndicateResult::kRefused;
}

IceProvider::IndicateResult IceProvider::IndicateCopied(
    const PacketAddresses& addresses, absl::Span<const uint8_t> packet) {
  // Larger than a slot: the CP copies during the call (no completion
  // routine). It only reads these; the API's pointers are not const.
  CPNATFWT_TRANSPORT_ID local{static_cast<USHORT>(addresses.destination.size()),
                              const_cast<BYTE*>(addresses.destination.data())};
  CPNATFWT_TRANSPORT_ID remote{static_cast<USHORT>(addresses.source.size()),
                               const_cast<BYTE*>(addresses.source.data())};
  CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(packet.size()),
                        const_cast<BYTE*>(packet.data())};
  HRESULT hr = options_.api.indicate(instance_, &local, &remote, &chain,
                                     nullptr, nullptr);
  return SUCCEEDED(hr) ? IndicateResult::kDone : IndicateResult::kRefused;
}

VOID CALLBACK IceProvider::IndicateDone(CPNATFWT_PROVIDER_INSTANCE,
                                        PVOID context, PVOID completion,
                                        CPNATFWT_BUFFER*, HRESULT status) {
  IceProvider& provider = From(context);
  provider.slots_.Release(completion);
  (SUCCEEDED(status) ? provider.packets_indicated_ : provider.drops_refused_)
      .fetch_add(1, std::memory_order_relaxed);
}

}  // namespace natfwt::provider
