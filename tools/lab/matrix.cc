// Copyright 2026 The natfwt Authors.

#include "tools/lab/matrix.h"

#include <atomic>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/node/control_socket.h"
#include "platform/base/status_macros.h"
#include "tools/lab/lab_nodes.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::lab {
namespace {

std::string LeftHost(NatKind kind) {
  return absl::StrCat("l", NatKindName(kind));
}
std::string RightHost(NatKind kind) {
  return absl::StrCat("r", NatKindName(kind));
}

// "12.5" from "... <prefix>12.5 ms..." .
std::optional<absl::Duration> MillisecondsAfter(absl::string_view line,
                                                absl::string_view prefix) {
  size_t at = line.find(prefix);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = line.substr(at + prefix.size());
  size_t end = rest.find(" ms");
  double ms;
  if (end == absl::string_view::npos ||
      !absl::SimpleAtod(rest.substr(0, end), &ms)) {
    return std::nullopt;
  }
  return absl::Microseconds(static_cast<int64_t>(ms * 1000));
}

// One `natfwt ping` request through `from`'s control socket; updates
// `result` with every reply.
void PingOnce(const LabNode& from, const LabNode& to, int count,
              absl::Duration interval, absl::Time start, PairResult& result,
              std::string* last_error) {
  std::string request =
      absl::StrCat("ping ", to.node_id, " ", count, " ",
                   absl::ToInt64Milliseconds(interval), " 2000");
  absl::StatusOr<int> code = node::ControlRequest(
      from.control_path, request, [&](absl::string_view line, bool) {
        std::optional<ParsedReply> reply = ParseReplyLine(line);
        if (!reply.has_value()) {
          if (absl::StartsWith(line, "no reply"))
            *last_error = std::string(line);
          return;
        }
        absl::Duration now = absl::Now() - start;
        if (!result.first_reply.has_value()) {
          result.first_reply = now;
          result.first_path = reply->path;
        }
        if (reply->path == PathKind::kDirect && !result.direct_after) {
          result.direct_after = now;
        }
        if (reply->setup.has_value()) result.setup = reply->setup;
        result.path = reply->path;
        result.detail = reply->remote;
        ++result.replies;
      });
  if (!code.ok()) *last_error = std::string(code.status().message());
}

// How long a pair waits for its nodes' standbys (then it runs cold).
constexpr absl::Duration kWarmTimeout = absl::Seconds(10);

void RunPair(const LabNode& from, const LabNode& to,
             const MatrixOptions& options, PairResult& result) {
  // The setup time is that of a new session between idle nodes, whose
  // standbys are gathered (the pair before may have just taken them).
  // Pairs run at once share standbys; whoever misses one falls back to a
  // plain offer, and `warm` says so.
  result.warm = LabNodes::WaitWarm(from, to, kWarmTimeout).ok();
  absl::Time start = absl::Now();
  std::string last_error;
  PingOnce(from, to, options.pings, options.ping_interval, start, result,
           &last_error);
  // ICE may start on a relay and move to a direct pair once one works
  // (aggressive nomination); with many sessions setting up at once that can
  // take a few seconds. Keep pinging until then, up to `settle`.
  absl::Time deadline = absl::Now() + options.settle;
  while (result.expected == PathKind::kDirect && result.path.has_value() &&
         *result.path != PathKind::kDirect && absl::Now() < deadline) {
    PingOnce(from, to, 1, absl::ZeroDuration(), start, result, &last_error);
    absl::SleepFor(absl::Milliseconds(250));  // Between pings.
  }
  if (result.replies == 0) {
    result.detail = last_error.empty() ? "no reply" : last_error;
  }
}

}  // namespace

