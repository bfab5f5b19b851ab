// Copyright 2026 The natfwt Authors.
//
// Lab state file serialisation.

#include "tools/lab/lab_state.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/lab/server_commands.h"

namespace natfwt::lab {
namespace {

constexpr absl::string_view kMagic = "natfwt-lab 1";

bool IsRole(absl::string_view role) {
  if (role.empty() || role.size() > 32) return false;
  for (char c : role) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

class Parser {
 public:
  absl::Status Line(size_t number, absl::string_view line) {
    number_ = number;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    absl::string_view key = f[0];
    if (key == "name" && f.size() == 2) {
      state_.spec.name = std::string(f[1]);
    } else if (key == "created" && f.size() == 2) {
      return Int(f[1], &state_.created_unix);
    } else if (key == "delay-ms" && f.size() == 2) {
      return Int(f[1], &state_.spec.delay_ms);
    } else if (key == "loss-pct" && f.size() == 2) {
      if (!absl::SimpleAtod(f[1], &state_.spec.loss_pct)) return Bad("number");
    } else if (key == "rendezvous" && f.size() == 2) {
      return Flag(f[1], &state_.spec.rendezvous);
    } else if (key == "impairment" && f.size() == 2) {
      absl::StatusOr<Impairment> i = ParseImpairment(f[1]);
      if (!i.ok()) return Bad(i.status().message());
      state_.spec.impairment = *i;
    } else if (key == "applied" && f.size() == 2) {
      if (f[1] != "none" && f[1] != "netem" && f[1] != "shim") {
        return Bad("impairment");
      }
      state_.applied = std::string(f[1]);
    } else if (key == "host" && f.size() == 3) {
      absl::StatusOr<NatKind> kind = ParseNatKind(f[2]);
      if (!kind.ok()) return Bad(kind.status().message());
      state_.spec.hosts.push_back({std::string(f[1]), *kind});
    } else if (key == "process" && f.size() == 4) {
      return Process(f);
    } else if (key == "complete" && f.size() == 2) {
      return Flag(f[1], &state_.complete);
    } else {
      return Bad(absl::StrCat("record '", key, "'"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<LabState> Finish() {
    if (absl::Status s = ValidateLabSpec(state_.spec); !s.ok()) {
      return absl::DataLossError(
          absl::StrCat("lab state: invalid lab: ", s.message()));
    }
    return state_;
  }

 private:
  absl::Status Process(const std::vector<absl::string_view>& f) {
    ProcessRecord record;
    record.role = std::string(f[1]);
    if (!IsRole(record.role)) return Bad("process role");
    if (!absl::SimpleAtoi(f[2], &record.pid) || record.pid <= 0) {
      return Bad("PID");
    }
    if (!absl::SimpleAtoi(f[3], &record.start_time)) return Bad("start time");
    state_.processes.push_back(std::move(record));
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Int(absl::string_view text, T* out) {
    return absl::SimpleAtoi(text, out) ? absl::OkStatus() : Bad("number");
  }

  absl::Status Flag(absl::string_view text, bool* out) {
    if (text != "0" && text != "1") return Bad("flag (0 or 1)");
    *out = text == "1";
    return absl::OkStatus();
  }

  absl::Status Bad(absl::string_view what) const {
    return absl::DataLossError(
        absl::StrCat("lab state line ", number_, ": bad ", what));
  }

  LabState state_;
  size_t number_ = 0;
};

}  // namespace

std::string SerializeLabState(const LabState& state) {
  const LabSpec& spec = state.spec;
  std::string text = absl::StrCat(
      kMagic, "\nname ", spec.name, "\ncreated ", state.created_unix,
      "\ndelay-ms ", spec.delay_ms, "\nloss-pct ", FormatPercent(spec.loss_pct),
      "\nrendezvous ", spec.rendezvous ? 1 : 0, "\nimpairment ",
      ImpairmentName(spec.impairment), "\napplied ", state.applied, "\n");
  for (const HostSpec& host : spec.hosts) {
    absl::StrAppend(&text, "host ", host.name, " ", NatKindName(host.kind),
                    "\n");
  }
  for (const ProcessRecord& p : state.processes) {
    absl::StrAppend(&text, "process ", p.role, " ", p.pid, " ", p.start_time,
                    "\n");
  }
  if (state.complete) absl::StrAppend(&text, "complete 1\n");
  return text;
}

absl::StatusOr<LabState> ParseLabState(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.empty() || lines[0] != kMagic) {
    return absl::DataLossError(
        absl::StrCat("lab state: not a natfwt lab state file (first line is "
                     "not '",
                     kMagic, "')"));
  }
  Parser parser;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty() && i + 1 == lines.size()) break;  // Final newline.
    if (absl::Status s = parser.Line(i + 1, lines[i]); !s.ok()) return s;
  }
  return parser.Finish();
}

}  // namespace natfwt::lab
