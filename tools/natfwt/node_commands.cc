// Copyright 2026 The natfwt Authors.
//
// The node's commands: `natfwt up` runs a node in the foreground, with its
// Connectivity Platform interface (engine/provider's ICE provider) when it
// may create one; `status` and `ping` ask the running node through its
// control socket; `id` prints this machine's node ID.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "engine/node/control_socket.h"
#include "engine/node/node.h"
#include "engine/probe/nat_probe.h"
#include "engine/provider/ice_provider.h"
#include "engine/secure/identity.h"
#include "natfwt_config.h"
#include "platform/base/logging.h"
#include "platform/sys/host_probe.h"
#include "platform/sys/state_dir.h"
#include "tools/natfwt/commands.h"
#include "tools/natfwt/json_writer.h"
#include "tools/natfwt/node_render.h"

namespace natfwt::cli {
namespace {

constexpr absl::string_view kControlFileName = "control.sock";

FlagSpec StateDirFlag() {
  return {.name = "state-dir",
          .takes_value = true,
          .help =
              "the node's directory (identity, control socket); default "
              "$NATFWT_STATE_DIR, else " NATFWT_STATE_DIR
              " for root, else $XDG_STATE_HOME/natfwt or "
              "~/.local/state/natfwt",
          .value_name = "DIR"};
}

FlagSpec ControlFlag() {
  return {.name = "control",
          .takes_value = true,
          .help =
              "the running node's control socket (default: "
              "<state dir>/control.sock)",
          .value_name = "PATH"};
}

std::string StateDir(const ParsedArgs& args) {
  return args.Has("state-dir") ? args.Get("state-dir") : sys::DefaultStateDir();
}

std::string ControlPath(const ParsedArgs& args) {
  if (args.Has("control")) return args.Get("control");
  return absl::StrCat(StateDir(args), "/", kControlFileName);
}

// One number of a control request, in [min, max].
bool ParseCount(absl::string_view text, int min, int max, int* out) {
  return absl::SimpleAtoi(text, out) && *out >= min && *out <= max;
}

// ---- natfwt up ----

absl::StatusOr<node::NodeOptions> UpOptions(const ParsedArgs& args) {
  node::NodeOptions options;
  options.state_dir = StateDir(args);
  options.rendezvous = args.Get("rendezvous");
  options.network = args.Get("network");
  if (options.rendezvous.empty() || options.network.empty()) {
    return absl::InvalidArgumentError(
        "--rendezvous and --network are required");
  }
  if (auto it = args.values.find("stun"); it != args.values.end()) {
    options.stun_servers = it->second;
  }
  std::string password = args.Get("turn-password");
  if (password.empty()) {
    if (const char* env = std::getenv("NATFWT_TURN_PASSWORD")) password = env;
  }
  if (auto it = args.values.find("turn"); it != args.values.end()) {
    for (const std::string& uri : it->second) {
      options.turn_servers.push_back(
          {.uri = uri,
           .username = args.Get("turn-user"),
           .password = password,
           .tls_ca_file = absl::StartsWithIgnoreCase(uri, "turns:")
                              ? args.Get("turn-ca")
                              : ""});
    }
  }
  if (auto it = args.values.find("allow"); it != args.values.end()) {
    options.allow = it->second;
  }
  if (auto it = args.values.find("address"); it != args.values.end()) {
    for (const std::string& text : it->second) {
      absl::StatusOr<net::IpAddress> address = net::IpAddress::Parse(text);
      if (!address.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--address '", text, "' is not an IP address"));
      }
      options.local_addresses.push_back(*address);
    }
  }
  options.ipv6 = !args.Has("no-ipv6");
  absl::StatusOr<int> seconds =
      IntFlag(args, "connect-timeout-s", 1, 600,
              static_cast<int>(absl::ToInt64Seconds(options.connect_timeout)));
  if (!seconds.ok()) return seconds.status();
  options.connect_timeout = absl::Seconds(*seconds);
  return options;
}

int HandlePing(node::Node& node, const std::vector<std::string>& words,
               node::ControlOutput& out) {
  // ping <node id> <count> <interval ms> <timeout ms> [json]
  int count, interval_ms, timeout_ms;
  if (words.size() < 5 || !ParseCount(words[2], 1, 100000, &count) ||
      !ParseCount(words[3], 0, 3600000, &interval_ms) ||
      !ParseCount(words[4], 1, 3600000, &timeout_ms)) {
    out.Err("ping: bad request");
    return kExitUsage;
  }
  bool json = words.size() > 5 && words[5] == "json";
  PingSummary summary(words[1]);
  absl::Mutex mutex;
  absl::Notification done;
  node.Ping(
      words[1], count, absl::Milliseconds(interval_ms),
      absl::Milliseconds(timeout_ms),
      [&](const node::PingReply& reply) {
        absl::MutexLock lock(&mutex);
        summary.Add(reply);
        if (!json) {
          std::string line = RenderPingReply(words[1], reply);
          if (reply.status.ok()) {
            out.Out(line);
          } else {
            out.Err(line);
          }
        }
      },
      [&] { done.Notify(); });
  done.WaitForNotification();
  absl::MutexLock lock(&mutex);
  if (json) {
    out.Out(summary.Json());
  } else {
    out.Out(summary.Text());
  }
  return summary.received() > 0 ? kExitOk : kExitFailure;
}

// What the control socket's handler reaches while `natfwt up` runs.
struct UpState {
  node::Node* node = nullptr;
  provider::IceProvider* provider = nullptr;  // None without an interface.
  std::string no_interface_reason;
};

InterfaceReport ReportInterface(const UpState& up) {
  InterfaceReport report;
  if (up.provider != nullptr) {
    report.provider = up.provider->Status();
  } else {
    report.absent_reason = up.no_interface_reason;
  }
  return report;
}

int HandleControl(const UpState& up, const std::vector<std::string>& words,
                  node::ControlOutput& out) {
  node::Node& node = *up.node;
  if (words[0] == "status") {
    bool json = words.size() > 1 && words[1] == "json";
    node::NodeStatus status = node.Status();
    InterfaceReport interface = ReportInterface(up);
    std::string text = json ? RenderStatusJson(status, interface)
                            : RenderStatusText(status, absl::Now(), interface);
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      if (!line.empty()) out.Out(line);
    }
    return kExitOk;
  }
  if (words[0] == "ping") return HandlePing(node, words, out);
  out.Err(absl::StrCat("unknown request '", words[0], "'"));
  return kExitUsage;
}

// Whether `natfwt up` creates its interface: --interface auto (default:
// when it can), on (it must), off (= --no-interface).
struct InterfaceChoice {
  bool create = false;
  bool required = false;
  std::string why_not;  // When !create.
};

absl::StatusOr<InterfaceChoice> ChooseInterface(const ParsedArgs& args) {
  std::string mode = args.Get("interface", "auto");
  if (mode != "auto" && mode != "on" && mode != "off") {
    return absl::InvalidArgumentError("--interface: auto, on or off");
  }
  if (args.Has("no-interface")) {
    if (args.Has("interface") && mode != "off") {
      return absl::InvalidArgumentError(
          "--no-interface contradicts --interface=" + mode);
    }
    mode = "off";
  }
  if (mode == "off") return InterfaceChoice{false, false, "--no-interface"};
  if (mode == "on") return InterfaceChoice{true, true, ""};
  // The in-memory backend (tests) needs no privileges.
  if (const char* backend = std::getenv("NATFWT_CP_BACKEND");
      backend != nullptr && std::string(backend) == "memory") {
    return InterfaceChoice{true, false, ""};
  }
  if (sys::ProbeResult admin = sys::ProbeNetAdmin(); !admin.ok) {
    return InterfaceChoice{
        false, false,
        "no CAP_NET_ADMIN to create a TUN interface (run as root, or "
        "--no-interface)"};
  }
  if (sys::ProbeResult tun = sys::ProbeTunDevice(); !tun.ok) {
    return InterfaceChoice{false, false,
                           "cannot create a TUN interface: " + tun.detail};
  }
  return InterfaceChoice{true, false, ""};
}

// Starts the ICE provider on `node`; prints the interface and its
// transport IDs. On failure returns why.
absl::StatusOr<std::unique_ptr<provider::IceProvider>> StartInterface(
    node::Node& node, const node::NodeOptions& options) {
  provider::IceProviderOptions provider_options;
  provider_options.friendly_name = absl::StrCat("natfwt ", options.network);
  provider_options.luid_file =
      absl::StrCat(options.state_dir, "/interface.luid");
  // The node stops right after the interface: peers keep our transport IDs
  // (the same ones come back with the LUID) and find us again at once when
  // we restart.
  provider_options.keep_ids_at_stop = true;
  absl::StatusOr<std::unique_ptr<provider::IceProvider>> provider =
      provider::IceProvider::Start(node, provider_options);
  if (!provider.ok()) return provider.status();
  std::vector<std::string> ids =
      (*provider)->WaitForTransportIds(absl::Seconds(5));
  provider::IceProviderStatus status = (*provider)->Status();
  std::printf("interface %s\"%s\" transport IDs %s\n",
              status.interface_name.empty()
                  ? ""
                  : (status.interface_name + " ").c_str(),
              status.friendly_name.c_str(),
              ids.empty() ? "(none yet)" : absl::StrJoin(ids, " ").c_str());
  return provider;
}

int RunUp(const ParsedArgs& args) {
  absl::StatusOr<node::NodeOptions> options = UpOptions(args);
  if (!options.ok()) {
    std::fprintf(stderr, "natfwt up: %s\n",
                 std::string(options.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<InterfaceChoice> choice = ChooseInterface(args);
  if (!choice.ok()) {
    std::fprintf(stderr, "natfwt up: %s\n",
                 std::string(choice.status().message()).c_str());
    return kExitUsage;
  }
  if (choice->create) {
    // The Connectivity Platform keeps its interface records next to the
    // node's (read when it first starts, below; set before any thread).
    setenv("NATFWT_STATE_DIR", options->state_dir.c_str(), 1);
  }
  sigset_t stop_signals = BlockStopSignals();
  absl::StatusOr<std::unique_ptr<node::Node>> node =
      node::Node::Create(*options);
  if (!node.ok()) {
    std::fprintf(stderr, "natfwt up: %s\n",
                 std::string(node.status().message()).c_str());
    return node.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitUsage
               : kExitFailure;
  }
  if (absl::Status status = (*node)->Start(); !status.ok()) {
    std::fprintf(stderr, "natfwt up: %s\n",
                 std::string(status.message()).c_str());
    return kExitFailure;
  }
  std::printf("node %s up in network '%s' (rendezvous %s)\n",
              (*node)->node_id().c_str(), options->network.c_str(),
              options->rendezvous.c_str());
  UpState up;
  up.node = node->get();
  up.no_interface_reason = choice->why_not;
  std::unique_ptr<provider::IceProvider> interface;
  if (choice->create) {
    absl::StatusOr<std::unique_ptr<provider::IceProvider>> started =
        StartInterface(**node, *options);
    if (started.ok()) {
      interface = *std::move(started);
      up.provider = interface.get();
    } else if (choice->required) {
      std::fprintf(stderr, "natfwt up: interface: %s\n",
                   std::string(started.status().message()).c_str());
      (*node)->Stop();
      return kExitFailure;
    } else {
      up.no_interface_reason = std::string(started.status().message());
    }
  }
  if (up.provider == nullptr) {
    std::fprintf(stderr, "natfwt up: no interface: %s; running without one\n",
                 up.no_interface_reason.c_str());
  }
  std::string control_path = ControlPath(args);
  absl::StatusOr<std::unique_ptr<node::ControlServer>> control =
      node::ControlServer::Start(control_path,
                                 [&up](const std::vector<std::string>& words,
                                       node::ControlOutput& out) {
                                   return HandleControl(up, words, out);
                                 });
  if (!control.ok()) {
    std::fprintf(stderr, "natfwt up: control socket: %s\n",
                 std::string(control.status().message()).c_str());
    interface.reset();
    (*node)->Stop();
    return kExitFailure;
  }
  // What our NAT does, for status and the hint we publish: probed in the
  // background against the first STUN server (RFC 5780 when it can).
  std::thread probe_thread;
  if (!options->stun_servers.empty()) {
    probe_thread =
        std::thread([raw = up.node, server = options->stun_servers[0]] {
          absl::StatusOr<ice::ServerAddress> address =
              ice::ParseHostPort(server, ice::kDefaultStunPort);
          if (!address.ok()) return;
          probe::NatProbeOptions probe_options;
          probe_options.server = *address;
          probe_options.test_timeout = absl::Milliseconds(700);
          probe_options.port_samples = 4;
          absl::StatusOr<probe::NatProbeReport> report =
              probe::RunNatProbe(probe_options);
          if (!report.ok()) {
            NATFWT_LOG(kInfo) << "NAT probe failed: " << report.status();
            return;
          }
          raw->SetNatBehaviour(std::string(probe::NatTypeName(report->type)));
          NATFWT_LOG(kInfo)
              << "NAT behaviour: " << probe::NatTypeName(report->type);
        });
  }
  std::printf("control %s\n", control_path.c_str());
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  NATFWT_LOG(kInfo) << "signal " << signal_number << ": shutting down";
  (*control)->Stop();
  if (probe_thread.joinable()) probe_thread.join();
  // The interface first (TERMINATE -> Deregister -> Destroy), then the
  // node it runs on.
  if (interface != nullptr) {
    interface->Stop();
    std::printf("interface removed\n");
  }
  (*node)->Stop();
  interface.reset();
  std::printf("node stopped\n");
  return kExitOk;
}

// ---- clients of the control socket ----

int Ask(const ParsedArgs& args, const std::string& request,
        absl::string_view command) {
  absl::StatusOr<int> code = node::ControlRequest(
      ControlPath(args), request, [](absl::string_view line, bool is_error) {
        std::fprintf(is_error ? stderr : stdout, "%.*s\n",
                     static_cast<int>(line.size()), line.data());
      });
  if (!code.ok()) {
    std::fprintf(stderr, "natfwt %.*s: %s\n", static_cast<int>(command.size()),
                 command.data(), std::string(code.status().message()).c_str());
    return kExitFailure;
  }
  return *code;
}

int RunStatus(const ParsedArgs& args) {
  return Ask(args, args.Has("json") ? "status json" : "status", "status");
}

int RunPing(const ParsedArgs& args) {
  if (args.positional.size() != 1) {
    std::fprintf(stderr, "natfwt ping: give one NODE_ID\n");
    return kExitUsage;
  }
  absl::StatusOr<secure::Fingerprint> id =
      secure::ParseNodeId(args.positional[0]);
  if (!id.ok()) {
    std::fprintf(stderr, "natfwt ping: %s\n",
                 std::string(id.status().message()).c_str());
    return kExitUsage;
  }
  absl::StatusOr<int> count = IntFlag(args, "count", 1, 100000, 4);
  absl::StatusOr<int> interval_ms =
      IntFlag(args, "interval-ms", 0, 3600000, 1000);
  absl::StatusOr<int> timeout_ms =
      IntFlag(args, "timeout-ms", 1, 3600000, 2000);
  for (const absl::Status& status :
       {count.status(), interval_ms.status(), timeout_ms.status()}) {
    if (status.ok()) continue;
    std::fprintf(stderr, "natfwt ping: %s\n",
                 std::string(status.message()).c_str());
    return kExitUsage;
  }
  std::string request = absl::StrCat("ping ", args.positional[0], " ", *count,
                                     " ", *interval_ms, " ", *timeout_ms);
  if (args.Has("json")) absl::StrAppend(&request, " json");
  return Ask(args, request, "ping");
}

int RunId(const ParsedArgs& args) {
  absl::StatusOr<secure::Identity> identity =
      secure::Identity::LoadOrCreate(StateDir(args));
  if (!identity.ok()) {
    std::fprintf(stderr, "natfwt id: %s\n",
                 std::string(identity.status().message()).c_str());
    return kExitFailure;
  }
  if (args.Has("json")) {
    JsonWriter json;
    json.BeginObject();
    json.Key("node_id");
    json.String(identity->node_id());
    json.Key("state_dir");
    json.String(StateDir(args));
    json.EndObject();
    std::printf("%s\n", json.str().c_str());
  } else {
    std::printf("%s\n", identity->node_id().c_str());
  }
  return kExitOk;
}

}  // namespace

Command UpCommand() {
  return {
      .spec =
          {.name = "up",
           .synopsis = "--rendezvous HOST:PORT --network NAME [--allow "
                       "NODE_ID|any]... [flags]",
           .summary = "Run a node in the foreground: register at the "
                      "rendezvous, accept sessions from allowed peers, bring "
                      "up a network interface that reaches them by "
                      "transport ID, serve 'natfwt status' and 'natfwt "
                      "ping'. Stops cleanly on SIGINT/SIGTERM.",
           .flags =
               {{.name = "rendezvous",
                 .takes_value = true,
                 .help = "the rendezvous server (TCP)",
                 .value_name = "HOST:PORT"},
                {.name = "network",
                 .takes_value = true,
                 .help = "the network to join",
                 .value_name = "NAME"},
                {.name = "stun",
                 .takes_value = true,
                 .repeated = true,
                 .help = "a STUN server",
                 .value_name = "HOST[:PORT]"},
                {.name = "turn",
                 .takes_value = true,
                 .repeated = true,
                 .help = "a TURN server (turn:HOST[:PORT][?transport=udp|tcp]"
                         " or turns:...)",
                 .value_name = "URI"},
                {.name = "turn-user",
                 .takes_value = true,
                 .help = "TURN username",
                 .value_name = "USER"},
                {.name = "turn-password",
                 .takes_value = true,
                 .help = "TURN password (or $NATFWT_TURN_PASSWORD)",
                 .value_name = "PASSWORD"},
                {.name = "turn-ca",
                 .takes_value = true,
                 .help = "CA certificates (PEM) trusted for turns: servers",
                 .value_name = "FILE"},
                {.name = "allow",
                 .takes_value = true,
                 .repeated = true,
                 .help = "a peer this node talks to ('any': everyone in the "
                         "network)",
                 .value_name = "NODE_ID|any"},
                {.name = "address",
                 .takes_value = true,
                 .repeated = true,
                 .help = "gather host candidates on this address only",
                 .value_name = "IP"},
                {.name = "no-ipv6", .help = "IPv4 candidates only"},
                {.name = "connect-timeout-s",
                 .takes_value = true,
                 .help = "how long a new session may take (default 20)",
                 .value_name = "SECONDS"},
                {.name = "interface",
                 .takes_value = true,
                 .help = "the Connectivity Platform interface peers are "
                         "reached through: auto (default: when a TUN can be "
                         "created), on (fail without it), off",
                 .value_name = "auto|on|off"},
                {.name = "no-interface",
                 .help = "run without an interface (--interface=off)"},
                StateDirFlag(),
                ControlFlag()},
           .max_positional = 0},
      .run = RunUp};
}

Command StatusCommand() {
  return {.spec = {.name = "status",
                   .synopsis = "[--json]",
                   .summary = "Show the running node: ID, network, NAT, "
                              "its interface and transport IDs, and per peer "
                              "the state, path, RTT, traffic and the "
                              "transport IDs it owns.",
                   .flags = {{.name = "json", .help = "print JSON"},
                             StateDirFlag(),
                             ControlFlag()},
                   .max_positional = 0},
          .run = RunStatus};
}

Command PingCommand() {
  return {
      .spec = {.name = "ping",
               .synopsis = "NODE_ID [-c N] [flags]",
               .summary = "Ping a peer over its authenticated path (set up on "
                          "demand) and print each reply's path and RTT.",
               .flags = {{.name = "count",
                          .takes_value = true,
                          .help = "pings to send (default 4)",
                          .value_name = "N",
                          .short_name = 'c'},
                         {.name = "interval-ms",
                          .takes_value = true,
                          .help = "between pings (default 1000)",
                          .value_name = "MS"},
                         {.name = "timeout-ms",
                          .takes_value = true,
                          .help = "wait for each reply (default 2000)",
                          .value_name = "MS"},
                         {.name = "json", .help = "print JSON"},
                         StateDirFlag(),
                         ControlFlag()},
               .max_positional = 1},
      .run = RunPing};
}

Command IdCommand() {
  return {.spec = {.name = "id",
                   .synopsis = "[--state-dir DIR] [--json]",
                   .summary = "Print this node's ID (creating its identity on "
                              "first use).",
                   .flags = {{.name = "json", .help = "print JSON"},
                             StateDirFlag()},
                   .max_positional = 0},
          .run = RunId};
}

}  // namespace natfwt::cli
