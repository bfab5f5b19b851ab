// Copyright 2026 The natfwt Authors.
//
// `natfwt doctor`: each line is a check performed for real on this machine.

#include <glib.h>
#include <openssl/crypto.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "natfwt_config.h"
#include "platform/net/udp_features.h"
#include "platform/sys/host_probe.h"
#include "tools/natfwt/commands.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

struct Check {
  std::string id;
  std::string title;
  bool ok;
  std::string detail;
  // Whether a node with a virtual interface needs it; others serve the lab,
  // the tests or speed.
  bool required;
};

std::vector<Check> RunChecks() {
  std::vector<Check> checks;
  auto add = [&](std::string id, std::string title, sys::ProbeResult result,
                 bool required) {
    checks.push_back({std::move(id), std::move(title), result.ok,
                      std::move(result.detail), required});
  };
  add("tun", "TUN device available and creatable", sys::ProbeTunDevice(), true);
  add("net_admin", "CAP_NET_ADMIN privilege", sys::ProbeNetAdmin(), true);
  add("root", "running as root", sys::ProbeRoot(), false);
  add("netns", "network namespaces usable", sys::ProbeNetworkNamespaces(), false);
  add("in_netns", "running inside a non-initial network namespace",
      sys::ProbeInNetworkNamespace(), false);
  add("ipv6", "IPv6 enabled", sys::ProbeIpv6(), true);

  absl::StatusOr<net::UdpFeatures> udp = net::ProbeUdpFeatures();
  if (!udp.ok()) {
    add("udp", "UDP sockets", {false, std::string(udp.status().message())}, true);
  } else {
    add("udp_gso", "UDP GSO (UDP_SEGMENT) supported",
        {udp->gso, udp->gso ? "setsockopt accepted" : "setsockopt refused"}, false);
    add("udp_gro", "UDP GRO (UDP_GRO) supported",
        {udp->gro, udp->gro ? "setsockopt accepted" : "setsockopt refused"}, false);
    add("udp_batch", "batched UDP I/O (sendmmsg/recvmmsg)",
        {udp->batch, udp->batch ? "available" : "missing"}, false);
  }
  std::optional<std::string> turnserver = sys::FindExecutable("turnserver");
  add("turnserver", "coturn's turnserver present (NAT lab, TURN tests)",
      {turnserver.has_value(),
       turnserver.value_or("not found (apt-get install coturn)")},
      false);
  return checks;
}

struct Version {
  std::string name;
  std::string value;
};

std::vector<Version> Versions() {
  return {
      {"natfwt", NATFWT_VERSION},
      {"libnice", NATFWT_LIBNICE_VERSION},
      {"glib", absl::StrFormat("%u.%u.%u", glib_major_version,
                               glib_minor_version, glib_micro_version)},
      {"openssl", OpenSSL_version(OPENSSL_VERSION)},
      {"abseil", absl::StrCat(ABSL_LTS_RELEASE_VERSION, ".",
                              ABSL_LTS_RELEASE_PATCH_LEVEL)},
  };
}

void PrintJson(const std::vector<Check>& checks,
               const std::vector<Version>& versions, bool ready) {
  JsonWriter json;
  json.BeginObject();
  json.Key("ready_for_interface");
  json.Bool(ready);
  json.Key("checks");
  json.BeginArray();
  for (const Check& check : checks) {
    json.BeginObject();
    json.Key("id"); json.String(check.id);
    json.Key("title"); json.String(check.title);
    json.Key("ok"); json.Bool(check.ok);
    json.Key("required"); json.Bool(check.required);
    json.Key("detail"); json.String(check.detail);
    json.EndObject();
  }
  json.EndArray();
  json.Key("versions");
  json.BeginObject();
  for (const Version& version : versions) {
    json.Key(version.name);
    json.String(version.value);
  }
  json.EndObject();
  json.EndObject();
  std::printf("%s\n", json.str().c_str());
}

void PrintText(const std::vector<Check>& checks,
               const std::vector<Version>& versions, bool ready) {
  for (const Check& check : checks) {
    const char* mark = check.ok ? "ok  " : (check.required ? "FAIL" : "no  ");
    std::printf("[%s] %-50s %s\n", mark, check.title.c_str(), check.detail.c_str());
  }
  std::printf("\n");
  for (const Version& version : versions) {
    std::printf("%-8s %s\n", version.name.c_str(), version.value.c_str());
  }
  std::printf("\n%s\n",
              ready ? "This machine can run a natfwt node with a virtual interface."
                    : "A natfwt node cannot create its virtual interface here "
                      "(see FAIL lines); it can still probe and relay without one.");
}

int RunDoctor(const ParsedArgs& args) {
  std::vector<Check> checks = RunChecks();
  std::vector<Version> versions = Versions();
  bool ready = true;
  for (const Check& check : checks) ready = ready && (check.ok || !check.required);
  if (args.Has("json")) {
    PrintJson(checks, versions, ready);
  } else {
    PrintText(checks, versions, ready);
  }
  return ready ? kExitOk : kExitFailure;
}

}  // namespace

Command DoctorCommand() {
  return {{.name = "doctor",
           .synopsis = "[--json]",
           .summary = "Check what this machine can do for traversal: TUN, "
                      "privileges, namespaces, IPv6, UDP offloads, coturn, "
                      "library versions. Exits 1 when a node could not create "
                      "its virtual interface here.",
           .flags = {{.name = "json", .help = "print the results as JSON"}}},
          RunDoctor};
}

}  // namespace natfwt::cli
