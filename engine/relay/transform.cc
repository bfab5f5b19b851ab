// Copyright 2026 The natfwt Authors.

#include "engine/relay/transform.h"

namespace natfwt::relay {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kMalformed:
      return "malformed";
    case Verdict::kAuthentication:
      return "authentication";
    case Verdict::kReplay:
      return "replay";
    case Verdict::kNoKey:
      return "no-key";
    case Verdict::kNoRoom:
      return "no-room";
    case Verdict::kOther:
      break;
  }
  return "other";
}

}  // namespace natfwt::relay
