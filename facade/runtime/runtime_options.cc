// Copyright 2026 The natfwt Authors.

#include "facade/runtime/runtime_options.h"

#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "platform/base/logging.h"
#include "platform/sys/state_dir.h"
#include "platform/tun/interface_aliases.h"
#include "platform/tun/memory_interface.h"

namespace natfwt::cp {
namespace {

const char* Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

template <typename T>
void ReadNumber(const char* name, T* out) {
  const char* value = Env(name);
  if (value == nullptr) return;
  T parsed;
  if (absl::SimpleAtoi(value, &parsed) && parsed > 0) {
    *out = parsed;
  } else {
    NATFWT_LOG(kWarning) << name << "='" << value
                         << "' is not a positive number; ignored";
  }
}

void ReadPrefix(const char* name, net::IpPrefix* out) {
  const char* value = Env(name);
  if (value == nullptr) return;
  absl::StatusOr<net::IpPrefix> parsed = net::IpPrefix::Parse(value);
  if (parsed.ok()) {
    *out = parsed->Network();
  } else {
    NATFWT_LOG(kWarning) << name << ": " << parsed.status().message()
                         << "; ignored";
  }
}

}  // namespace

RuntimeOptions RuntimeOptions::FromEnvironment() {
  RuntimeOptions options;
  options.state_dir = sys::DefaultStateDir();
  const char* backend = Env("NATFWT_CP_BACKEND");
  if (backend != nullptr && std::string(backend) == "memory") {
    options.interface_factory = [](const tun::InterfaceConfig& config)
        -> absl::StatusOr<std::unique_ptr<tun::VirtualInterface>> {
      return std::make_unique<tun::MemoryInterface>(config);
    };
    options.enforce_sddl = false;
  } else {
    if (backend != nullptr && std::string(backend) != "kernel") {
      NATFWT_LOG(kWarning) << "NATFWT_CP_BACKEND='" << backend
                           << "' unknown (kernel or memory); using kernel";
    }
    options.interface_factory = tun::CreateKernelInterface;
    options.list_aliases = tun::ListInterfaceAliases;
  }
  ReadNumber("NATFWT_CP_MTU", &options.mtu);
  int64_t ms = 0;
  ReadNumber("NATFWT_CP_TIMEOUT_MS", &ms);
  if (ms > 0) options.callback_timeout = absl::Milliseconds(ms);
  ms = 0;
  ReadNumber("NATFWT_CP_IDLE_MS", &ms);
  if (ms > 0) options.idle_timeout = absl::Milliseconds(ms);
  ReadPrefix("NATFWT_CP_OVERLAY_V6", &options.overlay_v6);
  ReadPrefix("NATFWT_CP_OVERLAY_V4", &options.overlay_v4);
  if (const char* v4 = Env("NATFWT_CP_IPV4"))
    options.ipv4 = std::string(v4) == "1";
  return options;
}

}  // namespace natfwt::cp
