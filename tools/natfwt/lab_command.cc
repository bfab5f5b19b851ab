// Copyright 2026 The natfwt Authors.
//
// `natfwt lab`: the NAT lab (tools/lab). This file parses the subcommands'
// arguments and formats what the lab library returns; the lab itself is in
// tools/lab/lab.h.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/lab/demo.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_plan.h"
#include "tools/lab/matrix.h"
#include "tools/lab/server_commands.h"
#include "tools/lab/shim.h"
#include "tools/natfwt/commands.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

using lab::Lab;
using lab::LabOptions;

constexpr char kSynopsis[] =
    R"(demo [--keep] [--name NAME] [--transfer-mib N]
       natfwt lab up [--name NAME] [--host NAME=KIND]... [--delay-ms N] [--loss-pct P]
              [--impair auto|netem|shim] [--no-rendezvous] [--json]
       natfwt lab down NAME | --all
       natfwt lab exec NAME HOST -- COMMAND [ARG]...
       natfwt lab flush NAME HOST
       natfwt lab show NAME [--json]
       natfwt lab list [--json]
       natfwt lab matrix

An emulated internet in network namespaces, for testing NAT traversal. Needs
root, iproute2, nftables, coturn, conntrack (flush) and, for delay/loss
without netem, iptables.

lab demo shows natfwt's main job in under a minute: it builds a lab with
alice behind a port-restricted NAT, bob behind a symmetric NAT and carol
behind a full-cone NAT, runs `natfwt up` (with its network interface) on
each, and from alice pings bob and carol by transport ID with unmodified
`ping -6` and copies --transfer-mib MiB (default 50) of random bytes to each
over TCP, SHA-256 checked. It prints the path each pair took (bob: relayed
through TURN, carol: direct), the setup time (ping to first reply) and the
throughput, then tears everything down (--keep leaves it up). Exit 0 only
when every step worked.

lab up builds a lab and prints its description (--json: machine-readable):
  * a "wan" router namespace (nfl-NAME-wan) joining one public /24 link per
    host (198.18.0.0/15; wan .1) and a servers namespace (nfl-NAME-srv) with
      coturn  STUN/TURN udp+tcp 203.0.113.1:3478 and 203.0.113.2:3478, RFC
              5780 alternate port 3479; TURN over TLS on 443 of both
              addresses (self-signed certificate made at lab up; its file is
              in the description); TURN user "user", password "password",
              realm natfwt.lab;
      rendezvous  `natfwt rendezvous --listen 203.0.113.3:443` (not with
              --no-rendezvous);
  * per host (--host NAME=KIND, repeatable; default one host per kind named
    after it) a namespace nfl-NAME-HOST behind a router nfl-NAME-r-HOST:
      open        no router; the host has public address 198.18.i.2
      full        endpoint-independent mapping and filtering (full cone:
                  anyone may send to a port the host has sent from)
      restricted  endpoint-independent mapping, address-dependent filtering
                  (any port of an address the host has sent to)
      port        endpoint-independent mapping, address-and-port-dependent
                  filtering (Linux's usual masquerade)
      symmetric   endpoint-dependent mapping (random ports)
      cgnat       a "port" home router behind a symmetric carrier router
                  (nfl-NAME-c-HOST, carrier segment 100.64.i+1.0/24)
      blocked     no UDP out; TCP out only to ports 3478 and 443
    Host i's LAN is 192.168.i+1.0/24 (router .1, host .2). Routers drop
    unsolicited packets addressed to themselves.
  * --delay-ms N / --loss-pct P: every packet the wan forwards is delayed N
    ms and dropped with probability P% once: one-way delay N, round trip
    2N, for host-host and host-server paths alike (a TURN-relayed path
    crosses the wan twice each way). Applied with netem where the kernel
    has it, else by the NFQUEUE shim (`natfwt lab shim`, in the wan);
    --impair forces one.
  Names: NAME is 1-8 of [a-z0-9] (default: random), host names 1-12 of
  [a-z0-9]. State, certificate and server logs: /run/natfwt/labs/NAME/.
  A failing lab up removes what it built.

lab down removes every process, namespace and file of a lab (also a
half-built one; idempotent). --all removes every lab.
lab exec runs COMMAND in a namespace of the lab: HOST is a host name, wan,
srv, r-HOST (its router) or c-HOST (a cgnat carrier); the exit code is
COMMAND's.
lab flush forgets the NAT state (conntrack -F) of HOST's router(s), like a
NAT that dropped its mappings: the host's next packets get new mappings.
lab matrix runs the traversal matrix: a lab with two hosts per kind
(l<kind>, r<kind>), a natfwt node on each (`natfwt up` with the lab's STUN
and TURN over udp, tcp and tls), and every left node pings every right
node over a new session (--parallel pairs at once, default all). It prints
the expected and measured path of each pair (D direct, R relay) with the
time from the ping request to the first reply, and exits 1 unless every
pair took the expected path. --kinds open,port,... limits the kinds;
--delay-ms/--loss-pct/--impair as for up; --keep leaves the lab up.)";

