// Copyright 2026 The natfwt Authors.
//
// provider_bench: what the ICE provider costs per packet, against a
// FakeNode that only counts (no crypto, no sockets), in packets per second.
//
//   send_provider   SEND_BUFFERS called directly in a loop (as the CP's
//                   packet thread does), through the SendPump, to
//                   FakeNode::SendPackets: the provider alone.
//   send_cp         packets an application writes into the interface: the
//                   CP runtime reads them (in-memory backend), REACH once,
//                   SEND_BUFFERS, SendPump, FakeNode.
//   receive_cp      batches of 64 from a peer (PacketSink::OnPackets):
//                   owner check, CPNatfwtIndicateReceivedBuffers per
//                   packet, the runtime's checks, the in-memory interface.
//   receive_direct  the same packets handed to the runtime's
//                   IndicateReceived directly, without the provider: the
//                   baseline for receive_cp.
//
// `meson test -C BUILD --benchmark provider_bench`, or by hand:
//   provider_bench [--packets N] [--size BYTES]
// The machine is shared: numbers are indicative, not stable.

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/provider/ice_provider.h"
#include "facade/runtime/runtime.h"
#include "platform/tun/memory_interface.h"
#include "tests/engine/provider/fake_node.h"
#include "tests/engine/provider/runtime_api.h"
#include "tests/platform/tun/udp_packet.h"
#include "tests/support/temp_dir.h"

namespace natfwt::provider::testing {
namespace {

const std::string kPeer(64, 'a');

net::IpAddress PeerId() {
  return net::IpAddress::V6(
      {0xfd, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2});
}

void Report(const char* name, uint64_t packets, absl::Duration elapsed,
            const std::string& extra = "") {
  double seconds = absl::ToDoubleSeconds(elapsed);
  std::printf("%-15s %9llu packets in %7.3f s: %8.3f Mpps  %s\n", name,
              static_cast<unsigned long long>(packets), seconds,
              packets / seconds / 1e6, extra.c_str());
  std::fflush(stdout);
}

// ---- send_provider: the callbacks driven by hand ----

// A CpApi that keeps the callback table instead of a runtime, so the
// benchmark can call SEND_BUFFERS itself.
struct CapturedCp {
  static inline CPNATFWT_PROVIDER_CALLBACKS callbacks{};
  static inline PVOID context = nullptr;

