// Copyright 2026 The natfwt Authors.
//
// VirtualInterface: a layer-3 network interface that user space feeds and
// drains, in the shape of wireguard-go's tun.Device: batched reads and writes
// of whole IP packets, a fixed batch size, MTU and name queries, idempotent
// Close().
//
// Backends: the kernel's TUN driver on Linux (tun_linux.cc), Wintun on Windows
// (tun_wintun.cc, wintun.dll loaded at run time), and MemoryInterface
// (memory_interface.h): an in-memory backend with the same contract, so every
// test of code above this layer runs without privileges. ListInterfaceAliases()
// (interface_aliases.h) lists the friendly names already taken on the host.
//
// Thread-safety: Read() is called by one reader thread at a time; Write() may
// be called from any thread concurrently with Read(); Close() from any
// thread, and it wakes a blocked Read(). name(), mtu(), index() and stats()
// may be called from any thread at any time, also after Close().
//
//   NATFWT_ASSIGN_OR_RETURN(std::unique_ptr<VirtualInterface> tun,
//                           CreateKernelInterface(config));
//   std::array<PacketBuffer, VirtualInterface::kBatchSize> slots = ...;
//   NATFWT_ASSIGN_OR_RETURN(size_t n, tun->Read(absl::MakeSpan(slots)));
//
// Limits every backend enforces the same way (see validation.h): MTU
// 68-65535 (1280 at least when there are IPv6 addresses, RFC 8200 section 5),
// kernel names of at most 15 bytes without '/', ':' or white space, aliases
// of at most 255 bytes without NUL, packets of 1-65535 bytes whose first
// nibble is the IP version 4 or 6.

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
  // picks one (Linux: "cpnat%d", the kernel fills in the lowest free number).
  // A name holding "%d" is a pattern in the same way.
  std::string kernel_name;
  // Human-readable name (UTF-8), stored as the interface alias (Linux
  // IFLA_IFALIAS, Windows ifAlias). May be empty. At most 255 bytes: the
  // caller shortens longer friendly names (spec 6.5).
  std::string alias;
  // 68-65535; at least 1280 when `addresses` holds an IPv6 address.
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

// Counters of packets a backend dropped instead of returning an error
// (hot-path errors are counters, not Status), and of how writes went to the
// OS. Monotonic since creation; a backend leaves those it has no use for 0.
struct InterfaceStats {
  // Read(): packets longer than the buffer they would have gone into.
  uint64_t dropped_oversize = 0;
  // Read(), Linux: packets the kernel handed over as a GSO super-packet or
  // with a checksum left to compute. The backend turns those offloads off,
  // so this stays 0 unless the kernel misbehaves.
  uint64_t dropped_offloaded = 0;
  // Write(), Linux: UDP GSO super-packets written (each one system call),
  // and the packets they carried (2-64 each). Packets not counted here went
  // to the OS one write each.
  uint64_t gso_super_packets = 0;
  uint64_t gso_packets = 0;
};

class VirtualInterface {
 public:
  // Packets one Read() returns at most; constant for the object's lifetime.
  static constexpr size_t kBatchSize = 64;

  virtual ~VirtualInterface() = default;

  // The kernel (or backend) name, e.g. "cpnat0". Wintun: the config's
  // kernel name (the adapter itself is named after the alias).
  virtual const std::string& name() const = 0;
  virtual uint32_t mtu() const = 0;
  // The OS interface index (0 where there is none).
  virtual uint32_t index() const = 0;
  // The OS's own NET_LUID value for the interface where the OS has LUIDs
  // (Windows: Wintun's adapter LUID); 0 elsewhere (Linux, whose interfaces
  // have only an index). The CP runtime hands a non-zero one to providers.
  virtual uint64_t luid() const { return 0; }

  // Blocks until at least one packet is available (or Interrupt(): then it
  // returns 0), then fills up to
  // min(packets.size(), kBatchSize) buffers without blocking again, in
  // arrival order. Returns how many were filled (at least 1). A packet longer
  // than its buffer's capacity is dropped and counted in
  // stats().dropped_oversize (never truncated); the buffer takes the next
  // packet. The caller keeps ownership of the buffers; Read() writes only
  // data[0, capacity) and size. Errors: kInvalidArgument when `packets` is
  // empty or a buffer has no storage (null data or zero capacity);
  // kCancelled once Close() was called (also when Close() runs while Read()
  // blocks); kUnavailable when the interface went away; kInternal with errno
  // text.
  virtual absl::StatusOr<size_t> Read(absl::Span<PacketBuffer> packets) = 0;

