// Copyright 2026 The natfwt Authors.
//
// The Linux TUN backend: /dev/net/tun in IFF_TUN | IFF_NO_PI | IFF_VNET_HDR
// mode (whole IP packets behind a struct virtio_net_hdr, no
// packet-information prefix; Documentation/networking/tuntap.rst),
// configured over rtnetlink.
//
// The virtio_net_hdr lets one write carry a UDP GSO super-packet: Write()
// merges runs of UDP datagrams of one flow (udp_gso.h) and the kernel splits
// them again (Linux 6.2+), so a batch costs one system call per run instead
// of one per packet. Reads stay plain: read offloads are turned off
// (TUNSETOFFLOAD 0), so the kernel hands over whole packets of at most the
// MTU with complete checksums, and Read() strips the header.

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/logging.h"
#include "platform/base/status_macros.h"
#include "platform/tun/address_linux.h"
#include "platform/tun/errno_status.h"
#include "platform/tun/netlink_linux.h"
#include "platform/tun/netlink_socket_linux.h"
#include "platform/tun/udp_gso.h"
#include "platform/tun/unique_fd.h"
#include "platform/tun/validation.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::tun {
namespace {

// The kernel replaces %d by the lowest free number (dev_alloc_name()).
constexpr char kDefaultNamePattern[] = "cpnat%d";

// struct virtio_net_hdr comes from udp_gso.h (gso::VirtioNetHeader):
// <linux/virtio_net.h> does not compile as C++ (a field named `class`), and
// Debian 12's copy predates VIRTIO_NET_HDR_GSO_UDP_L4.

absl::Status Closed(const std::string& name) {
  return absl::CancelledError(absl::StrCat("interface ", name, " is closed"));
}

class KernelInterface final : public VirtualInterface {
 public:
  KernelInterface(UniqueFd tun, UniqueFd wake, UniqueFd interrupt,
                  std::string name, uint32_t index, uint32_t mtu)
      : tun_(std::move(tun)),
        wake_(std::move(wake)),
        interrupt_(std::move(interrupt)),
        name_(std::move(name)),
        index_(index),
        mtu_(mtu) {}
  ~KernelInterface() override { Close(); }

  const std::string& name() const override { return name_; }
  uint32_t mtu() const override { return mtu_; }
  uint32_t index() const override { return index_; }
  absl::StatusOr<size_t> Read(absl::Span<PacketBuffer> packets) override;
  absl::Status Write(absl::Span<const absl::Span<const uint8_t>> packets,
                     size_t* written) override;
  absl::Status AddAddress(const net::IpPrefix& address) override;
  absl::Status RemoveAddress(const net::IpPrefix& address) override;
  InterfaceStats stats() const override;
  void Interrupt() override;
  void Close() override;

 private:
  enum class ReadResult { kFilled, kDropped, kEmpty };

  // Registers one user of the descriptors; false once closed. Close() waits
  // for every user to Leave() before it closes them, so a descriptor number
  // is never reused under a running read() or write().
  bool Enter();
  void Leave();
  bool Idle() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return users_ == 0; }
  // True when the TUN is readable, false after Interrupt().
  absl::StatusOr<bool> WaitReadable();
  absl::StatusOr<size_t> Drain(absl::Span<PacketBuffer> packets);
  absl::StatusOr<ReadResult> ReadOne(PacketBuffer& slot);
  absl::Status WriteAll(absl::Span<const absl::Span<const uint8_t>> packets,
                        size_t* count);
  // One write() of `parts` (the virtio_net_hdr first; writev() when there
  // are several); EINTR retried. Returns errno, 0 on success.
  int WriteParts(const iovec* parts, size_t count);
  // Writes `packet` on its own behind an all-zero virtio_net_hdr.
  absl::Status WritePlain(absl::Span<const uint8_t> packet, size_t* count);
  // Writes `run` (CoalescableRun() accepted all of it, at least 2 packets)
  // as one super-packet. When the kernel refuses super-packets (EINVAL),
  // turns coalescing off and writes the run packet by packet.
  absl::Status WriteRun(absl::Span<const absl::Span<const uint8_t>> run,
                        size_t* count);
  absl::Status ChangeAddress(const net::IpPrefix& address, bool add);

