// Copyright 2026 The natfwt Authors.
//
// ping inside a lab host, and a node's status JSON read back.

#include "tools/lab/interface_check.h"

#include <cmath>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "platform/base/status_macros.h"
#include "tools/lab/lab_internal.h"
#include "tools/lab/subprocess.h"
#include "tools/natfwt/json_reader.h"

namespace natfwt::lab {
namespace {

using cli::JsonValue;

std::vector<std::string> Strings(const JsonValue& array) {
  std::vector<std::string> out;
  for (const JsonValue& value : array.array()) {
    out.push_back(value.string_or(""));
  }
  return out;
}

std::map<std::string, uint64_t> Counters(const JsonValue& object) {
  std::map<std::string, uint64_t> out;
  for (const auto& [name, value] : object.members()) {
    double number = value.number_or(0);
    out[name] = number > 0 ? static_cast<uint64_t>(number) : 0;
  }
  return out;
}

uint64_t Count(const JsonValue& value) {
  double number = value.number_or(0);
  return number > 0 ? static_cast<uint64_t>(number) : 0;
}

PeerView ParsePeer(const JsonValue& peer) {
  PeerView view;
  view.node_id = peer["node_id"].string_or("");
  view.state = peer["state"].string_or("");
  view.path = peer["path"].string_or("none");
  view.local_candidate = peer["local_candidate"].string_or("");
  view.remote_candidate = peer["remote_candidate"].string_or("");
  if (peer["setup_ms"].type() == JsonValue::Type::kNumber) {
    view.setup =
        absl::Microseconds(std::llround(peer["setup_ms"].number_or(0) * 1000));
  }
  if (peer["last_handshake_unix_ms"].type() == JsonValue::Type::kNumber) {
    view.last_handshake = absl::FromUnixMillis(
        std::llround(peer["last_handshake_unix_ms"].number_or(0)));
  }
  view.bytes_sent = Count(peer["bytes_sent"]);
  view.bytes_received = Count(peer["bytes_received"]);
  view.transport_ids = Strings(peer["transport_ids"]);
  view.online = peer["online"].bool_or(false);
  return view;
}

uint64_t Lookup(const std::map<std::string, uint64_t>& counters,
                absl::string_view name) {
  auto it = counters.find(std::string(name));
  return it == counters.end() ? 0 : it->second;
}

// "[1700000000.123456] 64 bytes from ...": the stamp.
std::optional<absl::Time> Stamp(absl::string_view line) {
  if (!absl::ConsumePrefix(&line, "[")) return std::nullopt;
  size_t close = line.find(']');
  double seconds;
  if (close == absl::string_view::npos ||
      !absl::SimpleAtod(line.substr(0, close), &seconds)) {
    return std::nullopt;
  }
  return absl::FromUnixMicros(std::llround(seconds * 1e6));
}

// The integer right before `word` in `line` ("5 received" -> 5).
std::optional<int> NumberBefore(absl::string_view line,
                                absl::string_view word) {
  size_t at = line.find(word);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view head =
      absl::StripTrailingAsciiWhitespace(line.substr(0, at));
  size_t space = head.find_last_of(" ,");
  int value;
  if (!absl::SimpleAtoi(
          space == absl::string_view::npos ? head : head.substr(space + 1),
          &value)) {
    return std::nullopt;
  }
  return value;
}

// "... icmp_seq=2 ttl=64 time=0.512 ms": the time.
std::optional<absl::Duration> ReplyTime(absl::string_view line) {
  size_t at = line.find(" time=");
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = line.substr(at + 6);
  size_t end = rest.find(' ');
  double ms;
  if (end == absl::string_view::npos ||
      !absl::SimpleAtod(rest.substr(0, end), &ms)) {
    return std::nullopt;
  }
  return absl::Microseconds(std::llround(ms * 1000));
}

}  // namespace

std::optional<absl::Duration> PingOutcome::WarmRtt() const {
  if (rtts.empty()) return std::nullopt;
  // The first reply waited for the path to be set up; the others did not.
  size_t from = rtts.size() > 1 ? 1 : 0;
  absl::Duration sum;
  for (size_t i = from; i < rtts.size(); ++i) sum += rtts[i];
  return sum / static_cast<int64_t>(rtts.size() - from);
}

const PeerView* NodeView::Peer(absl::string_view node_id) const {
  for (const PeerView& peer : peers) {
    if (peer.node_id == node_id) return &peer;
  }
  return nullptr;
}

uint64_t NodeView::NodeCounter(absl::string_view name) const {
  return Lookup(node_counters, name);
}

uint64_t NodeView::InterfaceCounter(absl::string_view name) const {
  return Lookup(interface_counters, name);
}

absl::StatusOr<NodeView> ParseNodeView(absl::string_view json) {
  NATFWT_ASSIGN_OR_RETURN(JsonValue status, cli::ParseJson(json));
  if (!status.has("node_id") || !status.has("peers")) {
    return absl::InvalidArgumentError("not a natfwt status: no node_id/peers");
  }
  NodeView view;
  view.node_id = status["node_id"].string_or("");
  view.rendezvous_connected = status["rendezvous_connected"].bool_or(false);
  const JsonValue& interface = status["interface"];
  view.interface_name = interface["name"].string_or("");
  view.interface_state = interface["state"].string_or("");
  view.transport_ids = Strings(interface["transport_ids"]);
  view.interface_counters = Counters(interface["counters"]);
  view.node_counters = Counters(status["counters"]);
  for (const JsonValue& peer : status["peers"].array()) {
    view.peers.push_back(ParsePeer(peer));
  }
  return view;
}

absl::StatusOr<NodeView> ReadNodeView(const LabNode& node) {
  NATFWT_ASSIGN_OR_RETURN(ControlReply reply, AskNode(node, "status json"));
  std::string text = absl::StrJoin(reply.lines, "\n");
  if (reply.exit_code != 0) {
    return absl::UnavailableError(
        absl::StrCat("status of the node on ", node.host, ": ", text));
  }
  return ParseNodeView(text);
}

PingOutcome ParsePingOutput(absl::string_view output, absl::Time started) {
  PingOutcome outcome;
  outcome.output = std::string(output);
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (absl::StrContains(line, " bytes from ")) {
      std::optional<absl::Time> stamp = Stamp(line);
      if (stamp.has_value() && !outcome.first_reply.has_value()) {
        outcome.first_reply = std::max(absl::ZeroDuration(), *stamp - started);
      }
      if (std::optional<absl::Duration> rtt = ReplyTime(line)) {
        outcome.rtts.push_back(*rtt);
      }
    } else if (absl::StrContains(line, " packets transmitted")) {
      outcome.transmitted =
          NumberBefore(line, " packets transmitted").value_or(0);
      outcome.received = NumberBefore(line, " received").value_or(0);
    }
  }
  return outcome;
}

absl::StatusOr<PingOutcome> PingFromHost(const Lab& lab, absl::string_view host,
                                         const std::string& address,
                                         const PingOptions& options) {
  NATFWT_ASSIGN_OR_RETURN(std::string ping,
                          internal::FindTool("ping", "iputils-ping"));
  bool v6 = absl::StrContains(address, ':');
  NATFWT_ASSIGN_OR_RETURN(
      std::vector<std::string> argv,
      LabExecArgv(
          lab, host,
          {ping, v6 ? "-6" : "-4", "-n", "-D", "-c",
           absl::StrCat(options.count), "-i",
           absl::StrFormat("%.3f", absl::ToDoubleSeconds(options.interval)),
           "-w",
           absl::StrCat(
               std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(
                                        options.deadline, absl::Seconds(1))))),
           address}));
  absl::Time started = absl::Now();
  NATFWT_ASSIGN_OR_RETURN(CommandResult result,
                          RunCommand({.argv = argv, .input = ""}));
  PingOutcome outcome =
      ParsePingOutput(absl::StrCat(result.out, result.err), started);
  outcome.exit_code = result.exit_code;
  return outcome;
}

}  // namespace natfwt::lab