  // Writes each packet (one whole IP packet each) to the OS, in order.
  // Returns OK when all were accepted; on the first refused packet returns
  // its error (kInvalidArgument for a malformed packet, kResourceExhausted
  // when the queue is full, kCancelled after Close(), kUnavailable when the
  // interface went down or away) and `*written` (if given) says how many
  // went before it. A packet is malformed when it is empty, longer than
  // 65535 bytes or its first nibble is not 4 or 6; a malformed packet never
  // reaches the OS. The packets are only read during the call.
  // Linux: adjacent UDP datagrams of one flow (same addresses, ports and IP
  // header fields; equal payload sizes but for a shorter last one; valid
  // checksums; udp_gso.h has the rules) go to the kernel as one UDP GSO
  // super-packet of up to 64 datagrams, which the kernel segments again, so
  // applications receive the same datagrams (IPv4 identification numbered
  // afresh); one system call per run instead of per packet. A refused
  // super-packet refuses every packet of its run: `*written` then counts
  // up to its first packet. Kernels without UDP GSO from user space (before
  // 6.2) get every packet on its own.
  virtual absl::Status Write(
      absl::Span<const absl::Span<const uint8_t>> packets,
      size_t* written = nullptr) = 0;

  // Adds or removes a local address (with its on-link prefix length) at run
  // time; IPv6 addresses skip duplicate address detection like the
  // configured ones. Errors: kInvalidArgument for a prefix length out of
  // range (or, from the OS, an address it refuses); kAlreadyExists when
  // AddAddress finds the address present; kNotFound when RemoveAddress does
  // not; kPermissionDenied without CAP_NET_ADMIN; kCancelled after Close();
  // kDeadlineExceeded when the OS did not finish setting an added address
  // up within 5 seconds. AddAddress returns once the address is usable
  // (bindable, and packets to it are delivered).
  virtual absl::Status AddAddress(const net::IpPrefix& address) = 0;
  virtual absl::Status RemoveAddress(const net::IpPrefix& address) = 0;

  // Counters; a backend without any returns zeros.
  virtual InterfaceStats stats() const { return {}; }

  // Makes the Read() that is blocked now (or the next one) return 0 packets
  // at once, so the reading thread can do other work (the CP runtime's
  // reader handles provider completions this way). Any thread; cheap;
  // several calls before a Read() may wake it only once. No effect after
  // Close().
  virtual void Interrupt() = 0;

  // Takes the interface down and releases it (a kernel TUN interface that is
  // not persistent disappears). Idempotent; wakes Read(); returns once no
  // Read() or Write() uses the OS handle any more.
  virtual void Close() = 0;
};

// Creates a kernel interface (Linux: TUN in IFF_TUN | IFF_NO_PI |
// IFF_VNET_HDR mode, read offloads off, so Read() gets packets of at most
// the MTU),
// configured and up: MTU, alias, addresses (usable when this returns) and
// routes through it. A persistent TUN interface of that name that nobody has
// open is attached to and configured instead. Closing the returned object
// removes a non-persistent interface with everything configured on it. Errors:
// kPermissionDenied without CAP_NET_ADMIN; kUnavailable without a TUN driver
// (or on an OS without a backend: kUnimplemented); kAlreadyExists when
// kernel_name is taken by a non-TUN interface or by a TUN interface already in
// use, or when a configured route already exists; kInvalidArgument for a bad
// config (see validation.h). On error nothing is left behind. Messages name the
// failing call and the errno text. Thread-safe.
// Windows (tun_wintun.cc): a Wintun adapter named after the alias; without
// wintun.dll next to the program or in System32, kUnavailable (the CP facade
// answers ERROR_NOT_SUPPORTED); kPermissionDenied without Administrator
// rights.
absl::StatusOr<std::unique_ptr<VirtualInterface>> CreateKernelInterface(
    const InterfaceConfig& config);

}  // namespace natfwt::tun

#endif  // NATFWT_PLATFORM_TUN_VIRTUAL_INTERFACE_H_
