// Copyright 2026 The natfwt Authors.
//
// cp_bench: what the Connectivity Platform runtime costs on top of the kernel
// TUN device, in one run on the same machine (issue: "the runtime costs under
// 10% of raw TUN throughput at 1280-byte packets").
//
//   outbound  raw:     UDP sender -> kernel -> TUN Read() batches, counted
//             runtime: UDP sender -> kernel -> runtime reader -> data thread
//                      -> REACH (cached) -> SEND_BUFFERS -> null provider
//   inbound   raw:     TUN Write() of 1280-byte packets -> kernel -> UDP sink
//             runtime: CPNatfwtIndicateReceivedBuffers -> validation -> TUN
//                      write -> kernel -> UDP sink
//             --completion adds: the same with a completion routine: the
//                      call validates and pends, the instance's indicate
//                      thread writes batches and completes them (counted
//                      when completed with S_OK); also prints packets per
//                      Write() and queue-full refusals.
//
// Needs CAP_NET_ADMIN; runs in a private network namespace of its own
// (unshare), so nothing appears on the host. Prints packets/s, Gb/s and the
// runtime/raw ratio for each direction. Exit 77 without privileges.
//
//   cp_bench [--seconds N] [--completion]

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "facade/runtime/hresult.h"
#include "facade/runtime/runtime.h"
#include "platform/sys/host_probe.h"
#include "platform/tun/virtual_interface.h"
#include "tests/platform/tun/loopback_up.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/temp_dir.h"

namespace natfwt::cp {
namespace {

constexpr size_t kPacketSize = 1280;  // IPv6 header 40 + UDP 8 + payload.
constexpr size_t kPayload = kPacketSize - 48;
const net::IpAddress kPeer = *net::IpAddress::Parse("fd99::2");

struct Figures {
  double packets_per_second = 0;
  double gbits_per_second() const {
    return packets_per_second * kPacketSize * 8 / 1e9;
  }
};

void Print(const char* what, const Figures& figures) {
  std::printf("  %-44s %10.0f packets/s %7.2f Gb/s\n", what,
              figures.packets_per_second, figures.gbits_per_second());
}

sockaddr_in6 SocketAddress(const net::IpAddress& address, uint16_t port) {
  sockaddr_in6 out{};
  out.sin6_family = AF_INET6;
  out.sin6_port = htons(port);
  std::memcpy(&out.sin6_addr, address.bytes().data(), 16);
  return out;
}

// Sends 1232-byte UDP payloads from `source` to kPeer until `stop`.
void Pump(const net::IpAddress& source, const std::atomic<bool>& stop) {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 local = SocketAddress(source, 0);
  bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local));
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  sockaddr_in6 peer = SocketAddress(kPeer, 9);
  std::vector<uint8_t> payload(kPayload, 0x5a);
  constexpr int kBatch = 64;
  mmsghdr messages[kBatch] = {};
  iovec vectors[kBatch];
  for (int i = 0; i < kBatch; ++i) {
    vectors[i] = {payload.data(), payload.size()};
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &peer;
    messages[i].msg_hdr.msg_namelen = sizeof(peer);
  }
  while (!stop.load(std::memory_order_relaxed))
    sendmmsg(fd, messages, kBatch, 0);
  close(fd);
}

// Drains a UDP socket bound to `address`:`port` until `stop`.
void Sink(int fd, const std::atomic<bool>& stop) {
  std::vector<uint8_t> buffer(2048);
  timeval timeout{0, 100000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  while (!stop.load(std::memory_order_relaxed))
    recv(fd, buffer.data(), buffer.size(), 0);
}

int BoundSocket(const net::IpAddress& address, uint16_t port) {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 local = SocketAddress(address, port);
  int size = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    std::perror("bind");
  }
  return fd;
}