struct Subcommand {
  std::set<std::string> flags;
  size_t min_positional;  // After the subcommand's name.
  size_t max_positional;
};

const std::map<std::string, Subcommand>& Subcommands() {
  static const auto* subcommands = new std::map<std::string, Subcommand>{
      {"up",
       {{"name", "host", "delay-ms", "loss-pct", "impair", "no-rendezvous",
         "json"},
        0,
        0}},
      {"down", {{"all"}, 0, 1}},
      {"exec", {{}, 3, 1u << 16}},
      {"flush", {{}, 2, 2}},
      {"show", {{"json"}, 1, 1}},
      {"list", {{"json"}, 0, 0}},
      {"matrix",
       {{"name", "kinds", "delay-ms", "loss-pct", "impair", "parallel", "pings",
         "keep", "json"},
        0,
        0}},
      {"shim", {{"queue", "delay-ms", "loss-pct", "seed"}, 0, 0}},
      {"demo", {{"name", "keep", "transfer-mib"}, 0, 0}},
  };
  return *subcommands;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "natfwt lab: %s\nRun 'natfwt lab --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

int Failure(const absl::Status& status) {
  std::fprintf(stderr, "natfwt lab: %s\n",
               std::string(status.message()).c_str());
  return kExitFailure;
}

// Checks the flags and positional count of subcommand `name`.
std::string CheckArguments(const std::string& name, const ParsedArgs& args) {
  auto it = Subcommands().find(name);
  if (it == Subcommands().end()) {
    return absl::StrCat("unknown subcommand '", name,
                        "' (demo, up, down, exec, flush, show, list, matrix)");
  }
  for (const auto& [flag, values] : args.values) {
    if (flag == "log-level" || flag == "help") continue;
    if (!it->second.flags.contains(flag)) {
      return absl::StrCat("--", flag, " is not a flag of 'lab ", name, "'");
    }
  }
  size_t positional = args.positional.size() - 1;
  if (positional < it->second.min_positional ||
      positional > it->second.max_positional) {
    return absl::StrCat("wrong number of arguments for 'lab ", name, "'");
  }
  return "";
}

std::string NatfwtPath() {
  char path[4096];
  ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "";
  return std::string(path, static_cast<size_t>(n));
}

LabOptions Options() {
  LabOptions options;
  options.natfwt_path = NatfwtPath();
  return options;
}

// --- lab up -------------------------------------------------------------

absl::StatusOr<lab::LabSpec> SpecFromArgs(const ParsedArgs& args) {
  lab::LabSpec spec;
  spec.name = args.Get("name", lab::GenerateLabName());
  auto it = args.values.find("host");
  if (it == args.values.end()) {
    spec.hosts = lab::DefaultHosts();
  } else {
    for (const std::string& text : it->second) {
      absl::StatusOr<lab::HostSpec> host = lab::ParseHostFlag(text);
      if (!host.ok()) return host.status();
      spec.hosts.push_back(*host);
    }
  }
  if (args.Has("delay-ms") &&
      !absl::SimpleAtoi(args.Get("delay-ms"), &spec.delay_ms)) {
    return absl::InvalidArgumentError("--delay-ms needs a whole number");
  }
  if (args.Has("loss-pct") &&
      !absl::SimpleAtod(args.Get("loss-pct"), &spec.loss_pct)) {
    return absl::InvalidArgumentError("--loss-pct needs a number");
  }
  if (args.Has("impair")) {
    absl::StatusOr<lab::Impairment> impairment =
        lab::ParseImpairment(args.Get("impair"));
    if (!impairment.ok()) return impairment.status();
    spec.impairment = *impairment;
  }
  spec.rendezvous = !args.Has("no-rendezvous");
  if (absl::Status s = lab::ValidateLabSpec(spec); !s.ok()) return s;
  return spec;
}

std::string Endpoint(absl::string_view ip, int port) {
  return absl::StrCat(ip, ":", port);
}

void WriteServersJson(const Lab& lab, JsonWriter* json) {
  json->Key("servers");
  json->BeginObject();
  json->Key("namespace");
  json->String(lab.plan.srv_ns);
  json->Key("stun");
  json->BeginArray();
  json->String(Endpoint(lab::kStunPrimaryAddress, lab::kStunPort));
  json->String(Endpoint(lab::kStunSecondaryAddress, lab::kStunPort));
  json->EndArray();
  json->Key("stun_alt_port");
  json->Int(lab::kStunAltPort);
  json->Key("turn_uris");
  json->BeginArray();
  json->String(absl::StrCat("turn:", lab::kStunPrimaryAddress, ":",
                            lab::kStunPort, "?transport=udp"));
  json->String(absl::StrCat("turn:", lab::kStunPrimaryAddress, ":",
                            lab::kStunPort, "?transport=tcp"));
  json->String(absl::StrCat("turns:", lab::kStunPrimaryAddress, ":",
                            lab::kTlsPort, "?transport=tcp"));
  json->EndArray();
  json->Key("turn_username");
  json->String(lab::kTurnUser);
  json->Key("turn_password");
  json->String(lab::kTurnPassword);
  json->Key("turn_realm");
  json->String(lab::kTurnRealm);
  json->Key("tls_certificate");
  json->String(lab.certificate_path);
  json->Key("rendezvous");
  if (lab.state.spec.rendezvous) {
    json->String(Endpoint(lab::kRendezvousAddress, lab::kTlsPort));
  } else {
    json->Null();
  }
  json->EndObject();
}

void WriteHostJson(const lab::HostPlan& host, JsonWriter* json) {
  json->BeginObject();
  json->Key("name");
  json->String(host.name);
  json->Key("kind");
  json->String(lab::NatKindName(host.kind));
  json->Key("namespace");
  json->String(host.ns);
  json->Key("address");
  json->String(host.address);
  json->Key("gateway");
  json->String(host.gateway);
  json->Key("public_address");
  json->String(host.public_address);
  json->Key("routers");
  json->BeginArray();
  for (const std::string& router : host.routers) json->String(router);
  json->EndArray();
  json->EndObject();
}

std::string DescriptionJson(const Lab& lab) {
  const lab::LabSpec& spec = lab.state.spec;
  JsonWriter json;
  json.BeginObject();
  json.Key("name");
  json.String(spec.name);
  json.Key("state_dir");
  json.String(lab.state_dir);
  json.Key("complete");
  json.Bool(lab.state.complete);
  json.Key("created");
  json.Int(lab.state.created_unix);
  json.Key("delay_ms");
  json.Int(spec.delay_ms);
  json.Key("loss_pct");
  json.Double(spec.loss_pct);
  json.Key("impairment");
  json.String(lab.state.applied);
  json.Key("wan_namespace");
  json.String(lab.plan.wan_ns);
  WriteServersJson(lab, &json);
  json.Key("processes");
  json.BeginArray();
  for (const lab::ProcessRecord& p : lab.state.processes) {
    json.BeginObject();
    json.Key("role");
    json.String(p.role);
    json.Key("pid");
    json.Int(p.pid);
    json.EndObject();
  }
  json.EndArray();
  json.Key("hosts");
  json.BeginArray();
  for (const lab::HostPlan& host : lab.plan.hosts) WriteHostJson(host, &json);
  json.EndArray();
  json.EndObject();
  return json.str() + "\n";
}

std::string DescriptionText(const Lab& lab) {
  const lab::LabSpec& spec = lab.state.spec;
  std::string text = absl::StrFormat(
      "lab %s: %d hosts%s; state %s\n", spec.name, spec.hosts.size(),
      lab.state.complete ? "" : " (incomplete)", lab.state_dir);
  absl::StrAppendFormat(
      &text, "wan %s: delay %d ms one-way, loss %s%% per crossing (%s)\n",
      lab.plan.wan_ns, spec.delay_ms, lab::FormatPercent(spec.loss_pct),
      lab.state.applied);
  absl::StrAppendFormat(&text, "servers %s:\n", lab.plan.srv_ns);
  absl::StrAppendFormat(
      &text, "  STUN/TURN   udp+tcp %s:%d, %s:%d (RFC 5780 alt port %d)\n",
      lab::kStunPrimaryAddress, lab::kStunPort, lab::kStunSecondaryAddress,
      lab::kStunPort, lab::kStunAltPort);
  absl::StrAppendFormat(&text, "  TURN/TLS    %s:%d (certificate %s)\n",
                        lab::kStunPrimaryAddress, lab::kTlsPort,
                        lab.certificate_path);
  absl::StrAppendFormat(&text, "  TURN login  %s / %s (realm %s)\n",
                        lab::kTurnUser, lab::kTurnPassword, lab::kTurnRealm);
  if (spec.rendezvous) {
    absl::StrAppendFormat(&text, "  rendezvous  %s:%d (tcp)\n",
                          lab::kRendezvousAddress, lab::kTlsPort);
  }
  absl::StrAppendFormat(&text, "hosts:\n  %-12s %-10s %-15s %-15s %-15s %s\n",
                        "NAME", "KIND", "ADDRESS", "GATEWAY", "PUBLIC",
                        "NAMESPACE");
  for (const lab::HostPlan& host : lab.plan.hosts) {
    absl::StrAppendFormat(&text, "  %-12s %-10s %-15s %-15s %-15s %s\n",
                          host.name, lab::NatKindName(host.kind), host.address,
                          host.gateway, host.public_address, host.ns);
  }
  absl::StrAppendFormat(
      &text, "run in a host: natfwt lab exec %s HOST -- COMMAND\n", spec.name);
  return text;
}

void PrintLab(const Lab& lab, bool json) {
  std::string text = json ? DescriptionJson(lab) : DescriptionText(lab);
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// Ctrl-C, SIGTERM or SIGHUP during lab up must not leave half a lab
// behind: they are held while it runs (its children get them as usual, so a
// running step fails and lab up tears down), and when one arrived the lab is
// removed before exiting.
absl::StatusOr<Lab> InterruptibleLabUp(const lab::LabSpec& spec) {
  sigset_t stop, old;
  sigemptyset(&stop);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, sig);
  sigprocmask(SIG_BLOCK, &stop, &old);
  absl::StatusOr<Lab> lab = lab::LabUp(spec, Options());
  timespec zero{};
  int sig = sigtimedwait(&stop, nullptr, &zero);
  if (sig > 0 && lab.ok()) {
    absl::Status down = lab::LabDown(spec.name, Options(), nullptr);
    lab = absl::CancelledError(absl::StrCat(
        "interrupted by signal ", sig, "; lab ", spec.name,
        down.ok() ? " removed"
                  : absl::StrCat(" not removed: ", down.message())));
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return lab;
}

int RunUp(const ParsedArgs& args) {
  absl::StatusOr<lab::LabSpec> spec = SpecFromArgs(args);
  if (!spec.ok()) return Usage(std::string(spec.status().message()));
  absl::StatusOr<Lab> lab = InterruptibleLabUp(*spec);
  if (!lab.ok()) return Failure(lab.status());
  PrintLab(*lab, args.Has("json"));
  return kExitOk;
}

// --- the other subcommands ---------------------------------------------

int RunDown(const ParsedArgs& args) {
  bool all = args.Has("all");
  if (all == (args.positional.size() == 2)) {
    return Usage("lab down takes a lab NAME or --all");
  }
  if (all) {
    absl::StatusOr<std::vector<std::string>> removed =
        lab::LabDownAll(Options());
    if (!removed.ok()) return Failure(removed.status());
    std::printf("removed %zu lab(s)\n", removed->size());
    return kExitOk;
  }
  bool removed = false;
  absl::Status status = lab::LabDown(args.positional[1], Options(), &removed);
  if (!status.ok()) return Failure(status);
  std::printf(removed ? "lab %s removed\n" : "no lab %s; nothing to remove\n",
              args.positional[1].c_str());
  return kExitOk;
}

int RunExec(const ParsedArgs& args) {
  absl::StatusOr<Lab> lab = lab::LoadLab(args.positional[1], Options());
  if (!lab.ok()) return Failure(lab.status());
  std::vector<std::string> command(args.positional.begin() + 3,
                                   args.positional.end());
  absl::StatusOr<std::vector<std::string>> argv =
      lab::LabExecArgv(*lab, args.positional[2], command);
  if (!argv.ok()) return Failure(argv.status());
  std::vector<char*> raw;
  for (std::string& arg : *argv) raw.push_back(arg.data());
  raw.push_back(nullptr);
  std::fflush(nullptr);
  execv(raw[0], raw.data());
  return Failure(absl::InternalError(
      absl::StrCat("exec ", (*argv)[0], ": ", std::strerror(errno))));
}

int RunFlush(const ParsedArgs& args) {
  absl::StatusOr<Lab> lab = lab::LoadLab(args.positional[1], Options());
  if (!lab.ok()) return Failure(lab.status());
  absl::StatusOr<std::string> report = lab::LabFlush(*lab, args.positional[2]);
  if (!report.ok()) return Failure(report.status());
  std::fwrite(report->data(), 1, report->size(), stdout);
  return kExitOk;
}

int RunShow(const ParsedArgs& args) {
  absl::StatusOr<Lab> lab = lab::LoadLab(args.positional[1], Options());
  if (!lab.ok()) return Failure(lab.status());
  PrintLab(*lab, args.Has("json"));
  return kExitOk;
}

int RunList(const ParsedArgs& args) {
  std::vector<lab::LabListing> labs = lab::ListLabs(Options());
  if (args.Has("json")) {
    JsonWriter json;
    json.BeginArray();
    for (const lab::LabListing& entry : labs) {
      json.BeginObject();
      json.Key("name");
      json.String(entry.name);
      json.Key("hosts");
      json.Int(entry.lab ? static_cast<int64_t>(entry.lab->plan.hosts.size())
                         : 0);
      json.Key("complete");
      json.Bool(entry.lab && entry.lab->state.complete);
      json.Key("namespaces");
      json.Int(static_cast<int64_t>(entry.namespaces));
      json.Key("problem");
      json.String(entry.problem);
      json.EndObject();
    }
    json.EndArray();
    std::printf("%s\n", json.str().c_str());
    return kExitOk;
  }
  for (const lab::LabListing& entry : labs) {
    std::string what =
        entry.lab
            ? absl::StrCat(entry.lab->plan.hosts.size(), " hosts",
                           entry.lab->state.complete ? "" : ", incomplete")
            : entry.problem;
    std::printf("%-8s %s; %zu namespaces\n", entry.name.c_str(), what.c_str(),
                entry.namespaces);
  }
  if (labs.empty()) std::printf("no labs\n");
  return kExitOk;
}

int RunMatrix(const ParsedArgs& args) {
  lab::MatrixOptions options;
  options.lab = Options();
  options.lab_name = args.Get("name");
  if (args.Has("kinds")) {
    options.kinds.clear();
    for (absl::string_view text : absl::StrSplit(args.Get("kinds"), ',')) {
      absl::StatusOr<lab::NatKind> kind = lab::ParseNatKind(text);
      if (!kind.ok()) return Usage(std::string(kind.status().message()));
      options.kinds.push_back(*kind);
    }
  }
  if ((args.Has("delay-ms") &&
       !absl::SimpleAtoi(args.Get("delay-ms"), &options.delay_ms)) ||
      (args.Has("loss-pct") &&
       !absl::SimpleAtod(args.Get("loss-pct"), &options.loss_pct)) ||
      (args.Has("parallel") &&
       (!absl::SimpleAtoi(args.Get("parallel"), &options.parallel) ||
        options.parallel < 1)) ||
      (args.Has("pings") &&
       (!absl::SimpleAtoi(args.Get("pings"), &options.pings) ||
        options.pings < 1 || options.pings > 100))) {
    return Usage(
        "lab matrix: bad --delay-ms, --loss-pct, --parallel or --pings");
  }
  if (args.Has("impair")) {
    absl::StatusOr<lab::Impairment> impairment =
        lab::ParseImpairment(args.Get("impair"));
    if (!impairment.ok())
      return Usage(std::string(impairment.status().message()));
    options.impairment = *impairment;
  }
  options.keep = args.Has("keep");
  if (absl::Status s = lab::CheckRoot(); !s.ok()) return Failure(s);
  absl::StatusOr<lab::MatrixResult> result = lab::RunMatrix(options);
  if (!result.ok()) return Failure(result.status());
  if (args.Has("json")) {
    std::printf("%s\n", lab::RenderMatrixJson(*result).c_str());
  } else {
    std::printf("%s", lab::RenderMatrix(*result).c_str());
  }
  return result->ok() ? kExitOk : kExitFailure;
}

int RunShim(const ParsedArgs& args) {
  lab::ShimOptions options;
  if (!absl::SimpleAtoi(args.Get("queue", "0"), &options.queue) ||
      options.queue < 0 || options.queue > 65535 ||
      !absl::SimpleAtoi(args.Get("delay-ms", "0"), &options.delay_ms) ||
      options.delay_ms < 0 || options.delay_ms > lab::kMaxDelayMs ||
      !absl::SimpleAtod(args.Get("loss-pct", "0"), &options.loss_pct) ||
      !(options.loss_pct >= 0 && options.loss_pct <= 100) ||
      !absl::SimpleAtoi(args.Get("seed", "0"), &options.seed)) {
    return Usage("lab shim: bad --queue, --delay-ms, --loss-pct or --seed");
  }
  absl::Status status = lab::RunShim(options);
  return status.ok() ? kExitOk : Failure(status);
}

// Ctrl-C, SIGTERM or SIGHUP during the demo stop it between steps, after
// which it tears down: they are held while it runs (children get them as
// usual, so a running ping ends at once) and polled between steps.
int RunDemo(const ParsedArgs& args) {
  lab::DemoOptions options;
  options.lab = Options();
  options.lab_name = args.Get("name");
  options.keep = args.Has("keep");
  int mib = 50;
  if (args.Has("transfer-mib") &&
      (!absl::SimpleAtoi(args.Get("transfer-mib"), &mib) || mib < 1 ||
       mib > 4096)) {
    return Usage("lab demo: --transfer-mib is 1 to 4096");
  }
  options.transfer_bytes = static_cast<uint64_t>(mib) << 20;
  if (!options.lab_name.empty()) {
    if (absl::Status s = lab::ValidateLabName(options.lab_name); !s.ok()) {
      return Usage(std::string(s.message()));
    }
  }
  if (absl::Status s = lab::CheckRoot(); !s.ok()) return Failure(s);
  options.print = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  sigset_t stop, old;
  sigemptyset(&stop);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop, sig);
  sigprocmask(SIG_BLOCK, &stop, &old);
  options.interrupted = [&stop] {
    timespec zero{};
    return sigtimedwait(&stop, nullptr, &zero) > 0;
  };
  std::printf(
      "natfwt lab demo: two programs reach each other across NATs through "
      "natfwt's network interface\n");
  absl::StatusOr<lab::DemoResult> result = lab::RunDemo(options);
  sigprocmask(SIG_SETMASK, &old, nullptr);
  if (!result.ok()) return Failure(result.status());
  std::printf("%s", lab::RenderDemoSummary(*result).c_str());
  return result->ok() ? kExitOk : kExitFailure;
}

int RunLab(const ParsedArgs& args) {
  if (args.positional.empty()) {
    return Usage(
        "which subcommand? (demo, up, down, exec, flush, show, list, "
        "matrix)");
  }
  const std::string& name = args.positional[0];
  if (std::string problem = CheckArguments(name, args); !problem.empty()) {
    return Usage(problem);
  }
  // Arguments are checked first, so usage errors are reported to anyone
  // (up, demo and matrix check their values, then root, themselves).
  if (name == "matrix") return RunMatrix(args);
  if (name != "up" && name != "demo") {
    if (absl::Status s = lab::CheckRoot(); !s.ok()) return Failure(s);
  }
  if (name == "up") return RunUp(args);
  if (name == "down") return RunDown(args);
  if (name == "exec") return RunExec(args);
  if (name == "flush") return RunFlush(args);
  if (name == "show") return RunShow(args);
  if (name == "list") return RunList(args);
  if (name == "demo") return RunDemo(args);
  return RunShim(args);
}

}  // namespace