  static HRESULT WINAPI Create(const CPNATFWT_PROVIDER_CALLBACKS* table,
                               PVOID user, CPNATFWT_PROVIDER_INSTANCE* out) {
    callbacks = *table;
    context = user;
    *out = reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(uintptr_t{1});
    return S_OK;
  }
  static HRESULT WINAPI Register(CPNATFWT_PROVIDER_INSTANCE, WCHAR*,
                                 IF_LUID* luid, ULONG, WCHAR*) {
    if (luid != nullptr) luid->Value = 1;
    return S_OK;
  }
  static HRESULT WINAPI Deregister(CPNATFWT_PROVIDER_INSTANCE instance) {
    callbacks.terminateSessionIndication(
        instance, context, CPNATFWT_SESSION_TERMINATION_PROVIDER_REQUEST);
    return S_OK;
  }
  static VOID WINAPI Destroy(CPNATFWT_PROVIDER_INSTANCE) {}
  static HRESULT WINAPI Indicate(CPNATFWT_PROVIDER_INSTANCE,
                                 CPNATFWT_TRANSPORT_ID*, CPNATFWT_TRANSPORT_ID*,
                                 CPNATFWT_BUFFER*, PVOID,
                                 CPNATFWT_PROVIDER_COMPLETION_ROUTINE) {
    return S_OK;
  }
  static CpApi Api() {
    CpApi api;
    api.create = &Create;
    api.register_instance = &Register;
    api.deregister = &Deregister;
    api.destroy = &Destroy;
    api.indicate = &Indicate;
    return api;
  }
};

std::atomic<uint64_t> g_completed{0};
VOID CALLBACK CountCompletion(PVOID, HRESULT) {
  g_completed.fetch_add(1, std::memory_order_relaxed);
}

void SendProvider(uint64_t packets, size_t size) {
  FakeNode node;
  node.set_record_packets(false);
  node.SetOwner(PeerId(), kPeer);
  IceProviderOptions options;
  options.api = CapturedCp::Api();
  absl::StatusOr<std::unique_ptr<IceProvider>> provider =
      IceProvider::Start(node, options);
  if (!provider.ok()) {
    std::fprintf(stderr, "send_provider: %s\n",
                 provider.status().ToString().c_str());
    std::exit(1);
  }
  CPNATFWT_PROVIDER_CALLBACKS& cb = CapturedCp::callbacks;
  PVOID context = CapturedCp::context;
  CPNATFWT_PROVIDER_INSTANCE instance =
      reinterpret_cast<CPNATFWT_PROVIDER_INSTANCE>(uintptr_t{1});
  cb.establishSessionIndication(instance, context);
  (void)cb.transitionActive(instance, context, nullptr, &CountCompletion);

  // As many buffers as the CP has (its packet slots), reused in turn once
  // their SEND completed.
  constexpr uint64_t kSlots = 1024;
  std::vector<std::vector<uint8_t>> buffers(kSlots,
                                            std::vector<uint8_t>(size, 0x60));
  std::vector<CPNATFWT_BUFFER> chains(kSlots);
  std::vector<uint8_t> remote_bytes(PeerId().bytes().begin(),
                                    PeerId().bytes().end());
  CPNATFWT_TRANSPORT_ID remote{16, remote_bytes.data()};
  g_completed.store(0);
  absl::Time start = absl::Now();
  for (uint64_t i = 0; i < packets; ++i) {
    while (i - g_completed.load(std::memory_order_relaxed) >= kSlots) {
      std::this_thread::yield();  // All slots pending: wait as the CP does.
    }
    CPNATFWT_BUFFER& chain = chains[i % kSlots];
    chain = {nullptr, static_cast<ULONG>(size), buffers[i % kSlots].data()};
    HRESULT hr = cb.sendBuffers(instance, context, &remote, &remote, 1, &chain,
                                nullptr, &CountCompletion);
    if (hr != HRESULT_FROM_WIN32(ERROR_IO_PENDING))
      CountCompletion(nullptr, hr);
  }
  while (g_completed.load() < packets) std::this_thread::yield();
  absl::Duration elapsed = absl::Now() - start;
  SendCounters c = (*provider)->Status().counters.send;
  Report("send_provider", packets, elapsed,
         "avg batch " +
             std::to_string(c.batches == 0 ? 0 : c.packets_sent / c.batches) +
             ", largest " + std::to_string(c.largest_batch));
  (*provider)->Stop();
}

// ---- send_cp / receive_cp / receive_direct: a real runtime ----

class RuntimeBench {
 public:
  RuntimeBench() {
    absl::StatusOr<natfwt::testing::TempDir> dir =
        natfwt::testing::TempDir::Create("provider-bench");
    if (!dir.ok()) std::exit(1);
    dir_.emplace(*std::move(dir));
    cp::RuntimeOptions options;
    options.state_dir = dir_->path();
    options.enforce_sddl = false;
    options.interface_factory = [this](const tun::InterfaceConfig& config)
        -> absl::StatusOr<std::unique_ptr<tun::VirtualInterface>> {
      auto created = std::make_unique<tun::MemoryInterface>(config, 4096);
      absl::MutexLock lock(&mutex_);
      interface_ = created.get();
      return created;
    };
    options.list_aliases = [] {
      return absl::StatusOr<std::vector<std::string>>(
          std::vector<std::string>());
    };
    runtime_ = std::make_unique<cp::Runtime>(std::move(options));
    api_.emplace(*runtime_);
    node_.set_record_packets(false);
    node_.SetOwner(PeerId(), kPeer);
    IceProviderOptions provider_options;
    provider_options.api = api_->api();
    absl::StatusOr<std::unique_ptr<IceProvider>> provider =
        IceProvider::Start(node_, provider_options);
    if (!provider.ok()) {
      std::fprintf(stderr, "%s\n", provider.status().ToString().c_str());
      std::exit(1);
    }
    provider_ = *std::move(provider);
    std::vector<std::string> ids =
        provider_->WaitForTransportIds(absl::Seconds(10));
    if (ids.empty()) std::exit(1);
    local_ = *net::IpAddress::Parse(ids[0]);
  }
  ~RuntimeBench() {
    provider_.reset();
    api_.reset();
    runtime_.reset();
  }

  std::vector<uint8_t> Packet(bool outbound, size_t size) const {
    size_t payload = size - 40 - 8;
    tun::testing::Endpoint local{local_, 4000}, peer{PeerId(), 5000};
    return tun::testing::BuildUdpPacket(outbound ? local : peer,
                                        outbound ? peer : local,
                                        tun::testing::Pattern(payload, 1));
  }