std::optional<ParsedReply> ParseReplyLine(absl::string_view line) {
  if (!absl::StartsWith(line, "reply from ")) return std::nullopt;
  ParsedReply reply;
  std::optional<absl::Duration> rtt = MillisecondsAfter(line, " time=");
  if (!rtt.has_value()) return std::nullopt;
  reply.rtt = *rtt;
  if (absl::StrContains(line, " via direct ")) {
    reply.path = PathKind::kDirect;
  } else if (absl::StrContains(line, " via relay ")) {
    reply.path = PathKind::kRelay;
  } else {
    return std::nullopt;
  }
  reply.setup = MillisecondsAfter(line, "[session set up in ");
  size_t open = line.find(" (");
  size_t close = line.find(')', open == absl::string_view::npos ? 0 : open);
  if (open != absl::string_view::npos && close != absl::string_view::npos) {
    reply.remote = std::string(line.substr(open + 2, close - open - 2));
  }
  return reply;
}

bool MatrixResult::ok() const {
  for (const PairResult& pair : pairs) {
    if (!pair.ok()) return false;
  }
  return !pairs.empty();
}

absl::StatusOr<MatrixResult> RunMatrix(const MatrixOptions& options) {
  MatrixResult result;
  result.kinds = options.kinds;
  LabSpec spec;
  spec.name = options.lab_name.empty() ? GenerateLabName() : options.lab_name;
  for (NatKind kind : options.kinds) {
    spec.hosts.push_back({LeftHost(kind), kind});
    spec.hosts.push_back({RightHost(kind), kind});
  }
  spec.delay_ms = options.delay_ms;
  spec.loss_pct = options.loss_pct;
  spec.impairment = options.impairment;
  result.lab = spec.name;

  absl::Time start = absl::Now();
  NATFWT_ASSIGN_OR_RETURN(Lab lab, LabUp(spec, options.lab));
  result.lab_up = absl::Now() - start;
  // Whatever happens below, the lab goes (unless asked to stay).
  struct Teardown {
    const MatrixOptions& options;
    std::string name;
    ~Teardown() {
      if (!options.keep) (void)LabDown(name, options.lab, nullptr);
    }
  } teardown{options, spec.name};

  LabNodeOptions node_options;
  node_options.natfwt_path = options.lab.natfwt_path;
  node_options.network = "matrix";
  node_options.connect_timeout = options.connect_timeout;
  node_options.extra_args = {"--no-interface"};
  start = absl::Now();
  NATFWT_ASSIGN_OR_RETURN(LabNodes nodes, StartLabNodes(lab, node_options));
  NATFWT_RETURN_IF_ERROR(nodes.WaitReady(absl::Seconds(30)));
  result.nodes_ready = absl::Now() - start;

  std::vector<std::pair<LabNode, LabNode>> work;
  for (NatKind left : options.kinds) {
    for (NatKind right : options.kinds) {
      PairResult pair;
      pair.left = left;
      pair.right = right;
      pair.expected = ExpectedPath(left, right);
      result.pairs.push_back(pair);
      NATFWT_ASSIGN_OR_RETURN(LabNode from, nodes.node(LeftHost(left)));
      NATFWT_ASSIGN_OR_RETURN(LabNode to, nodes.node(RightHost(right)));
      work.emplace_back(std::move(from), std::move(to));
    }
  }
  start = absl::Now();
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  int parallel = std::max(1, std::min<int>(options.parallel, work.size()));
  for (int i = 0; i < parallel; ++i) {
    workers.emplace_back([&] {
      for (size_t index = next++; index < work.size(); index = next++) {
        RunPair(work[index].first, work[index].second, options,
                result.pairs[index]);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  result.pings = absl::Now() - start;
  nodes.Stop();
  return result;
}

std::string RenderMatrix(const MatrixResult& result) {
  auto cell = [](const std::optional<PathKind>& path) -> std::string {
    return path.has_value() ? std::string(PathKindName(*path)) : "FAIL";
  };
  size_t n = result.kinds.size();
  std::string out = absl::StrFormat("%-11s", "left\\right");
  for (NatKind kind : result.kinds) {
    absl::StrAppendFormat(&out, " %-16s", NatKindName(kind));
  }
  absl::StrAppend(&out, "   (expected / measured, first reply ms)\n");
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppendFormat(&out, "%-11s", NatKindName(result.kinds[i]));
    for (size_t j = 0; j < n; ++j) {
      const PairResult& pair = result.pairs[i * n + j];
      std::string text = absl::StrCat(
          pair.expected == PathKind::kDirect ? "D" : "R", "/",
          pair.path.has_value() ? (*pair.path == PathKind::kDirect ? "D" : "R")
                                : "-");
      if (pair.first_reply.has_value()) {
        absl::StrAppendFormat(&text, " %.0f",
                              absl::ToDoubleMilliseconds(*pair.first_reply));
      }
      if (!pair.ok()) absl::StrAppend(&text, " !");
      absl::StrAppendFormat(&out, " %-16s", text);
    }
    absl::StrAppend(&out, "\n");
  }
  int failed = 0;
  for (const PairResult& pair : result.pairs) {
    if (pair.ok()) continue;
    ++failed;
    absl::StrAppend(&out, "MISMATCH ", NatKindName(pair.left), " x ",
                    NatKindName(pair.right), ": expected ",
                    PathKindName(pair.expected), ", measured ", cell(pair.path),
                    " (", pair.detail, ")\n");
  }
  absl::StrAppendFormat(
      &out,
      "%d of %d pairs as expected; lab up %.1f s, nodes ready %.1f s, pings "
      "%.1f s\n",
      static_cast<int>(result.pairs.size()) - failed,
      static_cast<int>(result.pairs.size()),
      absl::ToDoubleSeconds(result.lab_up),
      absl::ToDoubleSeconds(result.nodes_ready),
      absl::ToDoubleSeconds(result.pings));
  return out;
}

std::string RenderMatrixJson(const MatrixResult& result) {
  cli::JsonWriter json;
  json.BeginObject();
  json.Key("lab");
  json.String(result.lab);
  json.Key("ok");
  json.Bool(result.ok());
  json.Key("lab_up_s");
  json.Double(absl::ToDoubleSeconds(result.lab_up));
  json.Key("nodes_ready_s");
  json.Double(absl::ToDoubleSeconds(result.nodes_ready));
  json.Key("pings_s");
  json.Double(absl::ToDoubleSeconds(result.pings));
  json.Key("pairs");
  json.BeginArray();
  for (const PairResult& pair : result.pairs) {
    json.BeginObject();
    json.Key("left");
    json.String(NatKindName(pair.left));
    json.Key("right");
    json.String(NatKindName(pair.right));
    json.Key("expected");
    json.String(PathKindName(pair.expected));
    json.Key("path");
    if (pair.path.has_value()) {
      json.String(PathKindName(*pair.path));
    } else {
      json.Null();
    }
    json.Key("first_path");
    if (pair.first_path.has_value()) {
      json.String(PathKindName(*pair.first_path));
    } else {
      json.Null();
    }
    json.Key("first_reply_ms");
    if (pair.first_reply.has_value()) {
      json.Double(absl::ToDoubleMilliseconds(*pair.first_reply));
    } else {
      json.Null();
    }
    json.Key("direct_after_ms");
    if (pair.direct_after.has_value()) {
      json.Double(absl::ToDoubleMilliseconds(*pair.direct_after));
    } else {
      json.Null();
    }
    json.Key("setup_ms");
    if (pair.setup.has_value()) {
      json.Double(absl::ToDoubleMilliseconds(*pair.setup));
    } else {
      json.Null();
    }
    json.Key("warm");
    json.Bool(pair.warm);
    json.Key("replies");
    json.Int(pair.replies);
    json.Key("ok");
    json.Bool(pair.ok());
    json.Key("detail");
    json.String(pair.detail);
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  return json.str();
}

}  // namespace natfwt::lab