Command LabCommand() {
  return {
      .spec =
          {.name = "lab",
           .synopsis = kSynopsis,
           .summary = "an emulated internet of NATs in network namespaces "
                      "(demo, up, down, exec, flush, show, list, matrix)",
           .flags = {{.name = "name",
                      .takes_value = true,
                      .help = "up, demo, matrix: the lab's name (1-8 of "
                              "a-z0-9; default random)",
                      .value_name = "NAME"},
                     {.name = "host",
                      .takes_value = true,
                      .repeated = true,
                      .help = "up: a host and its router kind (open, full, "
                              "restricted, port, symmetric, cgnat, blocked)",
                      .value_name = "NAME=KIND"},
                     {.name = "delay-ms",
                      .takes_value = true,
                      .help = "up: one-way delay per wan crossing (0-10000)",
                      .value_name = "N"},
                     {.name = "loss-pct",
                      .takes_value = true,
                      .help = "up: loss per wan crossing, percent (0-100)",
                      .value_name = "P"},
                     {.name = "impair",
                      .takes_value = true,
                      .help = "up: how delay/loss is applied: auto (netem if "
                              "available, else shim), netem, shim",
                      .value_name = "MODE"},
                     {.name = "no-rendezvous",
                      .help = "up: do not start the rendezvous server"},
                     {.name = "kinds",
                      .takes_value = true,
                      .help = "matrix: the NAT kinds (default all)",
                      .value_name = "KIND,..."},
                     {.name = "parallel",
                      .takes_value = true,
                      .help = "matrix: pairs at once (default all)",
                      .value_name = "N"},
                     {.name = "pings",
                      .takes_value = true,
                      .help = "matrix: pings per pair (default 3)",
                      .value_name = "N"},
                     {.name = "keep", .help = "demo, matrix: leave the lab up"},
                     {.name = "transfer-mib",
                      .takes_value = true,
                      .help = "demo: MiB copied over TCP per pair (default "
                              "50)",
                      .value_name = "N"},
                     {.name = "json",
                      .help = "up, show, list, matrix: print JSON"},
                     {.name = "all", .help = "down: remove every lab"},
                     {.name = "queue",
                      .takes_value = true,
                      .help = "shim (internal): NFQUEUE queue number",
                      .value_name = "Q"},
                     {.name = "seed",
                      .takes_value = true,
                      .help = "shim (internal): loss PRNG seed (0: random)",
                      .value_name = "S"}},
           .max_positional = 1 << 16},
      .run = RunLab};
}

}  // namespace natfwt::cli