  void SendCp(uint64_t packets, size_t size) {
    std::vector<uint8_t> packet = Packet(true, size);
    tun::MemoryInterface* tun = interface();
    // Warm up: activation and REACH.
    while (!tun->InjectFromHost(packet)) std::this_thread::yield();
    while (node_.packets_sent() < 1) std::this_thread::yield();
    const uint64_t base = node_.packets_sent();
    absl::Time start = absl::Now();
    for (uint64_t i = 0; i < packets; ++i) {
      while (!tun->InjectFromHost(packet)) std::this_thread::yield();
    }
    while (node_.packets_sent() < base + packets) std::this_thread::yield();
    absl::Duration elapsed = absl::Now() - start;
    SendCounters c = provider_->Status().counters.send;
    Report("send_cp", packets, elapsed,
           "avg batch " +
               std::to_string(c.batches == 0 ? 0 : c.packets_sent / c.batches) +
               ", largest " + std::to_string(c.largest_batch));
  }

  void ReceiveCp(uint64_t packets, size_t size) {
    std::vector<std::vector<uint8_t>> batch(64, Packet(false, size));
    tun::MemoryInterface* tun = interface();
    (void)tun->TakeDelivered();
    uint64_t delivered = 0;
    absl::Time start = absl::Now();
    for (uint64_t sent = 0; sent < packets; sent += batch.size()) {
      node_.Deliver(kPeer, batch);
      if ((sent / batch.size()) % 8 == 7) {
        delivered += tun->TakeDelivered().size();  // Host reads them.
      }
    }
    delivered += tun->TakeDelivered().size();
    absl::Duration elapsed = absl::Now() - start;
    Report("receive_cp", delivered, elapsed,
           "indicated " +
               std::to_string(provider_->Status().counters.packets_indicated));
  }

  void ReceiveDirect(uint64_t packets, size_t size) {
    std::vector<uint8_t> packet = Packet(false, size);
    tun::MemoryInterface* tun = interface();
    (void)tun->TakeDelivered();
    std::vector<uint8_t> local(local_.bytes().begin(), local_.bytes().end());
    std::vector<uint8_t> remote(PeerId().bytes().begin(),
                                PeerId().bytes().end());
    CPNATFWT_TRANSPORT_ID local_id{16, local.data()};
    CPNATFWT_TRANSPORT_ID remote_id{16, remote.data()};
    CPNATFWT_PROVIDER_INSTANCE instance = api_->instances().back();
    uint64_t delivered = 0;
    absl::Time start = absl::Now();
    for (uint64_t i = 0; i < packets; ++i) {
      CPNATFWT_BUFFER chain{nullptr, static_cast<ULONG>(packet.size()),
                            packet.data()};
      (void)runtime_->IndicateReceived(instance, &local_id, &remote_id, &chain);
      if (i % 512 == 511) delivered += tun->TakeDelivered().size();
    }
    delivered += tun->TakeDelivered().size();
    Report("receive_direct", delivered, absl::Now() - start);
  }

 private:
  tun::MemoryInterface* interface() {
    absl::MutexLock lock(&mutex_);
    return interface_;
  }

  std::optional<natfwt::testing::TempDir> dir_;
  absl::Mutex mutex_;
  tun::MemoryInterface* interface_ ABSL_GUARDED_BY(mutex_) = nullptr;
  std::unique_ptr<cp::Runtime> runtime_;
  std::optional<RuntimeApi> api_;
  FakeNode node_;
  std::unique_ptr<IceProvider> provider_;
  net::IpAddress local_;
};

int Main(int argc, char** argv) {
  uint64_t packets = 200000;
  size_t size = 1280;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--packets") == 0 &&
        absl::SimpleAtoi(argv[i + 1], &packets) && packets > 0) {
      continue;
    }
    if (std::strcmp(argv[i], "--size") == 0 &&
        absl::SimpleAtoi(argv[i + 1], &size) && size >= 64 && size <= 1280) {
      continue;
    }
    std::fprintf(stderr,
                 "usage: provider_bench [--packets N] [--size 64-1280]\n");
    return 2;
  }
  std::printf(
      "provider_bench: %llu packets of %zu bytes (FakeNode counts "
      "only; shared machine, indicative)\n",
      static_cast<unsigned long long>(packets), size);
  SendProvider(packets, size);
  {
    RuntimeBench bench;
    bench.SendCp(packets, size);
    bench.ReceiveCp(packets, size);
    bench.ReceiveDirect(packets, size);
  }
  return 0;
}

}  // namespace
}  // namespace natfwt::provider::testing

int main(int argc, char** argv) {
  return natfwt::provider::testing::Main(argc, argv);
}
