// Copyright 2026 The natfwt Authors.
//
// `natfwt probe --stun HOST[:PORT]`: RFC 5780 NAT behaviour discovery
// (engine/probe/nat_probe.h) printed as text or JSON. Exit 0 when the NAT
// type could be told, 1 when UDP is blocked, the server is unreachable or
// cannot tell (no RFC 5780 support), 2 for usage errors.

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/nat_probe.h"
#include "tools/natfwt/commands.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

using probe::NatProbeReport;

constexpr int kDefaultTimeoutMs = 1500;
constexpr int kDefaultBindings = 8;
constexpr int kDefaultMaxHops = 8;

absl::StatusOr<probe::NatProbeOptions> Options(const ParsedArgs& args) {
  if (!args.Has("stun")) {
    return absl::InvalidArgumentError("--stun HOST[:PORT] is required");
  }
  probe::NatProbeOptions options;
  absl::StatusOr<ice::ServerAddress> server =
      ice::ParseHostPort(args.Get("stun"), ice::kDefaultStunPort);
  if (!server.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--stun: ", server.status().message()));
  }
  options.server = *server;
  absl::StatusOr<int> timeout =
      IntFlag(args, "timeout-ms", 1, 60000, kDefaultTimeoutMs);
  absl::StatusOr<int> bindings =
      IntFlag(args, "bindings", 2, 64, kDefaultBindings);
  absl::StatusOr<int> hops = IntFlag(args, "max-hops", 0, 64, kDefaultMaxHops);
  for (const absl::Status& s :
       {timeout.status(), bindings.status(), hops.status()}) {
    if (!s.ok()) return s;
  }
  options.test_timeout = absl::Milliseconds(*timeout);
  options.port_samples = *bindings;
  options.max_hops = *hops;
  return options;
}

bool Succeeded(const NatProbeReport& report) {
  return report.type != probe::NatType::kUdpBlocked &&
         report.type != probe::NatType::kUnknown;
}

template <typename T>
std::string Text(const std::optional<T>& value) {
  return value ? value->ToString() : "-";
}

void JsonEndpoint(JsonWriter& json, absl::string_view key,
                  const std::optional<net::UdpEndpoint>& endpoint) {
  json.Key(key);
  if (endpoint) {
    json.String(endpoint->ToString());
  } else {
    json.Null();
  }
}

void JsonOptionalBool(JsonWriter& json, absl::string_view key,
                      std::optional<bool> value) {
  json.Key(key);
  if (value) {
    json.Bool(*value);
  } else {
    json.Null();
  }
}

void JsonMappingAndFiltering(JsonWriter& json, const NatProbeReport& r) {
  json.Key("mapping");
  json.BeginObject();
  json.Key("behavior");
  json.String(probe::MappingBehaviorName(r.mapping.behavior));
  JsonEndpoint(json, "test1", r.mapped);
  JsonEndpoint(json, "test2", r.mapping.alternate_address);
  JsonEndpoint(json, "test3", r.mapping.alternate_address_and_port);
  json.EndObject();
  json.Key("filtering");
  json.BeginObject();
  json.Key("behavior");
  json.String(probe::FilteringBehaviorName(r.filtering.behavior));
  json.Key("change_ip_and_port");
  json.Bool(r.filtering.change_ip_and_port_answered);
  JsonOptionalBool(json, "change_port", r.filtering.change_port_answered);
  json.EndObject();
}

