// Copyright 2026 The natfwt Authors.
//
// The lab at run time on Linux: teardown, loading, exec, flush, listing.
// Building is in lab_up_linux.cc.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "platform/sys/host_probe.h"
#include "platform/sys/private_files.h"
#include "tools/lab/lab.h"
#include "tools/lab/lab_internal.h"
#include "tools/lab/netns.h"
#include "tools/lab/subprocess.h"

namespace natfwt::lab {
namespace internal {

absl::StatusOr<std::string> FindTool(absl::string_view name,
                                     absl::string_view package) {
  std::optional<std::string> path = sys::FindExecutable(name);
  if (!path) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the NAT lab needs `", name, "` (Debian package ", package, ")"));
  }
  return *path;
}

std::string StateDir(const LabOptions& options, absl::string_view name) {
  return absl::StrCat(options.state_root, "/", name);
}

std::string StateFile(const std::string& state_dir) {
  return state_dir + "/state";
}

absl::Status WriteState(const std::string& state_dir, const LabState& state) {
  return sys::ReplaceFileAtomically(StateFile(state_dir),
                                    SerializeLabState(state));
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() > max_bytes)
    text = "..." + text.substr(text.size() - max_bytes);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

absl::Status Teardown(absl::string_view name, const std::string& state_dir,
                      const std::vector<ProcessRecord>& recorded,
                      bool* removed) {
  std::vector<std::string> namespaces = ListNamespaces(NamespacePrefix(name));
  std::error_code ec;
  bool had_dir = std::filesystem::exists(state_dir, ec);
  if (removed != nullptr) *removed = had_dir || !namespaces.empty();
  std::vector<ProcessRecord> processes = recorded;
  for (ProcessRecord& p : ProcessesInNamespaces(namespaces)) {
    processes.push_back(std::move(p));
  }
  absl::Status status =
      EndProcesses(processes, std::chrono::milliseconds(2000));
  if (!namespaces.empty()) {
    absl::StatusOr<std::string> ip = FindTool("ip", "iproute2");
    if (!ip.ok()) return ip.status();
    std::string batch;
    for (const std::string& ns : namespaces) {
      absl::StrAppend(&batch, "netns del ", ns, "\n");
    }
    absl::Status deleted = RunChecked({{*ip, "-force", "-batch", "-"}, batch});
    if (status.ok()) status = deleted;
  }
  std::vector<std::string> left = ListNamespaces(NamespacePrefix(name));
  if (!left.empty() && status.ok()) {
    status = absl::InternalError(absl::StrCat(
        "namespaces left after teardown: ", absl::StrJoin(left, ", ")));
  }
  std::filesystem::remove_all(state_dir, ec);
  if (ec && status.ok()) {
    status = absl::InternalError(
        absl::StrCat("removing ", state_dir, ": ", ec.message()));
  }
  return status;
}

}  // namespace internal

namespace {

// The lab names that own namespaces: "nfl-<name>-..." -> name.
std::vector<std::string> LabsWithNamespaces() {
  std::vector<std::string> names;
  for (const std::string& ns : ListNamespaces("nfl-")) {
    absl::string_view rest = absl::string_view(ns).substr(4);
    size_t dash = rest.find('-');
    if (dash == absl::string_view::npos) continue;
    std::string name(rest.substr(0, dash));
    if (ValidateLabName(name).ok() &&
        std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
  }
  return names;
}

std::vector<std::string> LabsWithStateDirs(const LabOptions& options) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator(options.state_root, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory(ec) && ValidateLabName(name).ok()) {
      names.push_back(name);
    }
  }
  return names;
}

}  // namespace

absl::Status CheckRoot() {
  if (geteuid() != 0) {
    return absl::PermissionDeniedError(
        "the NAT lab needs root (it creates network namespaces, veth links "
        "and nftables rules); run it as root");
  }
  return absl::OkStatus();
}

absl::StatusOr<Lab> LoadLab(absl::string_view name, const LabOptions& options) {
  if (absl::Status s = ValidateLabName(name); !s.ok()) return s;
  Lab lab;
  lab.state_dir = internal::StateDir(options, name);
  absl::StatusOr<std::optional<std::string>> text = sys::ReadFileIfExists(
      internal::StateFile(lab.state_dir), 1 << 20, "a lab state file");
  if (!text.ok()) return text.status();
  if (!text->has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "no lab '", name, "' (no ", internal::StateFile(lab.state_dir), ")"));
  }
  absl::StatusOr<LabState> state = ParseLabState(**text);
  if (!state.ok()) return state.status();
  if (state->spec.name != name) {
    return absl::DataLossError(absl::StrCat(
        "state file of lab '", name, "' names lab '", state->spec.name, "'"));
  }
  absl::StatusOr<Plan> plan = PlanLab(state->spec);
  if (!plan.ok()) return plan.status();
  lab.state = std::move(*state);
  lab.plan = std::move(*plan);
  lab.certificate_path = lab.state_dir + "/turn-cert.pem";
  return lab;
}

