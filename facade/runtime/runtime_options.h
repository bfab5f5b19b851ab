// Copyright 2026 The natfwt Authors.
//
// RuntimeOptions: everything the Connectivity Platform runtime can be told,
// with the spec's defaults (decisions D12, D13, D14, section 7.1 and 7.3).
//
// The C ABI's process-wide runtime reads them from the environment
// (FromEnvironment); embedders and tests build their own.

#ifndef NATFWT_FACADE_RUNTIME_RUNTIME_OPTIONS_H_
#define NATFWT_FACADE_RUNTIME_RUNTIME_OPTIONS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cpnatfwt.h"
#include "facade/runtime/reach_cache.h"
#include "platform/base/clock.h"
#include "platform/net/ip_address.h"
#include "platform/tun/virtual_interface.h"

namespace natfwt::cp {

// Creates the virtual interface of a registration.
using InterfaceFactory =
    std::function<absl::StatusOr<std::unique_ptr<tun::VirtualInterface>>(
        const tun::InterfaceConfig&)>;

// Lists the aliases (friendly names) of the interfaces on this system, so a
// new friendly name can be made unique.
using AliasLister = std::function<absl::StatusOr<std::vector<std::string>>()>;

// Told that an instance changed (state, local transport IDs). Called on the
// thread that made the change, possibly with the runtime's locks held: it must
// return quickly and must not call into the runtime (read Describe() later,
// from another thread).
using InstanceObserver = std::function<void(CPNATFWT_PROVIDER_INSTANCE)>;

struct RuntimeOptions {
  // Where association records (provider -> LUID, name, addresses) persist.
  std::string state_dir;
  InterfaceFactory interface_factory;
  AliasLister list_aliases;
  InstanceObserver observer;  // optional
  // Not owned; must outlive the runtime. Defaults to RealClock::Get().
  Clock* clock = nullptr;

  // D13: a pended callback not completed within this ends the session with
  // PROVIDER_TIMEOUT.
  absl::Duration callback_timeout = absl::Seconds(30);
  // D14: an active session idle this long goes dormant (when the provider has
  // transitionDormant).
  absl::Duration idle_timeout = absl::Seconds(120);
  // How often timeouts and idleness are checked (their resolution).
  absl::Duration tick = absl::Seconds(1);
  // 5.3: this many activation failures in a row end the session with
  // PROVIDER_OTHER_FAILURE; between failures activation backs off
  // (activation_backoff, doubled each time).
  int max_activation_failures = 3;
  absl::Duration activation_backoff = absl::Seconds(1);
  // 5.5: how many times ADD_TRANSPORT_ID is retried after a failure other
  // than ERROR_DUP_NAME, and how many new addresses ERROR_DUP_NAME may cost.
  int max_add_attempts = 3;
  int max_duplicate_addresses = 8;
  ReachCacheOptions reach;

  // 7.1: interface MTU.
  uint32_t mtu = 1280;
  // 7.3: IPv6 prefix routed to the interface, so peers' transport IDs (ULA
  // addresses) route there; the node's own /64 lies inside it.
  net::IpPrefix overlay_v6 = *net::IpPrefix::Parse("fd00::/8");
  // 7.3: optional IPv4 transport IDs from this pool (off by default).
  bool ipv4 = false;
  net::IpPrefix overlay_v4 = *net::IpPrefix::Parse("100.64.0.0/10");
  // Install the SDDL's egress owner filter (needs nftables and a kernel
  // interface). Off for in-memory interfaces.
  bool enforce_sddl = true;
  // Buffers for packets read from the interface and not yet handed back by
  // the provider (pended SENDs, REACH queues).
  size_t packet_buffers = 1024;
  // IndicateReceivedBuffers calls with a completion routine that were pended
  // and wait for the instance's writer thread (implementation choice; the
  // writer also holds up to 256 more it is writing). When full, the call is
  // refused with ERROR_NO_SYSTEM_RESOURCES and not pended. At least 1.
  size_t indicate_queue = 1024;

  // Defaults above, with: state_dir from NATFWT_STATE_DIR (else, POSIX: the
  // build's state dir when root, else $XDG_STATE_HOME/natfwt or
  // ~/.local/state/natfwt; Windows: %ProgramData%\natfwt;
  // platform/sys/state_dir.h);
  // backend from NATFWT_CP_BACKEND ("kernel", the default, or "memory");
  // NATFWT_CP_MTU, NATFWT_CP_TIMEOUT_MS, NATFWT_CP_IDLE_MS,
  // NATFWT_CP_OVERLAY_V6, NATFWT_CP_IPV4 (0/1), NATFWT_CP_OVERLAY_V4.
  // Invalid values are logged and ignored.
  static RuntimeOptions FromEnvironment();
};

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_RUNTIME_OPTIONS_H_