void JsonPorts(JsonWriter& json, const NatProbeReport& r) {
  json.Key("port_allocation");
  json.BeginObject();
  json.Key("pattern");
  json.String(probe::PortAllocationName(r.ports.allocation));
  json.Key("samples");
  json.BeginArray();
  for (const probe::PortSample& sample : r.ports.samples) {
    json.BeginObject();
    json.Key("local_port");
    json.Int(sample.local_port);
    json.Key("mapped_port");
    json.Int(sample.mapped_port);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
}

void JsonPath(JsonWriter& json, const NatProbeReport& r) {
  json.Key("path");
  json.BeginObject();
  json.Key("probed");
  json.Bool(r.path.probed);
  json.Key("hops");
  json.BeginArray();
  for (const probe::PathHop& hop : r.path.hops) {
    json.BeginObject();
    json.Key("ttl");
    json.Int(hop.ttl);
    json.Key("address");
    if (hop.address) {
      json.String(hop.address->ToString());
    } else {
      json.Null();
    }
    json.EndObject();
  }
  json.EndArray();
  json.Key("server_ttl");
  if (r.path.server_ttl) {
    json.Int(*r.path.server_ttl);
  } else {
    json.Null();
  }
  json.Key("note");
  json.String(r.path.note);
  json.EndObject();
}

void JsonAddresses(JsonWriter& json, const NatProbeReport& r) {
  json.Key("mapped_addresses");
  json.BeginArray();
  for (const net::UdpEndpoint& e : r.mapped_addresses)
    json.String(e.ToString());
  json.EndArray();
  json.Key("public_ips");
  json.BeginArray();
  for (const net::IpAddress& ip : r.public_ips) json.String(ip.ToString());
  json.EndArray();
  json.Key("notes");
  json.BeginArray();
  for (const std::string& note : r.notes) json.String(note);
  json.EndArray();
}

void PrintJson(const NatProbeReport& r) {
  JsonWriter json;
  json.BeginObject();
  json.Key("ok");
  json.Bool(Succeeded(r));
  json.Key("nat_type");
  json.String(probe::NatTypeName(r.type));
  json.Key("server");
  json.String(r.server.ToString());
  JsonEndpoint(json, "other_address", r.other_address);
  json.Key("local");
  json.String(r.local.ToString());
  JsonEndpoint(json, "mapped", r.mapped);
  json.Key("behind_nat");
  json.Bool(r.mapped && *r.mapped != r.local);
  json.Key("rtt_ms");
  if (r.rtt) {
    json.Double(absl::ToDoubleMilliseconds(*r.rtt));
  } else {
    json.Null();
  }
  JsonMappingAndFiltering(json, r);
  JsonOptionalBool(json, "hairpinning", r.hairpinning);
  JsonPorts(json, r);
  JsonPath(json, r);
  json.Key("cgnat");
  json.Bool(r.carrier_grade_nat);
  json.Key("nat_depth");
  json.Int(r.nat_depth);
  JsonAddresses(json, r);
  json.EndObject();
  std::printf("%s\n", json.str().c_str());
}

std::string PathText(const probe::PathReport& path) {
  if (!path.probed) return path.note.empty() ? "not probed" : path.note;
  std::vector<std::string> hops;
  for (const probe::PathHop& hop : path.hops) {
    hops.push_back(absl::StrCat(hop.ttl, ":",
                                hop.address ? hop.address->ToString() : "*"));
  }
  return absl::StrCat(
      hops.empty() ? "direct" : absl::StrJoin(hops, " "),
      path.server_ttl ? absl::StrCat(" (server at TTL ", *path.server_ttl, ")")
                      : " (server not reached)");
}

void PrintText(const NatProbeReport& r) {
  auto line = [](const char* label, const std::string& value) {
    std::printf("%-17s %s\n", label, value.c_str());
  };
  line("NAT type", std::string(probe::NatTypeName(r.type)));
  line("STUN server", absl::StrCat(r.server.ToString(), " (alternate ",
                                   Text(r.other_address), ")"));
  line("local address", r.local.ToString());
  line("mapped address", Text(r.mapped));
  line("public IPs",
       absl::StrJoin(r.public_ips, ", ",
                     [](std::string* out, const net::IpAddress& ip) {
                       out->append(ip.ToString());
                     }));
  line("mapping", std::string(probe::MappingBehaviorName(r.mapping.behavior)));
  line("filtering",
       std::string(probe::FilteringBehaviorName(r.filtering.behavior)));
  line("hairpinning",
       r.hairpinning ? (*r.hairpinning ? "yes" : "no") : "unknown");
  std::vector<std::string> ports;
  for (const probe::PortSample& s : r.ports.samples) {
    ports.push_back(absl::StrCat(s.local_port, "->", s.mapped_port));
  }
  line("port allocation",
       absl::StrCat(probe::PortAllocationName(r.ports.allocation),
                    ports.empty()
                        ? ""
                        : absl::StrCat(" (local->mapped: ",
                                       absl::StrJoin(ports, " "), ")")));
  line("path", PathText(r.path));
  line("carrier-grade NAT", absl::StrCat(r.carrier_grade_nat ? "yes" : "no",
                                         ", NAT depth ", r.nat_depth));
  for (const std::string& note : r.notes) line("note", note);
}

int RunProbe(const ParsedArgs& args) {
  absl::StatusOr<probe::NatProbeOptions> options = Options(args);
  if (!options.ok()) {
    std::fprintf(stderr,
                 "natfwt probe: %s\nRun 'natfwt probe --help' for usage.\n",
                 std::string(options.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<NatProbeReport> report = probe::RunNatProbe(*options);
  if (!report.ok()) {
    PrintCommandError("probe", args.Has("json"), report.status().message());
    return kExitFailure;
  }
  if (args.Has("json")) {
    PrintJson(*report);
  } else {
    PrintText(*report);
  }
  if (!Succeeded(*report) && !report->notes.empty()) {
    std::fprintf(stderr, "natfwt probe: %s\n", report->notes.front().c_str());
  }
  return Succeeded(*report) ? kExitOk : kExitFailure;
}

}  // namespace

Command ProbeCommand() {
  return {
      {.name = "probe",
       .synopsis = "--stun HOST[:PORT] [--json] [--timeout-ms N] "
                   "[--bindings N] [--max-hops N]",
       .summary =
           "Discover this host's NAT behaviour (RFC 5780) against a STUN "
           "server with two addresses: mapping, filtering, hairpinning, "
           "port allocation, carrier-grade NAT on the path, and a summary: "
           "open, full-cone, restricted-cone, port-restricted-cone, "
           "symmetric, cgnat or udp-blocked. Exits 1 when UDP is blocked or "
           "the server cannot tell.",
       .flags = {{.name = "stun",
                  .takes_value = true,
                  .help = "the STUN server (default port 3478); it must "
                          "support RFC 5780 (coturn with two listening IPs)",
                  .value_name = "HOST[:PORT]"},
                 {.name = "json", .help = "print the results as JSON"},
                 {.name = "timeout-ms",
                  .takes_value = true,
                  .help = "how long each test waits for its answer, "
                          "retransmitting meanwhile (default 1500)",
                  .value_name = "N"},
                 {.name = "bindings",
                  .takes_value = true,
                  .help = "bindings from fresh sockets for the port "
                          "allocation pattern, 2-64 (default 8)",
                  .value_name = "N"},
                 {.name = "max-hops",
                  .takes_value = true,
                  .help = "largest TTL of the path probe that looks for a "
                          "carrier-grade NAT; 0 skips it (default 8)",
                  .value_name = "N"}}},
      RunProbe};
}

}  // namespace natfwt::cli