  UniqueFd tun_;
  UniqueFd wake_;       // eventfd: Close() makes it readable to wake poll().
  UniqueFd interrupt_;  // eventfd: Interrupt() makes Read() return 0.
  const std::string name_;
  const uint32_t index_;
  const uint32_t mtu_;
  std::atomic<uint64_t> dropped_oversize_{0};
  std::atomic<uint64_t> dropped_offloaded_{0};
  std::atomic<uint64_t> gso_super_packets_{0};
  std::atomic<uint64_t> gso_packets_{0};
  // Cleared for good once the kernel refused a super-packet.
  std::atomic<bool> coalescing_{true};

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int users_ ABSL_GUARDED_BY(mu_) = 0;
};

InterfaceStats KernelInterface::stats() const {
  return {
      .dropped_oversize = dropped_oversize_.load(std::memory_order_relaxed),
      .dropped_offloaded = dropped_offloaded_.load(std::memory_order_relaxed),
      .gso_super_packets = gso_super_packets_.load(std::memory_order_relaxed),
      .gso_packets = gso_packets_.load(std::memory_order_relaxed),
  };
}

bool KernelInterface::Enter() {
  absl::MutexLock lock(&mu_);
  if (closed_) return false;
  ++users_;
  return true;
}

void KernelInterface::Leave() {
  absl::MutexLock lock(&mu_);
  --users_;
}

absl::StatusOr<size_t> KernelInterface::Read(absl::Span<PacketBuffer> packets) {
  NATFWT_RETURN_IF_ERROR(ValidateReadBuffers(packets));
  packets = packets.subspan(0, std::min(packets.size(), kBatchSize));
  if (!Enter()) return Closed(name_);
  absl::Cleanup leave = [this] { Leave(); };
  while (true) {
    NATFWT_ASSIGN_OR_RETURN(bool readable, WaitReadable());
    if (!readable) return 0;  // Interrupt()
    NATFWT_ASSIGN_OR_RETURN(size_t filled, Drain(packets));
    // Zero: only oversize packets (or a spurious wakeup); wait again.
    if (filled > 0) return filled;
  }
}

