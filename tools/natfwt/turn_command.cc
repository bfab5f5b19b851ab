// Copyright 2026 The natfwt Authors.
//
// `natfwt turn --server URI`: allocate on a TURN server, report the relayed
// address and round trips, prove data flows through the relay, release
// (engine/probe/turn_check.h). Exit 0 when every step worked, 1 when one
// failed (unreachable, credentials refused, no data through the relay), 2
// for usage errors.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/ice/ice_config.h"
#include "engine/probe/turn_check.h"
#include "tools/natfwt/commands.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

using probe::TurnCheckReport;

constexpr int kDefaultTimeoutMs = 10000;
constexpr int kDefaultDatagrams = 10;

// The password from --password or the first line of --password-file.
absl::StatusOr<std::string> Password(const ParsedArgs& args) {
  if (args.Has("password") == args.Has("password-file")) {
    return absl::InvalidArgumentError(
        "give the TURN password with --password or --password-file "
        "(exactly one)");
  }
  if (args.Has("password")) return args.Get("password");
  std::ifstream in(args.Get("password-file"));
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--password-file: cannot read ", args.Get("password-file")));
  }
  absl::StripTrailingAsciiWhitespace(&line);
  return line;
}

absl::StatusOr<probe::TurnCheckOptions> Options(const ParsedArgs& args) {
  if (!args.Has("server")) {
    return absl::InvalidArgumentError("--server URI is required");
  }
  if (!args.Has("user")) {
    return absl::InvalidArgumentError("--user NAME is required");
  }
  probe::TurnCheckOptions options;
  options.server.uri = args.Get("server");
  if (absl::StatusOr<ice::TurnUri> uri = ice::ParseTurnUri(options.server.uri);
      !uri.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--server: ", uri.status().message()));
  }
  options.server.username = args.Get("user");
  absl::StatusOr<std::string> password = Password(args);
  if (!password.ok()) return password.status();
  options.server.password = *password;
  options.server.tls_ca_file = args.Get("ca-file");
  absl::StatusOr<int> timeout =
      IntFlag(args, "timeout-ms", 1, 300000, kDefaultTimeoutMs);
  if (!timeout.ok()) return timeout.status();
  absl::StatusOr<int> datagrams =
      IntFlag(args, "datagrams", 1, 1000, kDefaultDatagrams);
  if (!datagrams.ok()) return datagrams.status();
  options.timeout = absl::Milliseconds(*timeout);
  options.datagrams = *datagrams;
  return options;
}

struct RttStats {
  double min_ms = 0, avg_ms = 0, max_ms = 0;
};

std::optional<RttStats> Stats(const std::vector<absl::Duration>& rtts) {
  if (rtts.empty()) return std::nullopt;
  RttStats stats{absl::ToDoubleMilliseconds(rtts.front()), 0,
                 absl::ToDoubleMilliseconds(rtts.front())};
  for (absl::Duration rtt : rtts) {
    const double ms = absl::ToDoubleMilliseconds(rtt);
    stats.min_ms = std::min(stats.min_ms, ms);
    stats.max_ms = std::max(stats.max_ms, ms);
    stats.avg_ms += ms / static_cast<double>(rtts.size());
  }
  return stats;
}

void JsonAllocation(JsonWriter& json, const TurnCheckReport& r) {
  json.Key("allocation");
  if (!r.allocation) {
    json.Null();
    return;
  }
  const probe::AllocationReport& a = *r.allocation;
  json.BeginObject();
  json.Key("relayed");
  json.String(a.relayed.ToString());
  json.Key("mapped");
  if (a.mapped) {
    json.String(a.mapped->ToString());
  } else {
    json.Null();
  }
  json.Key("lifetime_s");
  json.Int(a.lifetime_seconds);
  json.Key("rtt_ms");
  if (a.rtt) {
    json.Double(absl::ToDoubleMilliseconds(*a.rtt));
  } else {
    json.Null();
  }
  json.Key("released");
  json.Bool(a.released);
  json.EndObject();
}

void JsonRelay(JsonWriter& json, const TurnCheckReport& r) {
  json.Key("relay");
  if (!r.relay) {
    json.Null();
    return;
  }
  json.BeginObject();
  json.Key("relayed_a");
  json.String(r.relay->relayed_a.ToString());
  json.Key("relayed_b");
  json.String(r.relay->relayed_b.ToString());
  json.Key("sent");
  json.Int(r.relay->sent);
  json.Key("echoed");
  json.Int(r.relay->echoed);
  json.Key("rtt_ms");
  if (std::optional<RttStats> stats = Stats(r.relay->rtts)) {
    json.BeginObject();
    json.Key("min");
    json.Double(stats->min_ms);
    json.Key("avg");
    json.Double(stats->avg_ms);
    json.Key("max");
    json.Double(stats->max_ms);
    json.EndObject();
  } else {
    json.Null();
  }
  json.EndObject();
}

