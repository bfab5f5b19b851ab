// Copyright 2026 The natfwt Authors.
//
// NAT behaviour discovery against a STUN server with two addresses (RFC
// 5780; coturn with two listening IPs): what `natfwt probe` runs.
//
//   NatProbeOptions options;
//   options.server = {"stun.example.net", 3478};
//   NATFWT_ASSIGN_OR_RETURN(NatProbeReport report, RunNatProbe(options));
//   std::cout << NatTypeName(report.type);
//
// The tests, each from its own fresh UDP socket bound to the address the
// routing table picks toward the server (so tests cannot open filters for
// each other; see shared/notes/nat-lab.md):
//  1. Mapping (RFC 5780 section 4.3), socket A: test I to the primary
//     address learns the mapped address and OTHER-ADDRESS; test II to the
//     alternate IP, primary port; test III to the alternate IP and port.
//  2. Filtering (section 4.4), socket B: test I, then test II asking the
//     server (CHANGE-REQUEST) to answer from its alternate IP and port, then
//     test III from its alternate port only. An answer must come from where
//     it was asked to (a server ignoring CHANGE-REQUEST gives "unknown").
//  3. Hairpinning (section 4.5): socket C sends a Binding request to socket
//     A's mapped address; A receiving it proves hairpinning.
//  4. Port allocation: `port_samples` bindings from fresh sockets to the
//     primary address, in order (nat_behavior.h ClassifyPortAllocation).
//  5. Path (path_probe.h): the routers on the way, when behind a NAT.
// Each exchange retransmits per RFC 8489 section 6.2.1 within
// `test_timeout`; a test that may legitimately stay unanswered (filtering,
// hairpinning) costs one full timeout.
//
// Thread-safety: RunNatProbe blocks its caller and shares no state.

#ifndef NATFWT_ENGINE_PROBE_NAT_PROBE_H_
#define NATFWT_ENGINE_PROBE_NAT_PROBE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/nat_behavior.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct NatProbeOptions {
  ice::ServerAddress server;  // Host (name or literal) and port.
  // Time one test waits for its answer (retransmitting meanwhile).
  absl::Duration test_timeout = absl::Milliseconds(1500);
  // Bindings of the port allocation test (2-64).
  int port_samples = 8;
  // Largest TTL of the path probe (0 skips it; 1-64).
  int max_hops = 8;
};

// RFC 5780 section 4.3 observations.
struct MappingReport {
  std::optional<net::UdpEndpoint> alternate_address;  // Test II result.
  std::optional<net::UdpEndpoint> alternate_address_and_port;  // Test III.
  MappingBehavior behavior = MappingBehavior::kUnknown;
};

// RFC 5780 section 4.4 observations.
struct FilteringReport {
  bool change_ip_and_port_answered = false;  // Test II.
  std::optional<bool> change_port_answered;  // Test III, when run.
  FilteringBehavior behavior = FilteringBehavior::kUnknown;
};

struct PortReport {
  std::vector<PortSample> samples;  // In binding order.
  PortAllocation allocation = PortAllocation::kUnknown;
};

struct PathReport {
  bool probed = false;  // False: skipped (not behind a NAT, --max-hops 0,
                        // IPv6) or unavailable; see `note`.
  std::vector<PathHop> hops;
  std::optional<int> server_ttl;
  std::string note;
};

struct NatProbeReport {
  net::UdpEndpoint server;                        // The resolved primary.
  std::optional<net::UdpEndpoint> other_address;  // The server's alternate.
  net::UdpEndpoint local;                         // Socket A's address.
  std::optional<net::UdpEndpoint> mapped;         // Test I's mapped address.
  std::optional<absl::Duration> rtt;              // Test I, unretransmitted.
  MappingReport mapping;
  FilteringReport filtering;
  std::optional<bool> hairpinning;  // Absent: not tested (no mapping).
  PortReport ports;
  PathReport path;
  bool carrier_grade_nat = false;
  int nat_depth = 0;  // EstimateNatDepth.
  // Every distinct public address:port the server reported, in order seen
  // (test I first); their distinct IPs in `public_ips`.
  std::vector<net::UdpEndpoint> mapped_addresses;
  std::vector<net::IpAddress> public_ips;
  NatType type = NatType::kUnknown;
  // Why something could not be determined (server without RFC 5780, no
  // answer from the alternate address, ...), for people.
  std::vector<std::string> notes;
};

// Runs every test. A server that never answers is a result (type
// kUdpBlocked), not an error. Errors: kInvalidArgument (options out of
// range, port 0), kNotFound / kUnavailable (the server name does not
// resolve, no route to it), kUnavailable (sockets cannot be opened or a
// send is refused: the message names the call).
absl::StatusOr<NatProbeReport> RunNatProbe(const NatProbeOptions& options);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_NAT_PROBE_H_
