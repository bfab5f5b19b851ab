// Copyright 2026 The natfwt Authors.
//
// MemoryInterface: a VirtualInterface whose "OS side" is two in-memory
// queues, for every test of code above platform/tun that must run without
// privileges (wireguard-go's tun/tuntest in our shape).
//
//   auto tun = MemoryInterface::Create(config);
//   (*tun)->InjectFromHost(packet);          // an application sends...
//   tun->Read(slots);                        // ...the runtime reads it.
//   tun->Write(packets);                     // the runtime writes...
//   tun->WaitDelivered(absl::Seconds(5));    // ...an application gets it.
//
// For code that batches its writes (the CP runtime's indication writer) it
// can hold Write() calls until released and remembers the sizes of the last
// Write() batches, so tests observe batching without timing assumptions:
//
//   tun->HoldWrites();                       // Write() now blocks...
//   tun->WaitForHeldWrite(absl::Seconds(5));  // ...one writer is waiting;
//   tun->ReleaseWrites();                    // it goes on;
//   tun->WriteBatchSizes();                  // e.g. {1, 40}.
//
// It keeps the VirtualInterface contract exactly (contract tests run the
// same cases against it and the kernel TUN): the same config, packet and
// address checks (validation.h), kCancelled after Close(), oversize packets
// dropped and counted, bounded queues.
//
// Thread-safety: every method may be called from any thread; Read() as the
// contract says (one reader at a time).

#ifndef NATFWT_PLATFORM_TUN_MEMORY_INTERFACE_H_
#define NATFWT_PLATFORM_TUN_MEMORY_INTERFACE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::tun {

class MemoryInterface final : public VirtualInterface {
 public:
  // Default bound of each queue (packets to read, packets delivered).
  static constexpr size_t kDefaultQueueLimit = 1024;

  // Checks `config` as CreateKernelInterface() does (validation.h), then
  // constructs. Errors: kInvalidArgument for a bad config.
  static absl::StatusOr<std::unique_ptr<MemoryInterface>> Create(
      InterfaceConfig config, size_t queue_limit = kDefaultQueueLimit);

  // Takes `config` as is (use Create() to have it checked). The interface
  // starts up with config.addresses. Each queue holds at most `queue_limit`
  // packets.
  explicit MemoryInterface(InterfaceConfig config,
                           size_t queue_limit = kDefaultQueueLimit);
  MemoryInterface(const MemoryInterface&) = delete;
  MemoryInterface& operator=(const MemoryInterface&) = delete;
  ~MemoryInterface() override;

  // config.kernel_name ("%d" replaced by index()), or "mem0" when empty.
  const std::string& name() const override { return name_; }
  uint32_t mtu() const override { return config_.mtu; }
  // A non-zero number unique to this object within the process.
  uint32_t index() const override { return index_; }
  // What set_luid() set; 0 (a backend without OS LUIDs, as on Linux) until
  // then.
  uint64_t luid() const override {
    return luid_.load(std::memory_order_relaxed);
  }
  // Makes luid() report `luid`, as a backend on an OS with LUIDs does
  // (Windows: Wintun's adapter LUID), so code above this layer can be tested
  // for both kinds. Meant to be called right after construction (by the
  // factory that hands the interface out); any thread.
  void set_luid(uint64_t luid) { luid_.store(luid, std::memory_order_relaxed); }
  absl::StatusOr<size_t> Read(absl::Span<PacketBuffer> packets) override;
  // Appends each packet to the delivered queue; kResourceExhausted when it
  // holds queue_limit packets.
  absl::Status Write(absl::Span<const absl::Span<const uint8_t>> packets,
                     size_t* written = nullptr) override;
  absl::Status AddAddress(const net::IpPrefix& address) override;
  absl::Status RemoveAddress(const net::IpPrefix& address) override;
  InterfaceStats stats() const override;
  void Interrupt() override;
  void Close() override;

  // Host side: an application sends `packet` out through the interface;
  // Read() will return a copy. Returns false (packet dropped and counted in
  // dropped_injected()) when the interface is closed, the read queue is full
  // or the packet is empty. Any other bytes are accepted, so tests can feed
  // the reader malformed packets.
  bool InjectFromHost(absl::Span<const uint8_t> packet);

  // Host side: waits up to `timeout` for the next packet Write() delivered
  // and removes it from the queue. Packets delivered before Close() can
  // still be taken; nullopt on timeout, or once closed with none left.
  std::optional<std::vector<uint8_t>> WaitDelivered(absl::Duration timeout);

  // Removes and returns everything delivered so far, oldest first.
  std::vector<std::vector<uint8_t>> TakeDelivered();

  // Test hooks for batching writers. While held (HoldWrites() until
  // ReleaseWrites()), every Write() blocks on entry, before it looks at its
  // packets; Close() releases them too (they then return kCancelled, as
  // every Write() after Close() does).
  void HoldWrites();
  void ReleaseWrites();
  // Waits up to `timeout` until at least `count` Write() calls are blocked
  // by HoldWrites(). Returns whether they are.
  bool WaitForHeldWrite(absl::Duration timeout, size_t count = 1);
  // How many packets each of the last kWriteHistory Write() calls was given
  // (the calls that got past HoldWrites()), oldest first.
  static constexpr size_t kWriteHistory = 256;
  std::vector<size_t> WriteBatchSizes() const;

  // The current local addresses, in the order they were added.
  std::vector<net::IpPrefix> addresses() const;
  // The config given at construction (addresses as configured, not as
  // changed since).
  const InterfaceConfig& config() const { return config_; }
  bool closed() const;
  // Packets Read() dropped for being longer than their buffer.
  uint64_t dropped_oversize() const;
  // Packets InjectFromHost() refused.
  uint64_t dropped_injected() const;

 private:
  bool ReadableOrClosed() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool DeliveredOrClosed() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  size_t TakeQueued(absl::Span<PacketBuffer> packets)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DeliverAll(absl::Span<const absl::Span<const uint8_t>> packets,
                          size_t* count) ABSL_LOCKS_EXCLUDED(mu_);
  // The index in addresses_ of an address the kernel would call the same as
  // `address`, or -1.
  int FindAddress(const net::IpPrefix& address, bool exact) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const InterfaceConfig config_;
  const uint32_t index_;
  const std::string name_;
  const size_t queue_limit_;
  std::atomic<uint64_t> luid_{0};

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool interrupted_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<std::vector<uint8_t>> to_read_ ABSL_GUARDED_BY(mu_);
  std::deque<std::vector<uint8_t>> delivered_ ABSL_GUARDED_BY(mu_);
  std::vector<net::IpPrefix> addresses_ ABSL_GUARDED_BY(mu_);
  uint64_t dropped_oversize_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_injected_ ABSL_GUARDED_BY(mu_) = 0;
  bool hold_writes_ ABSL_GUARDED_BY(mu_) = false;
  size_t held_writes_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<size_t> write_batches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_MEMORY_INTERFACE_H_
