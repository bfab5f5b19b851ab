// Copyright 2026 The natfwt Authors.
//
// The Linux TUN backend: /dev/net/tun in IFF_TUN | IFF_NO_PI mode (whole IP
// packets, no packet-information prefix; Documentation/networking/tuntap.rst),
// configured over rtnetlink.

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
#include <cstring>

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
#include "platform/tun/unique_fd.h"
#include "platform/tun/validation.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::tun {
namespace {

// The kernel replaces %d by the lowest free number (dev_alloc_name()).
constexpr char kDefaultNamePattern[] = "cpnat%d";

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
  InterfaceStats stats() const override {
    return {.dropped_oversize =
                dropped_oversize_.load(std::memory_order_relaxed)};
  }
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
  absl::Status ChangeAddress(const net::IpPrefix& address, bool add);

  UniqueFd tun_;
  UniqueFd wake_;       // eventfd: Close() makes it readable to wake poll().
  UniqueFd interrupt_;  // eventfd: Interrupt() makes Read() return 0.
  const std::string name_;
  const uint32_t index_;
  const uint32_t mtu_;
  std::atomic<uint64_t> dropped_oversize_{0};

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  int users_ ABSL_GUARDED_BY(mu_) = 0;
};

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
  // The scratch byte makes a packet longer than the slot show up as a longer
  // read: tun_put_user() (drivers/net/tun.c) copies what fits and returns
  // the packet's full length, so it is never silently truncated.
  uint8_t scratch = 0;
  iovec parts[2] = {{slot.data, slot.capacity}, {&scratch, 1}};
  ssize_t length;
  do {
    length = readv(tun_.get(), parts, 2);
  } while (length < 0 && errno == EINTR);
  if (length < 0 && errno == EAGAIN) return ReadResult::kEmpty;
  // EBADFD: the interface was deleted under us (tun_chr_read_iter()).
  if (length < 0) return MapErrno(errno, absl::StrCat("read from ", name_));
  if (length == 0) {
    return absl::UnavailableError(
        absl::StrCat("read from ", name_, ": end of file"));
  }
  if (static_cast<size_t>(length) > slot.capacity) {
    dropped_oversize_.fetch_add(1, std::memory_order_relaxed);
    return ReadResult::kDropped;
  }
  slot.size = static_cast<size_t>(length);
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
  for (absl::Span<const uint8_t> packet : packets) {
    if (!IsWellFormedPacket(packet))
      return MalformedPacketError(packet, *count);
    // One write() per packet. Later (offloads issue): IFF_VNET_HDR lets one
    // write carry a GSO super-packet behind a virtio_net_hdr, and
    // IFF_MULTI_QUEUE gives one descriptor per queue; both change this loop.
    ssize_t sent;
    do {
      sent = write(tun_.get(), packet.data(), packet.size());
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
      // EAGAIN maps to kResourceExhausted, EIO (link down) to kUnavailable.
      return MapErrno(errno,
                      absl::StrCat("write of packet ", *count, " to ", name_));
    }
    ++*count;
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
  // Later (offloads issue): | IFF_VNET_HDR | IFF_MULTI_QUEUE.
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
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