Figures RawOutbound(absl::Duration duration) {
  const net::IpAddress local = *net::IpAddress::Parse("fd00::1");
  tun::InterfaceConfig config;
  config.addresses = {{local, 128}};
  config.routes = {*net::IpPrefix::Parse("fd99::/64")};
  auto iface = tun::CreateKernelInterface(config);
  if (!iface.ok()) {
    std::fprintf(stderr, "TUN: %s\n",
                 std::string(iface.status().message()).c_str());
    return {};
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> count{0};
  std::thread reader([&] {
    std::vector<std::vector<uint8_t>> storage(64, std::vector<uint8_t>(2048));
    std::vector<tun::PacketBuffer> buffers(64);
    while (true) {
      for (size_t i = 0; i < buffers.size(); ++i)
        buffers[i] = {storage[i].data(), 2048, 0};
      absl::StatusOr<size_t> n = (*iface)->Read(absl::MakeSpan(buffers));
      if (!n.ok()) return;
      count.fetch_add(*n, std::memory_order_relaxed);
    }
  });
  std::thread pump([&] { Pump(local, stop); });
  absl::SleepFor(
      absl::Milliseconds(200));  // Warm-up (a benchmark, not a test).
  uint64_t start_count = count.load();
  absl::Time start = absl::Now();
  absl::SleepFor(duration);
  double pps =
      (count.load() - start_count) / absl::ToDoubleSeconds(absl::Now() - start);
  stop = true;
  pump.join();
  (*iface)->Close();
  reader.join();
  return {pps};
}

Figures RawInbound(absl::Duration duration) {
  const net::IpAddress local = *net::IpAddress::Parse("fd00::1");
  tun::InterfaceConfig config;
  config.addresses = {{local, 128}};
  config.routes = {*net::IpPrefix::Parse("fd99::/64")};
  auto iface = tun::CreateKernelInterface(config);
  if (!iface.ok()) return {};
  int sink_fd = BoundSocket(local, 7000);
  std::atomic<bool> stop{false};
  std::thread sink([&] { Sink(sink_fd, stop); });
  std::vector<uint8_t> packet = tun::testing::BuildUdpPacket(
      {kPeer, 9}, {local, 7000}, std::vector<uint8_t>(kPayload, 0x33));
  absl::Span<const uint8_t> one(packet);
  uint64_t count = 0;
  absl::Time start = absl::Now();
  absl::Time end = start + duration;
  while (absl::Now() < end) {
    for (int i = 0; i < 256; ++i) {
      if ((*iface)->Write({&one, 1}).ok()) ++count;
    }
  }
  double pps = count / absl::ToDoubleSeconds(absl::Now() - start);
  stop = true;
  sink.join();
  close(sink_fd);
  (*iface)->Close();
  return {pps};
}

// The null provider of the benchmark: every destination reachable, every
// packet accepted and dropped.
std::atomic<uint64_t> g_sent{0};
absl::Notification* g_added = nullptr;
net::IpAddress g_local;

VOID CALLBACK NullEstablish(CPNATFWT_PROVIDER_INSTANCE, PVOID) {}
VOID CALLBACK NullTerminate(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                            CPNATFWT_SESSION_TERMINATION_REASON) {}
HRESULT CALLBACK NullTransition(CPNATFWT_PROVIDER_INSTANCE, PVOID, PVOID,
                                CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return S_OK;
}
HRESULT CALLBACK NullAdd(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                         CPNATFWT_TRANSPORT_ID* id, PVOID,
                         CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  g_local = *net::IpAddress::FromBytes({id->transportId, id->size});
  if (g_added != nullptr && !g_added->HasBeenNotified()) g_added->Notify();
  return S_OK;
}
HRESULT CALLBACK NullReach(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                           CPNATFWT_TRANSPORT_ID*, PVOID,
                           CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  return S_OK;
}
HRESULT CALLBACK NullSend(CPNATFWT_PROVIDER_INSTANCE, PVOID,
                          CPNATFWT_TRANSPORT_ID*, CPNATFWT_TRANSPORT_ID*,
                          UINT64, CPNATFWT_BUFFER*, PVOID,
                          CPNATFWT_PLATFORM_COMPLETION_ROUTINE) {
  g_sent.fetch_add(1, std::memory_order_relaxed);
  return S_OK;
}

struct RuntimeFigures {
  Figures outbound;
  Figures inbound;
  Figures inbound_pended;  // --completion
  double packets_per_write = 0;
  uint64_t queue_full = 0;
};

// One pended indication's buffer chain: busy from the call until its
// completion (the runtime owns it meanwhile, spec 7.2).
struct PendedSlot {
  CPNATFWT_BUFFER chain{};
  std::atomic<bool> busy{false};
};
std::atomic<uint64_t> g_completed_ok{0};

VOID CALLBACK OnIndicated(CPNATFWT_PROVIDER_INSTANCE, PVOID, PVOID context,
                          CPNATFWT_BUFFER*, HRESULT status) {
  if (status == S_OK) g_completed_ok.fetch_add(1, std::memory_order_relaxed);
  static_cast<PendedSlot*>(context)->busy.store(false,
                                                std::memory_order_release);
}

// Indicates `chain`'s packet with a completion routine for `duration` from
// one thread, through more slots than the runtime queues, so the thread
// waits for a slot only when the runtime falls behind. Returns completed
// packets per second.
Figures InboundPended(Runtime& runtime, CPNATFWT_PROVIDER_INSTANCE instance,
                      CPNATFWT_TRANSPORT_ID* local_id,
                      CPNATFWT_TRANSPORT_ID* peer_id,
                      const CPNATFWT_BUFFER& chain, absl::Duration duration) {
  std::vector<PendedSlot> slots(4096);
  for (PendedSlot& slot : slots) slot.chain = chain;
  size_t next = 0;
  uint64_t start_count = g_completed_ok.load();
  absl::Time start = absl::Now();
  absl::Time end = start + duration;
  while (absl::Now() < end) {
    for (int i = 0; i < 256; ++i) {
      PendedSlot& slot = slots[next];
      if (slot.busy.load(std::memory_order_acquire)) {
        std::this_thread::yield();  // The runtime is behind.
        continue;
      }
      slot.busy.store(true, std::memory_order_relaxed);
      absl::StatusOr<bool> pended = runtime.IndicateReceivedBuffers(
          instance, local_id, peer_id, &slot.chain, &slot, &OnIndicated);
      if (!pended.ok() || !*pended) {
        slot.busy.store(false, std::memory_order_relaxed);
        std::this_thread::yield();  // Queue full: let the writer run.
        continue;
      }
      next = (next + 1) % slots.size();
    }
  }
  double pps = (g_completed_ok.load() - start_count) /
               absl::ToDoubleSeconds(absl::Now() - start);
  // Every slot back before they go away.
  for (PendedSlot& slot : slots) {
    while (slot.busy.load(std::memory_order_acquire)) std::this_thread::yield();
  }
  return {pps};
}

RuntimeFigures ThroughRuntime(absl::Duration duration,
                              const std::string& state_dir, bool completion) {
  RuntimeOptions options;
  options.state_dir = state_dir;
  options.interface_factory = tun::CreateKernelInterface;
  options.enforce_sddl = false;
  Runtime runtime(std::move(options));
  CPNATFWT_PROVIDER_CALLBACKS callbacks{};
  callbacks.version = CPNATFWT_PROVIDER_CALLBACKS_VERSION_1;
  callbacks.size = sizeof(callbacks);
  callbacks.establishSessionIndication = NullEstablish;
  callbacks.terminateSessionIndication = NullTerminate;
  callbacks.transitionActive = NullTransition;
  callbacks.addTransportId = NullAdd;
  callbacks.reachTransportId = NullReach;
  callbacks.sendBuffers = NullSend;
  absl::Notification added;
  g_added = &added;
  CPNATFWT_PROVIDER_INSTANCE instance;
  if (!runtime.Create(&callbacks, nullptr, &instance).ok()) return {};
  absl::Status registered =
      runtime.Register(instance, nullptr, nullptr, 0, nullptr);
  if (!registered.ok()) {
    std::fprintf(stderr, "Register: %s\n",
                 std::string(registered.message()).c_str());
    return {};
  }
  added.WaitForNotification();
  RuntimeFigures figures;

  std::atomic<bool> stop{false};
  std::thread pump([&] { Pump(g_local, stop); });
  absl::SleepFor(absl::Milliseconds(200));
  uint64_t start_count = g_sent.load();
  absl::Time start = absl::Now();
  absl::SleepFor(duration);
  figures.outbound.packets_per_second =
      (g_sent.load() - start_count) /
      absl::ToDoubleSeconds(absl::Now() - start);
  stop = true;
  pump.join();

  int sink_fd = BoundSocket(g_local, 7000);
  std::atomic<bool> sink_stop{false};
  std::thread sink([&] { Sink(sink_fd, sink_stop); });
  std::vector<uint8_t> packet = tun::testing::BuildUdpPacket(
      {kPeer, 9}, {g_local, 7000}, std::vector<uint8_t>(kPayload, 0x33));
  std::vector<uint8_t> local_bytes(g_local.bytes().begin(),
                                   g_local.bytes().end());
  std::vector<uint8_t> peer_bytes(kPeer.bytes().begin(), kPeer.bytes().end());
  CPNATFWT_TRANSPORT_ID local_id{16, local_bytes.data()};
  CPNATFWT_TRANSPORT_ID peer_id{16, peer_bytes.data()};
  CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(packet.size()),
                        packet.data()};
  uint64_t count = 0;
  start = absl::Now();
  absl::Time end = start + duration;
  while (absl::Now() < end) {
    for (int i = 0; i < 256; ++i) {
      if (runtime.IndicateReceived(instance, &local_id, &peer_id, &chain).ok())
        ++count;
    }
  }
  figures.inbound.packets_per_second =
      count / absl::ToDoubleSeconds(absl::Now() - start);
  if (completion) {
    figures.inbound_pended =
        InboundPended(runtime, instance, &local_id, &peer_id, chain, duration);
    absl::StatusOr<InstanceInfo> info = runtime.Describe(instance);
    if (info.ok() && info->stats.indicate_writes > 0) {
      figures.packets_per_write =
          static_cast<double>(info->stats.indications_pended) /
          info->stats.indicate_writes;
      figures.queue_full = info->stats.indicate_queue_full;
    }
  }
  sink_stop = true;
  sink.join();
  close(sink_fd);
  (void)runtime.Deregister(instance);
  (void)runtime.Destroy(instance);
  g_added = nullptr;
  return figures;
}

