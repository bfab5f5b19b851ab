// Copyright 2026 The natfwt Authors.
//
// VirtualInterface on Windows: a Wintun adapter (wintun_api.h, loaded at run
// time) configured through IP Helper (ip_helper_windows.h).
//
//   * The adapter's name is the config's alias (Windows shows it as the
//     interface's friendly name, ifAlias); without an alias, the kernel
//     name. Its tunnel type is "natfwt".
//   * name() is the config's kernel name, as on Linux: natfwt's name for
//     the interface, which the CP runtime keeps per association and passes
//     back; not the alias, which may change between runs.
//   * The adapter GUID is derived from the kernel name, so Windows gives the
//     same adapter, and with it the same LUID, back on the next run; luid()
//     is Wintun's own (WintunGetAdapterLUID), index()
//     ConvertInterfaceLuidToIndex's.
//   * Packets go through one Wintun session (a 4 MiB ring each way). Wintun's
//     codes are handled as wireguard-go's tun_windows.go does:
//     ERROR_NO_MORE_ITEMS on receive -> wait on the read event;
//     ERROR_HANDLE_EOF -> the adapter is going away (kUnavailable);
//     ERROR_BUFFER_OVERFLOW on send -> the ring is full (kResourceExhausted,
//     the caller drops).
//   * Close() ends the session and closes the adapter, which removes it
//     with its addresses and routes.
//
// Needs Administrator rights (creating an adapter installs the driver):
// otherwise kPermissionDenied. Without wintun.dll: kUnavailable, which the
// CP facade reports as ERROR_NOT_SUPPORTED.

// clang-format off
#include <winsock2.h>
#include <windows.h>
// clang-format on

#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "platform/base/status_macros.h"
#include "platform/sys/win32_status.h"
#include "platform/tun/ip_helper_windows.h"
#include "platform/tun/validation.h"
#include "platform/tun/virtual_interface.h"
#include "platform/tun/wintun_api.h"

namespace natfwt::tun {
namespace {

// Implementation choice: 4 MiB per ring, wireguard-windows' size; a power of
// two between kWintunMinRingCapacity and kWintunMaxRingCapacity.
constexpr DWORD kRingCapacity = 0x400000;
static_assert(kRingCapacity >= kWintunMinRingCapacity &&
              kRingCapacity <= kWintunMaxRingCapacity);

constexpr wchar_t kTunnelType[] = L"natfwt";

// A name-based GUID for `name` (two FNV-1a 64 hashes, RFC 4122 variant bits,
// version 8 "custom"): stable across runs and builds.
GUID AdapterGuid(const std::string& name) {
  auto fnv = [&name](uint64_t hash) {
    for (unsigned char c : absl::StrCat("natfwt-adapter:", name)) {
      hash = (hash ^ c) * 0x100000001b3ull;
    }
    return hash;
  };
  const uint64_t high = fnv(0xcbf29ce484222325ull);
  const uint64_t low = fnv(0x84222325cbf29ce4ull);
  GUID guid;
  guid.Data1 = static_cast<uint32_t>(high >> 32);
  guid.Data2 = static_cast<uint16_t>(high >> 16);
  guid.Data3 = static_cast<uint16_t>((high & 0x0fff) | 0x8000);
  for (int i = 0; i < 8; ++i) {
    guid.Data4[i] = static_cast<uint8_t>(low >> (56 - 8 * i));
  }
  guid.Data4[0] = static_cast<uint8_t>((guid.Data4[0] & 0x3f) | 0x80);
  return guid;
}

class WintunInterface final : public VirtualInterface {
 public:
  WintunInterface(const WintunApi* api, WINTUN_ADAPTER_HANDLE adapter,
                  std::string name, uint32_t mtu)
      : api_(api), adapter_(adapter), name_(std::move(name)), mtu_(mtu) {}
  ~WintunInterface() override { Close(); }

  // Configures the adapter and starts its session.
  absl::Status Start(const InterfaceConfig& config);

  const std::string& name() const override { return name_; }
  uint32_t mtu() const override { return mtu_; }
  uint32_t index() const override { return index_; }
  uint64_t luid() const override { return luid_; }
  InterfaceStats stats() const override {
    InterfaceStats stats;
    stats.dropped_oversize = dropped_oversize_.load(std::memory_order_relaxed);
    return stats;
  }