absl::Status LabDown(absl::string_view name, const LabOptions& options,
                     bool* removed) {
  if (absl::Status s = CheckRoot(); !s.ok()) return s;
  if (absl::Status s = ValidateLabName(name); !s.ok()) return s;
  std::vector<ProcessRecord> recorded;
  absl::StatusOr<Lab> lab = LoadLab(name, options);
  if (lab.ok()) recorded = lab->state.processes;
  return internal::Teardown(name, internal::StateDir(options, name), recorded,
                            removed);
}

absl::StatusOr<std::vector<std::string>> LabDownAll(const LabOptions& options) {
  if (absl::Status s = CheckRoot(); !s.ok()) return s;
  std::vector<std::string> names = LabsWithStateDirs(options);
  for (std::string& name : LabsWithNamespaces()) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(std::move(name));
    }
  }
  std::sort(names.begin(), names.end());
  absl::Status first = absl::OkStatus();
  for (const std::string& name : names) {
    absl::Status s = LabDown(name, options, nullptr);
    if (first.ok() && !s.ok()) first = s;
  }
  if (!first.ok()) return first;
  return names;
}

absl::StatusOr<std::vector<std::string>> LabExecArgv(
    const Lab& lab, absl::string_view target,
    const std::vector<std::string>& command) {
  if (command.empty()) {
    return absl::InvalidArgumentError("no command to run");
  }
  absl::StatusOr<std::string> ns = ResolveNamespace(lab.plan, target);
  if (!ns.ok()) return ns.status();
  absl::StatusOr<std::string> ip = internal::FindTool("ip", "iproute2");
  if (!ip.ok()) return ip.status();
  std::vector<std::string> argv = {*ip, "netns", "exec", *ns};
  argv.insert(argv.end(), command.begin(), command.end());
  return argv;
}

absl::StatusOr<std::string> LabFlush(const Lab& lab, absl::string_view host) {
  if (absl::Status s = CheckRoot(); !s.ok()) return s;
  absl::StatusOr<const HostPlan*> found = FindHost(lab.plan, host);
  if (!found.ok()) return found.status();
  if ((*found)->routers.empty()) {
    return absl::StrCat("host ", host, " (", NatKindName((*found)->kind),
                        ") has no router; nothing to flush\n");
  }
  absl::StatusOr<std::string> ip = internal::FindTool("ip", "iproute2");
  if (!ip.ok()) return ip.status();
  absl::StatusOr<std::string> conntrack =
      internal::FindTool("conntrack", "conntrack");
  if (!conntrack.ok()) return conntrack.status();
  std::string report;
  for (const std::string& router : (*found)->routers) {
    CommandLine command{{*ip, "netns", "exec", router, *conntrack, "-F"}, ""};
    absl::StatusOr<CommandResult> result = RunCommand(command);
    if (!result.ok()) return result.status();
    std::string err(absl::StripAsciiWhitespace(result->err));
    if (result->exit_code != 0) {
      return absl::InternalError(absl::StrCat("`", JoinArgv(command.argv),
                                              "` failed (exit ",
                                              result->exit_code, "): ", err));
    }
    absl::StrAppend(&report, router, ": ", err, "\n");
  }
  return report;
}

std::vector<LabListing> ListLabs(const LabOptions& options) {
  std::map<std::string, LabListing> labs;
  for (const std::string& name : LabsWithStateDirs(options)) {
    labs[name].name = name;
  }
  for (const std::string& name : LabsWithNamespaces()) labs[name].name = name;
  std::vector<LabListing> listing;
  for (auto& [name, entry] : labs) {
    absl::StatusOr<Lab> lab = LoadLab(name, options);
    if (lab.ok()) {
      entry.lab = std::move(*lab);
    } else {
      entry.problem = std::string(lab.status().message());
    }
    entry.namespaces = ListNamespaces(NamespacePrefix(name)).size();
    listing.push_back(std::move(entry));
  }
  return listing;
}

}  // namespace natfwt::lab