int Main(int argc, char** argv) {
  absl::Duration duration = absl::Seconds(2);
  bool completion = false;
  for (int i = 1; i < argc; ++i) {
    int seconds;
    if (std::string(argv[i]) == "--completion") completion = true;
    if (std::string(argv[i]) == "--seconds" && i + 1 < argc &&
        absl::SimpleAtoi(argv[i + 1], &seconds)) {
      duration = absl::Seconds(seconds);
    }
  }
  if (!sys::ProbeNetAdmin().ok || unshare(CLONE_NEWNET) != 0 ||
      !natfwt::tun::testing::BringLoopbackUp().empty()) {
    std::fprintf(stderr,
                 "cp_bench: needs CAP_NET_ADMIN and network namespaces\n");
    return 77;
  }
  absl::StatusOr<natfwt::testing::TempDir> dir =
      natfwt::testing::TempDir::Create("cp-bench");
  if (!dir.ok()) return 1;
  std::printf(
      "cp_bench: %zu-byte IPv6/UDP packets, %s per measurement, private "
      "netns\n",
      kPacketSize, absl::FormatDuration(duration).c_str());
  Figures raw_out = RawOutbound(duration);
  Figures raw_in = RawInbound(duration);
  RuntimeFigures through = ThroughRuntime(duration, dir->path(), completion);
  std::printf("outbound (interface -> provider):\n");
  Print("raw TUN Read() batches", raw_out);
  Print("runtime: TUN -> REACH cache -> SEND_BUFFERS", through.outbound);
  std::printf("  ratio runtime/raw: %.2f\n",
              through.outbound.packets_per_second / raw_out.packets_per_second);
  std::printf("inbound (provider -> interface):\n");
  Print("raw TUN Write()", raw_in);
  Print("runtime: IndicateReceivedBuffers -> TUN", through.inbound);
  std::printf("  ratio runtime/raw: %.2f\n",
              through.inbound.packets_per_second / raw_in.packets_per_second);
  if (completion) {
    Print("runtime: pended, batched (indicate thread)", through.inbound_pended);
    std::printf(
        "  ratio runtime/raw: %.2f (%.1f packets per Write(), %llu "
        "refused: queue full)\n",
        through.inbound_pended.packets_per_second / raw_in.packets_per_second,
        through.packets_per_write,
        static_cast<unsigned long long>(through.queue_full));
  }
  return 0;
}

}  // namespace
}  // namespace natfwt::cp

int main(int argc, char** argv) { return natfwt::cp::Main(argc, argv); }
