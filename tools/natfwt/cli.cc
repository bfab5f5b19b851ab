// Copyright 2026 The natfwt Authors.

#include "tools/natfwt/cli.h"

#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/natfwt/json_writer.h"

namespace natfwt::cli {
namespace {

const FlagSpec* FindFlag(const CommandSpec& spec, absl::string_view name) {
  auto it = std::find_if(spec.flags.begin(), spec.flags.end(),
                         [&](const FlagSpec& f) { return f.name == name; });
  return it == spec.flags.end() ? nullptr : &*it;
}

const FlagSpec* ShortFlag(const CommandSpec& spec, char name) {
  for (const FlagSpec& flag : spec.flags) {
    if (flag.short_name != 0 && flag.short_name == name) return &flag;
  }
  return nullptr;
}

absl::Status AddFlag(const CommandSpec& spec, absl::string_view arg,
                     const std::vector<std::string>& args, size_t* i,
                     ParsedArgs* out) {
  absl::string_view body = arg.substr(2);
  size_t eq = body.find('=');
  absl::string_view name = body.substr(0, eq);
  const FlagSpec* flag = FindFlag(spec, name);
  if (flag == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown flag --", name, " for '", spec.name, "'"));
  }
  std::string value;
  if (eq != absl::string_view::npos) {
    if (!flag->takes_value) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " takes no value"));
    }
    value = std::string(body.substr(eq + 1));
  } else if (flag->takes_value) {
    if (*i + 1 >= args.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " needs a ", flag->value_name));
    }
    value = args[++*i];
  }
  auto& slot = out->values[flag->name];
  if (!slot.empty() && !flag->repeated) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " given more than once"));
  }
  slot.push_back(std::move(value));
  return absl::OkStatus();
}

}  // namespace

std::string ParsedArgs::Get(absl::string_view flag,
                            std::string fallback) const {
  auto it = values.find(flag);
  return it == values.end() || it->second.empty() ? fallback
                                                  : it->second.back();
}

absl::StatusOr<ParsedArgs> Parse(const CommandSpec& spec,
                                 const std::vector<std::string>& args) {
  ParsedArgs out;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!flags_done && arg == "--") {
      flags_done = true;
    } else if (!flags_done && absl::StartsWith(arg, "--") && arg.size() > 2) {
      absl::Status status = AddFlag(spec, arg, args, &i, &out);
      if (!status.ok()) return status;
    } else if (!flags_done && arg.size() == 2 && arg[0] == '-' &&
               ShortFlag(spec, arg[1]) != nullptr) {
      absl::Status status =
          AddFlag(spec, absl::StrCat("--", ShortFlag(spec, arg[1])->name), args,
                  &i, &out);
      if (!status.ok()) return status;
    } else if (!flags_done && absl::StartsWith(arg, "-") && arg.size() > 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option ", arg, " (flags are spelled --name)"));
    } else {
      out.positional.push_back(arg);
    }
  }
  if (static_cast<int>(out.positional.size()) > spec.max_positional) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument '", out.positional[spec.max_positional], "'"));
  }
  return out;
}

std::string HelpText(const CommandSpec& spec) {
  std::string text = absl::StrCat("usage: natfwt ", spec.name, " ",
                                  spec.synopsis, "\n\n", spec.summary, "\n");
  if (!spec.flags.empty()) absl::StrAppend(&text, "\nflags:\n");
  for (const FlagSpec& flag : spec.flags) {
    std::string left = flag.short_name != 0
                           ? absl::StrCat("-", std::string(1, flag.short_name),
                                          ", --", flag.name)
                           : absl::StrCat("--", flag.name);
    if (flag.takes_value) absl::StrAppend(&left, " ", flag.value_name);
    absl::StrAppendFormat(&text, "  %-22s %s%s\n", left, flag.help,
                          flag.repeated ? " (repeatable)" : "");
  }
  return text;
}

absl::StatusOr<int> IntFlag(const ParsedArgs& args, absl::string_view name,
                            int min, int max, int fallback) {
  if (!args.Has(name)) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(args.Get(name), &value) || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " must be an integer from ", min, " to ", max));
  }
  return value;
}

void PrintCommandError(absl::string_view command, bool json,
                       absl::string_view message) {
  std::fprintf(stderr, "natfwt %.*s: %.*s\n", static_cast<int>(command.size()),
               command.data(), static_cast<int>(message.size()),
               message.data());
  if (!json) return;
  JsonWriter writer;
  writer.BeginObject();
  writer.Key("ok");
  writer.Bool(false);
  writer.Key("error");
  writer.String(message);
  writer.EndObject();
  std::printf("%s\n", writer.str().c_str());
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

}  // namespace natfwt::cli
