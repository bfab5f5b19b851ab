// Copyright 2026 The natfwt Authors.
//
// VirtualInterface: a layer-3 network interface that user space feeds and
// drains, in the shape of wireguard-go's tun.Device: batched reads and writes
// of whole IP packets, a fixed batch size, MTU and name queries, idempotent
// Close().
//
// Backends: the kernel's TUN driver on Linux (tun_linux.cc), Wintun on Windows
// (later), and MemoryInterface (memory_interface.h): an in-memory backend
// with the same contract, so every test of code above this layer runs
// without privileges.
//
// Thread-safety: Read() is called by one reader thread at a time; Write() may
// be called from any thread concurrently with Read(); Close() from any
// thread, and it wakes a blocked Read().

#ifndef NATFWT_PLATFORM_TUN_VIRTUAL_INTERFACE_H_
#define NATFWT_PLATFORM_TUN_VIRTUAL_INTERFACE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "platform/net/ip_address.h"

namespace natfwt::tun {

// How to create an interface.
struct InterfaceConfig {
  // Kernel interface name (at most 15 bytes on Linux). Empty: the backend
  // picks one.
  std::string kernel_name;
  // Human-readable name (UTF-8), stored as the interface alias (Linux
  // IFLA_IFALIAS, Windows ifAlias). May be empty.
  std::string alias;
  uint32_t mtu = 1280;
  // Local addresses with their on-link prefix length. IPv6 addresses are
  // added without duplicate address detection (IFA_F_NODAD), so they are
  // usable at once.
  std::vector<net::IpPrefix> addresses;
  // Extra prefixes routed to the interface (the overlay: peers' transport
  // IDs live there).
  std::vector<net::IpPrefix> routes;
};

// A caller-owned buffer that Read() fills with one packet.
struct PacketBuffer {
  uint8_t* data = nullptr;
  size_t capacity = 0;
  size_t size = 0;  // Set by Read(): the packet's length.
};

class VirtualInterface {
 public:
  // Packets one Read() returns at most; constant for the object's lifetime.
  static constexpr size_t kBatchSize = 64;

  virtual ~VirtualInterface() = default;

  // The kernel (or backend) name, e.g. "cpnat0".
  virtual const std::string& name() const = 0;
  virtual uint32_t mtu() const = 0;
  // The OS interface index (0 where there is none).
  virtual uint32_t index() const = 0;

  // Blocks until at least one packet is available, then fills up to
  // packets.size() buffers without blocking again. Returns how many were
  // filled. A packet longer than its buffer's capacity is dropped and counted
  // (never truncated). Errors: kCancelled once Close() was called;
  // kUnavailable when the interface went away; kInternal with errno text.
  virtual absl::StatusOr<size_t> Read(absl::Span<PacketBuffer> packets) = 0;

  // Writes each packet (one whole IP packet each) to the OS. Returns OK when
  // all were accepted; on the first refused packet returns its error
  // (kInvalidArgument for a malformed packet, kResourceExhausted when the
  // queue is full, kCancelled after Close()) and `*written` (if given) says
  // how many went before it.
  virtual absl::Status Write(absl::Span<const absl::Span<const uint8_t>> packets,
                             size_t* written = nullptr) = 0;

  // Adds or removes a local address at run time.
  virtual absl::Status AddAddress(const net::IpPrefix& address) = 0;
  virtual absl::Status RemoveAddress(const net::IpPrefix& address) = 0;

  // Takes the interface down and releases it. Idempotent; wakes Read().
  virtual void Close() = 0;
};

// Creates a kernel interface (Linux: TUN in IFF_TUN | IFF_NO_PI mode),
// configured and up. Errors: kPermissionDenied without CAP_NET_ADMIN;
// kUnavailable without a TUN driver; kAlreadyExists when kernel_name is
// taken by a non-TUN interface; kInvalidArgument for a bad config.
absl::StatusOr<std::unique_ptr<VirtualInterface>> CreateKernelInterface(
    const InterfaceConfig& config);

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_VIRTUAL_INTERFACE_H_
