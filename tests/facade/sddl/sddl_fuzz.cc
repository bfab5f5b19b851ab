// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for ParseSddl (narrow and wide). Seed corpus:
// corpus/sddl/. Any invariant violation aborts.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "facade/sddl/sddl.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void CheckPolicy(const absl::StatusOr<natfwt::cp::SddlPolicy>& policy) {
  if (!policy.ok()) {
    Check(policy.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!policy.status().message().empty());
    return;
  }
  for (const auto* ids : {&policy->uids, &policy->gids}) {
    Check(std::is_sorted(ids->begin(), ids->end()));
    Check(std::adjacent_find(ids->begin(), ids->end()) == ids->end());
    Check(std::find(ids->begin(), ids->end(), 0xffffffffu) == ids->end());
  }
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<natfwt::cp::SddlPolicy> narrow = natfwt::cp::ParseSddl(text);
  CheckPolicy(narrow);
  // The wide form stops at the first NUL; for NUL-free input both agree.
  std::wstring wide(text.begin(), text.end());
  for (wchar_t& c : wide) c = static_cast<wchar_t>(static_cast<uint8_t>(c));
  absl::StatusOr<natfwt::cp::SddlPolicy> from_wide =
      natfwt::cp::ParseSddl(wide.c_str());
  CheckPolicy(from_wide);
  if (text.find('\0') == std::string::npos) {
    // Whatever the narrow parser accepts is printable ASCII.
    if (narrow.ok()) Check(from_wide.ok() && *narrow == *from_wide);
  }
  return 0;
}