  absl::StatusOr<size_t> Read(absl::Span<PacketBuffer> packets) override;
  absl::Status Write(absl::Span<const absl::Span<const uint8_t>> packets,
                     size_t* written) override;
  absl::Status AddAddress(const net::IpPrefix& address) override;
  absl::Status RemoveAddress(const net::IpPrefix& address) override;
  void Interrupt() override;
  void Close() override;

 private:
  // Takes what the ring holds now into `packets` from `filled` on.
  size_t Drain(absl::Span<PacketBuffer> packets, size_t filled,
               DWORD* last_error) ABSL_SHARED_LOCKS_REQUIRED(mutex_);
  // Waits for the read event or Interrupt(); false when interrupted.
  bool WaitReadable() ABSL_SHARED_LOCKS_REQUIRED(mutex_);

  const WintunApi* const api_;
  WINTUN_ADAPTER_HANDLE adapter_;
  const std::string name_;
  const uint32_t mtu_;
  uint64_t luid_ = 0;
  uint32_t index_ = 0;
  // Readers and writers hold it shared while they use the session; Close()
  // takes it exclusively, so it returns once none does.
  mutable absl::Mutex mutex_;
  WINTUN_SESSION_HANDLE session_ ABSL_GUARDED_BY(mutex_) = nullptr;
  HANDLE read_event_ = nullptr;  // Owned by the session.
  // Auto-reset event set by Interrupt() and Close().
  HANDLE wake_event_ = nullptr;
  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> dropped_oversize_{0};
};

absl::Status WintunInterface::Start(const InterfaceConfig& config) {
  NET_LUID luid;
  api_->GetAdapterLUID(adapter_, &luid);
  luid_ = luid.Value;
  NATFWT_ASSIGN_OR_RETURN(index_, iphlp::LuidToIndex(luid_));
  NATFWT_RETURN_IF_ERROR(iphlp::ConfigureInterface(luid_, mtu_));
  for (const net::IpPrefix& address : config.addresses) {
    NATFWT_RETURN_IF_ERROR(iphlp::AddAddress(luid_, address));
  }
  for (const net::IpPrefix& route : config.routes) {
    NATFWT_RETURN_IF_ERROR(iphlp::AddRoute(luid_, route));
  }
  wake_event_ = CreateEventW(nullptr, FALSE, FALSE, nullptr);
  if (wake_event_ == nullptr) {
    return sys::Win32Status(GetLastError(), "CreateEventW", name_);
  }
  WINTUN_SESSION_HANDLE session = api_->StartSession(adapter_, kRingCapacity);
  if (session == nullptr) {
    return sys::Win32Status(GetLastError(), "WintunStartSession", name_);
  }
  read_event_ = api_->GetReadWaitEvent(session);
  absl::MutexLock lock(&mutex_);
  session_ = session;
  return absl::OkStatus();
}

size_t WintunInterface::Drain(absl::Span<PacketBuffer> packets, size_t filled,
                              DWORD* last_error) {
  const size_t limit = std::min(packets.size(), kBatchSize);
  while (filled < limit) {
    DWORD size = 0;
    BYTE* packet = api_->ReceivePacket(session_, &size);
    if (packet == nullptr) {
      *last_error = GetLastError();
      return filled;
    }
    PacketBuffer& slot = packets[filled];
    if (size > slot.capacity) {
      dropped_oversize_.fetch_add(1, std::memory_order_relaxed);
    } else {
      std::memcpy(slot.data, packet, size);
      slot.size = size;
      ++filled;
    }
    api_->ReleaseReceivePacket(session_, packet);
  }
  *last_error = ERROR_SUCCESS;
  return filled;
}

bool WintunInterface::WaitReadable() {
  const HANDLE events[2] = {read_event_, wake_event_};
  return WaitForMultipleObjects(2, events, FALSE, INFINITE) == WAIT_OBJECT_0;
}

absl::StatusOr<size_t> WintunInterface::Read(absl::Span<PacketBuffer> packets) {
  NATFWT_RETURN_IF_ERROR(ValidateReadBuffers(packets));
  absl::ReaderMutexLock lock(&mutex_);
  for (;;) {
    if (closed_.load() || session_ == nullptr) {
      return absl::CancelledError(absl::StrCat(name_, " is closed"));
    }
    DWORD error = ERROR_SUCCESS;
    const size_t filled = Drain(packets, 0, &error);
    if (filled > 0) return filled;
    if (error == ERROR_HANDLE_EOF) {
      return absl::UnavailableError(
          absl::StrCat("Wintun adapter ", name_, " is going away"));
    }
    if (error != ERROR_NO_MORE_ITEMS) {
      return sys::Win32Status(error, "WintunReceivePacket", name_);
    }
    if (!WaitReadable()) return size_t{0};  // Interrupt() or Close().
  }
}

absl::Status WintunInterface::Write(
    absl::Span<const absl::Span<const uint8_t>> packets, size_t* written) {
  if (written != nullptr) *written = 0;
  absl::ReaderMutexLock lock(&mutex_);
  for (size_t i = 0; i < packets.size(); ++i) {
    if (closed_.load() || session_ == nullptr) {
      return absl::CancelledError(absl::StrCat(name_, " is closed"));
    }
    const absl::Span<const uint8_t> packet = packets[i];
    if (!IsWellFormedPacket(packet)) return MalformedPacketError(packet, i);
    BYTE* slot =
        api_->AllocateSendPacket(session_, static_cast<DWORD>(packet.size()));
    if (slot == nullptr) {
      const DWORD error = GetLastError();
      if (error == ERROR_BUFFER_OVERFLOW) {
        return absl::ResourceExhaustedError(
            absl::StrCat("Wintun send ring of ", name_, " is full"));
      }
      if (error == ERROR_HANDLE_EOF) {
        return absl::UnavailableError(
            absl::StrCat("Wintun adapter ", name_, " is going away"));
      }
      return sys::Win32Status(error, "WintunAllocateSendPacket", name_);
    }
    std::memcpy(slot, packet.data(), packet.size());
    api_->SendPacket(session_, slot);
    if (written != nullptr) *written = i + 1;
  }
  return absl::OkStatus();
}

absl::Status WintunInterface::AddAddress(const net::IpPrefix& address) {
  NATFWT_RETURN_IF_ERROR(ValidateAddress(address, mtu_));
  if (closed_.load()) return absl::CancelledError(name_ + " is closed");
  return iphlp::AddAddress(luid_, address);
}

absl::Status WintunInterface::RemoveAddress(const net::IpPrefix& address) {
  NATFWT_RETURN_IF_ERROR(ValidatePrefix(address));
  if (closed_.load()) return absl::CancelledError(name_ + " is closed");
  return iphlp::RemoveAddress(luid_, address);
}

void WintunInterface::Interrupt() {
  if (!closed_.load() && wake_event_ != nullptr) SetEvent(wake_event_);
}

void WintunInterface::Close() {
  if (closed_.exchange(true)) return;
  if (wake_event_ != nullptr) SetEvent(wake_event_);
  {
    absl::MutexLock lock(&mutex_);  // Waits for Read() and Write() to leave.
    if (session_ != nullptr) api_->EndSession(session_);
    session_ = nullptr;
  }
  if (adapter_ != nullptr) api_->CloseAdapter(adapter_);
  adapter_ = nullptr;
  if (wake_event_ != nullptr) CloseHandle(wake_event_);
  wake_event_ = nullptr;
}

// The kernel name (name()): the config's with its "%d" pattern filled in
// with 0, else "natfwt".
std::string KernelName(const InterfaceConfig& config) {
  if (config.kernel_name.empty()) return "natfwt";
  return absl::StrReplaceAll(config.kernel_name, {{"%d", "0"}});
}

// The adapter's name: the alias, else the kernel name.
std::string AdapterName(const InterfaceConfig& config) {
  return config.alias.empty() ? KernelName(config) : config.alias;
}

}  // namespace

absl::StatusOr<std::unique_ptr<VirtualInterface>> CreateKernelInterface(
    const InterfaceConfig& config) {
  NATFWT_RETURN_IF_ERROR(ValidateInterfaceConfig(config));
  NATFWT_ASSIGN_OR_RETURN(const WintunApi* api, LoadWintun());
  const std::string name = AdapterName(config);
  NATFWT_ASSIGN_OR_RETURN(std::wstring wide_name, sys::Utf8ToWide(name));
  const GUID guid =
      AdapterGuid(config.kernel_name.empty() ? name : config.kernel_name);
  WINTUN_ADAPTER_HANDLE adapter =
      api->CreateAdapter(wide_name.c_str(), kTunnelType, &guid);
  if (adapter == nullptr) {
    return sys::Win32Status(GetLastError(), "WintunCreateAdapter", name);
  }
  auto iface = std::make_unique<WintunInterface>(
      api, adapter, KernelName(config), config.mtu);
  // On error the destructor closes (removes) the adapter.
  NATFWT_RETURN_IF_ERROR(iface->Start(config));
  return iface;
}

}  // namespace natfwt::tun