absl::StatusOr<bool> KernelInterface::WaitReadable() {
  pollfd fds[3] = {{tun_.get(), POLLIN, 0},
                   {wake_.get(), POLLIN, 0},
                   {interrupt_.get(), POLLIN, 0}};
  while (true) {
    int ready = poll(fds, 3, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return MapErrno(errno, absl::StrCat("poll on ", name_));
    if (fds[1].revents != 0) return Closed(name_);
    if (fds[2].revents != 0) {
      uint64_t count;
      (void)!read(interrupt_.get(), &count, sizeof(count));  // Resets it.
      return false;
    }
    // POLLIN, or POLLERR once the interface is gone: read() says which.
    if (fds[0].revents != 0) return true;
  }
}

void KernelInterface::Interrupt() {
  if (!Enter()) return;
  uint64_t one = 1;
  (void)!write(interrupt_.get(), &one, sizeof(one));
  Leave();
}

absl::StatusOr<size_t> KernelInterface::Drain(
    absl::Span<PacketBuffer> packets) {
  size_t filled = 0;
  while (filled < packets.size()) {
    absl::StatusOr<ReadResult> result = ReadOne(packets[filled]);
    // Hand out what was read; the error comes back on the next call.
    if (!result.ok()) {
      if (filled > 0) return filled;
      return result.status();
    }
    if (*result == ReadResult::kEmpty) break;
    if (*result == ReadResult::kFilled) ++filled;
  }
  return filled;
}

absl::StatusOr<KernelInterface::ReadResult> KernelInterface::ReadOne(
    PacketBuffer& slot) {
  // Every packet comes behind a virtio_net_hdr (IFF_VNET_HDR). The scratch
  // byte makes a packet longer than the slot show up as a longer read:
  // tun_put_user() (drivers/net/tun.c) copies what fits and returns the
  // packet's full length, so it is never silently truncated.
  gso::VirtioNetHeader header;
  uint8_t scratch = 0;
  iovec parts[3] = {
      {&header, sizeof(header)}, {slot.data, slot.capacity}, {&scratch, 1}};
  ssize_t length;
  do {
    length = readv(tun_.get(), parts, 3);
  } while (length < 0 && errno == EINTR);
  if (length < 0 && errno == EAGAIN) return ReadResult::kEmpty;
  // EBADFD: the interface was deleted under us (tun_chr_read_iter()).
  if (length < 0) return MapErrno(errno, absl::StrCat("read from ", name_));
  if (length == 0) {
    return absl::UnavailableError(
        absl::StrCat("read from ", name_, ": end of file"));
  }
  if (static_cast<size_t>(length) < sizeof(header)) {
    return absl::InternalError(absl::StrCat("read from ", name_, ": ", length,
                                            " bytes, no virtio_net_hdr"));
  }
  // Offloads are off (TUNSETOFFLOAD 0), so the kernel should finish every
  // packet; a GSO super-packet or an unfinished checksum is never handed on.
  if (header.gso_type != gso::kGsoNone ||
      (header.flags & gso::kFlagNeedsCsum) != 0) {
    dropped_offloaded_.fetch_add(1, std::memory_order_relaxed);
    return ReadResult::kDropped;
  }
  size_t size = static_cast<size_t>(length) - sizeof(header);
  if (size > slot.capacity) {
    dropped_oversize_.fetch_add(1, std::memory_order_relaxed);
    return ReadResult::kDropped;
  }
  slot.size = size;
  return ReadResult::kFilled;
}

absl::Status KernelInterface::Write(
    absl::Span<const absl::Span<const uint8_t>> packets, size_t* written) {
  size_t count = 0;
  absl::Status status = WriteAll(packets, &count);
  if (written != nullptr) *written = count;
  return status;
}

absl::Status KernelInterface::WriteAll(
    absl::Span<const absl::Span<const uint8_t>> packets, size_t* count) {
  if (!Enter()) return Closed(name_);
  absl::Cleanup leave = [this] { Leave(); };
  while (*count < packets.size()) {
    absl::Span<const uint8_t> packet = packets[*count];
    if (!IsWellFormedPacket(packet))
      return MalformedPacketError(packet, *count);
    // A run holds only well-formed UDP packets, so a malformed packet
    // further on is still refused with every packet before it written.
    size_t run = coalescing_.load(std::memory_order_relaxed)
                     ? gso::CoalescableRun(packets.subspan(*count))
                     : 1;
    NATFWT_RETURN_IF_ERROR(run >= 2
                               ? WriteRun(packets.subspan(*count, run), count)
                               : WritePlain(packet, count));
  }
  return absl::OkStatus();
}

int KernelInterface::WriteParts(const iovec* parts, size_t count) {
  ssize_t sent;
  do {
    sent = count == 1 ? write(tun_.get(), parts[0].iov_base, parts[0].iov_len)
                      : writev(tun_.get(), parts, static_cast<int>(count));
  } while (sent < 0 && errno == EINTR);
  // The TUN driver takes a whole packet or none (tun_get_user()).
  return sent < 0 ? errno : 0;
}

absl::Status KernelInterface::WritePlain(absl::Span<const uint8_t> packet,
                                         size_t* count) {
  // All zero: no offload; the kernel checks the packet's checksums itself.
  static const gso::VirtioNetHeader kPlain{};
  iovec parts[2] = {
      {const_cast<gso::VirtioNetHeader*>(&kPlain), sizeof(kPlain)},
      {const_cast<uint8_t*>(packet.data()), packet.size()}};
  // Implementation choice: a packet of up to kCopyLimit bytes is copied
  // behind the header on the stack and goes in one plain write(): measured
  // with tun_write_bench (1280-byte packets, one per Write()), writev() of
  // the two parts cost a few percent more per packet than the copy (iovec
  // import and iteration).
  constexpr size_t kCopyLimit = 2048 - sizeof(kPlain);
  uint8_t joined[sizeof(kPlain) + kCopyLimit];
  if (packet.size() <= kCopyLimit) {
    std::memcpy(joined, &kPlain, sizeof(kPlain));
    std::memcpy(joined + sizeof(kPlain), packet.data(), packet.size());
    parts[0] = {joined, sizeof(kPlain) + packet.size()};
  }
  size_t part_count = packet.size() <= kCopyLimit ? 1 : 2;
  if (int error = WriteParts(parts, part_count); error != 0) {
    // EAGAIN maps to kResourceExhausted, EIO (link down) to kUnavailable.
    return MapErrno(error,
                    absl::StrCat("write of packet ", *count, " to ", name_));
  }
  ++*count;
  return absl::OkStatus();
}

absl::Status KernelInterface::WriteRun(
    absl::Span<const absl::Span<const uint8_t>> run, size_t* count) {
  std::optional<gso::SuperPacket> super = gso::BuildSuperPacket(run);
  if (!super.has_value()) {  // Cannot happen for an accepted run.
    return absl::InternalError("UDP GSO run without super-packet headers");
  }
  // [virtio_net_hdr][IP + UDP header][payload 1]...[payload n]: the
  // payloads stay where the caller has them.
  iovec parts[2 + gso::kMaxSegments];
  parts[0] = {&super->vnet, sizeof(super->vnet)};
  parts[1] = {super->headers.data(), super->header_bytes};
  for (size_t i = 0; i < run.size(); ++i) {
    parts[2 + i] = {const_cast<uint8_t*>(run[i].data()) + super->header_bytes,
                    run[i].size() - super->header_bytes};
  }
  int error = WriteParts(parts, 2 + run.size());
  if (error == 0) {
    *count += run.size();
    gso_super_packets_.fetch_add(1, std::memory_order_relaxed);
    gso_packets_.fetch_add(run.size(), std::memory_order_relaxed);
    return absl::OkStatus();
  }
  if (error != EINVAL) {
    return MapErrno(
        error, absl::StrCat("write of packets ", *count, "-",
                            *count + run.size() - 1, " (UDP GSO) to ", name_));
  }
  // virtio_net_hdr_to_skb() knows VIRTIO_NET_HDR_GSO_UDP_L4 from Linux 6.2
  // on; older kernels answer EINVAL. Plain writes work everywhere.
  if (coalescing_.exchange(false)) {
    NATFWT_LOG(kInfo) << "TUN " << name_
                      << ": the kernel refused a UDP GSO super-packet (EINVAL);"
                         " writing packets one by one from now on";
  }
  for (absl::Span<const uint8_t> packet : run) {
    NATFWT_RETURN_IF_ERROR(WritePlain(packet, count));
  }
  return absl::OkStatus();
}

absl::Status KernelInterface::ChangeAddress(const net::IpPrefix& address,
                                            bool add) {
  NATFWT_RETURN_IF_ERROR(add ? ValidateAddress(address, mtu_)
                             : ValidatePrefix(address));
  if (!Enter()) return Closed(name_);
  absl::Cleanup leave = [this] { Leave(); };
  NATFWT_ASSIGN_OR_RETURN(NetlinkSocket socket, NetlinkSocket::Open());
  return add ? AddLinkAddress(socket, index_, name_, address)
             : RemoveLinkAddress(socket, index_, name_, address);
}

absl::Status KernelInterface::AddAddress(const net::IpPrefix& address) {
  return ChangeAddress(address, /*add=*/true);
}

absl::Status KernelInterface::RemoveAddress(const net::IpPrefix& address) {
  return ChangeAddress(address, /*add=*/false);
}

void KernelInterface::Close() {
  absl::MutexLock lock(&mu_);
  if (!closed_) {
    closed_ = true;
    uint64_t one = 1;
    // Cannot fail: the counter is far from overflowing.
    (void)!write(wake_.get(), &one, sizeof(one));
  }
  mu_.Await(absl::Condition(this, &KernelInterface::Idle));
  if (!tun_.valid()) return;
  tun_.Reset();  // A non-persistent TUN interface disappears with its fd.
  wake_.Reset();
  interrupt_.Reset();
  NATFWT_LOG(kInfo) << "closed TUN interface " << name_;
}

absl::StatusOr<UniqueFd> OpenTunDevice() {
  UniqueFd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
  if (fd.valid()) return fd;
  int error = errno;
  absl::Status status = MapErrno(error, "open /dev/net/tun");
  if (error == ENOENT || error == ENODEV || error == ENXIO) {
    return absl::UnavailableError(
        absl::StrCat(status.message(), " (is the tun module loaded?)"));
  }
  return status;
}

// TUNSETIFF: creates the interface (or attaches to a persistent one of that
// name). Returns the name the kernel chose.
absl::StatusOr<std::string> AttachTun(int fd, const std::string& requested) {
  std::string pattern = requested.empty() ? kDefaultNamePattern : requested;
  ifreq request{};
  // Later (offloads issue): | IFF_MULTI_QUEUE, one descriptor per queue.
  // Attaching to a persistent interface takes these flags over as well
  // (tun_set_iff()).
  request.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
  std::memcpy(request.ifr_name, pattern.data(),
              std::min(pattern.size(), sizeof(request.ifr_name) - 1));
  if (ioctl(fd, TUNSETIFF, &request) == 0) return std::string(request.ifr_name);
  int error = errno;
  std::string call = absl::StrCat("ioctl(TUNSETIFF, \"", pattern, "\")");
  // tun_set_iff() answers EINVAL when the name belongs to another kind of
  // interface; EBUSY (mapped to kAlreadyExists) when a TUN one is in use.
  if (error == EINVAL && if_nametoindex(pattern.c_str()) != 0) {
    return absl::AlreadyExistsError(absl::StrCat(
        call, ": ", std::strerror(error), " (taken by a non-TUN interface)"));
  }
  return MapErrno(error, call);
}

// Sets the virtio_net_hdr up as the backend uses it. Explicit, because a
// persistent interface keeps what an earlier user set: the header size
// (TUNSETVNETHDRSZ; 12 for virtio_net_hdr_mrg_rxbuf would shift every
// packet) and the read offloads (TUNSETOFFLOAD: with TUN_F_CSUM or TSO/USO
// the kernel would hand over unfinished checksums and super-packets larger
// than the MTU). Writes need no offload flag: the kernel accepts GSO
// packets from user space whatever TUNSETOFFLOAD says.
absl::Status SetUpVnetHeader(int fd, const std::string& name) {
  int size = sizeof(gso::VirtioNetHeader);
  if (ioctl(fd, TUNSETVNETHDRSZ, &size) != 0) {
    return MapErrno(
        errno, absl::StrCat("ioctl(TUNSETVNETHDRSZ, ", size, ") on ", name));
  }
  int got = 0;
  if (ioctl(fd, TUNGETVNETHDRSZ, &got) != 0) {
    return MapErrno(errno, absl::StrCat("ioctl(TUNGETVNETHDRSZ) on ", name));
  }
  if (got != size) {
    return absl::InternalError(absl::StrCat(name, ": virtio_net_hdr size is ",
                                            got, " after setting ", size));
  }
  if (ioctl(fd, TUNSETOFFLOAD, 0UL) != 0) {
    return MapErrno(errno, absl::StrCat("ioctl(TUNSETOFFLOAD, 0) on ", name));
  }
  return absl::OkStatus();
}

absl::Status ConfigureLink(uint32_t index, const std::string& name,
                           const InterfaceConfig& config) {
  NATFWT_ASSIGN_OR_RETURN(NetlinkSocket socket, NetlinkSocket::Open());
  NATFWT_RETURN_IF_ERROR(socket.Transact(
      netlink::BuildSetMtu(index, config.mtu, socket.NextSequence()),
      absl::StrCat("RTM_NEWLINK IFLA_MTU ", config.mtu, " on ", name)));
  if (!config.alias.empty()) {
    NATFWT_RETURN_IF_ERROR(socket.Transact(
        netlink::BuildSetAlias(index, config.alias, socket.NextSequence()),
        absl::StrCat("RTM_NEWLINK IFLA_IFALIAS on ", name)));
  }
  // Up before routes: IPv4 refuses a route through a link that is down.
  NATFWT_RETURN_IF_ERROR(
      socket.Transact(netlink::BuildSetUp(index, socket.NextSequence()),
                      absl::StrCat("RTM_NEWLINK IFF_UP on ", name)));
  for (const net::IpPrefix& address : config.addresses) {
    NATFWT_RETURN_IF_ERROR(AddLinkAddress(socket, index, name, address));
  }
  for (const net::IpPrefix& route : config.routes) {
    NATFWT_RETURN_IF_ERROR(socket.Transact(
        netlink::BuildAddRoute(index, route, socket.NextSequence()),
        absl::StrCat("RTM_NEWROUTE ", route.Network().ToString(), " dev ",
                     name)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<VirtualInterface>> CreateKernelInterface(
    const InterfaceConfig& config) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceConfig(config));
  UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return MapErrno(errno, "eventfd");
  UniqueFd interrupt(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!interrupt.valid()) return MapErrno(errno, "eventfd");
  NATFWT_ASSIGN_OR_RETURN(UniqueFd tun, OpenTunDevice());
  NATFWT_ASSIGN_OR_RETURN(std::string name,
                          AttachTun(tun.get(), config.kernel_name));
  NATFWT_RETURN_IF_ERROR(SetUpVnetHeader(tun.get(), name));
  uint32_t index = if_nametoindex(name.c_str());
  if (index == 0) return MapErrno(errno, absl::StrCat("if_nametoindex ", name));
  // On error `tun` closes here and takes the half-configured interface along.
  NATFWT_RETURN_IF_ERROR(ConfigureLink(index, name, config));
  NATFWT_LOG(kInfo) << "created TUN interface " << name << " (index " << index
                    << ", MTU " << config.mtu << ", " << config.addresses.size()
                    << " addresses, " << config.routes.size() << " routes)";
  return std::make_unique<KernelInterface>(std::move(tun), std::move(wake),
                                           std::move(interrupt),
                                           std::move(name), index, config.mtu);
}

}  // namespace natfwt::tun