void PrintJson(const TurnCheckReport& r) {
  JsonWriter json;
  json.BeginObject();
  json.Key("ok");
  json.Bool(r.ok());
  json.Key("uri");
  json.String(ice::FormatTurnUri(r.uri));
  json.Key("transport");
  json.String(ice::TurnTransportName(r.uri.transport));
  json.Key("server");
  json.String(r.server.ToString());
  json.Key("local");
  json.String(r.local.ToString());
  JsonAllocation(json, r);
  JsonRelay(json, r);
  json.Key("failed_step");
  if (r.ok()) {
    json.Null();
  } else {
    json.String(r.failed_step);
  }
  json.Key("error");
  if (r.ok()) {
    json.Null();
  } else {
    json.String(r.error);
  }
  json.EndObject();
  std::printf("%s\n", json.str().c_str());
}

std::string Ms(absl::Duration duration) {
  return absl::StrFormat("%.2f ms", absl::ToDoubleMilliseconds(duration));
}

void PrintText(const TurnCheckReport& r) {
  auto line = [](const char* label, const std::string& value) {
    std::printf("%-16s %s\n", label, value.c_str());
  };
  line("TURN server",
       absl::StrCat(ice::FormatTurnUri(r.uri), " (", r.server.ToString(), ")"));
  if (r.allocation) {
    const probe::AllocationReport& a = *r.allocation;
    line("relayed address", a.relayed.ToString());
    line("mapped address", a.mapped ? a.mapped->ToString() : "-");
    line("lifetime", absl::StrCat(a.lifetime_seconds, " s"));
    line("allocate RTT", a.rtt ? Ms(*a.rtt) : "- (retransmitted)");
    line("released", a.released ? "yes" : "no");
  }
  if (r.relay) {
    std::string rtt = "-";
    if (std::optional<RttStats> s = Stats(r.relay->rtts)) {
      rtt =
          absl::StrFormat("%.2f/%.2f/%.2f ms", s->min_ms, s->avg_ms, s->max_ms);
    }
    line("relay data", absl::StrCat(r.relay->echoed, "/", r.relay->sent,
                                    " datagrams echoed between ",
                                    r.relay->relayed_a.ToString(), " and ",
                                    r.relay->relayed_b.ToString()));
    line("relay RTT", absl::StrCat(rtt,
                                   " (min/avg/max, through the relay "
                                   "twice)"));
  }
  line("result", r.ok() ? "ok" : absl::StrCat("FAILED at ", r.failed_step));
}

int RunTurn(const ParsedArgs& args) {
  absl::StatusOr<probe::TurnCheckOptions> options = Options(args);
  if (!options.ok()) {
    std::fprintf(stderr,
                 "natfwt turn: %s\nRun 'natfwt turn --help' for usage.\n",
                 std::string(options.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<TurnCheckReport> report = probe::RunTurnCheck(*options);
  if (!report.ok()) {
    PrintCommandError("turn", args.Has("json"), report.status().message());
    return kExitFailure;
  }
  if (args.Has("json")) {
    PrintJson(*report);
  } else {
    PrintText(*report);
  }
  if (!report->ok()) {
    std::fprintf(stderr, "natfwt turn: %s failed: %s\n",
                 report->failed_step.c_str(), report->error.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command TurnCommand() {
  return {
      {.name = "turn",
       .synopsis = "--server URI --user NAME (--password SECRET | "
                   "--password-file FILE) [--ca-file PEM] [--json] "
                   "[--timeout-ms N] [--datagrams N]",
       .summary =
           "Check a TURN server: allocate a relay (reporting the relayed "
           "address and round trip), send datagrams through it between two "
           "relay-only ICE sessions and count their echoes, release. The "
           "sessions' peers are the server's own relayed addresses, which "
           "coturn refuses on loopback unless started with "
           "--allow-loopback-peers. Exits 1 when a step fails.",
       .flags = {{.name = "server",
                  .takes_value = true,
                  .help = "RFC 7065 URI: turn:HOST[:PORT][?transport=udp|tcp]"
                          " or turns:HOST[:PORT] (TLS)",
                  .value_name = "URI"},
                 {.name = "user",
                  .takes_value = true,
                  .help = "long-term credential user name",
                  .value_name = "NAME"},
                 {.name = "password",
                  .takes_value = true,
                  .help = "long-term credential password (visible to other "
                          "local users in the process list; prefer "
                          "--password-file)",
                  .value_name = "SECRET"},
                 {.name = "password-file",
                  .takes_value = true,
                  .help = "file whose first line is the password",
                  .value_name = "FILE"},
                 {.name = "ca-file",
                  .takes_value = true,
                  .help = "turns: only; PEM certificate authorities to trust "
                          "(default: the system store)",
                  .value_name = "PEM"},
                 {.name = "json", .help = "print the results as JSON"},
                 {.name = "timeout-ms",
                  .takes_value = true,
                  .help = "bound on the whole check (default 10000)",
                  .value_name = "N"},
                 {.name = "datagrams",
                  .takes_value = true,
                  .help = "datagrams echoed through the relay, 1-1000 "
                          "(default 10)",
                  .value_name = "N"}}},
      RunTurn};
}

}  // namespace natfwt::cli
