// Copyright 2026 The natfwt Authors.

#include "facade/runtime/hresult.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace natfwt::cp {
namespace {

constexpr absl::string_view kPayloadUrl = "natfwt.dev/hresult";

struct CodeMapping {
  absl::StatusCode code;
  HRESULT hr;
};

// The default HRESULT of each canonical code (spec 3.10).
constexpr CodeMapping kTable[] = {
    {absl::StatusCode::kInvalidArgument, E_INVALIDARG},
    {absl::StatusCode::kOutOfRange, E_INVALIDARG},
    {absl::StatusCode::kNotFound, HRESULT_FROM_WIN32(ERROR_NOT_FOUND)},
    {absl::StatusCode::kFailedPrecondition,
     HRESULT_FROM_WIN32(ERROR_INVALID_STATE)},
    {absl::StatusCode::kAlreadyExists, HRESULT_FROM_WIN32(ERROR_BUSY)},
    {absl::StatusCode::kPermissionDenied, E_ACCESSDENIED},
    {absl::StatusCode::kResourceExhausted,
     HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES)},
    {absl::StatusCode::kUnimplemented, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED)},
    {absl::StatusCode::kUnavailable,
     HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE)},
    {absl::StatusCode::kDataLoss, HRESULT_FROM_WIN32(ERROR_INVALID_DATA)},
    {absl::StatusCode::kCancelled, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)},
    {absl::StatusCode::kAborted, HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)},
    {absl::StatusCode::kDeadlineExceeded,
     HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED)},
};

struct Name {
  HRESULT hr;
  const char* name;
};

constexpr Name kNames[] = {
    {S_OK, "S_OK"},
    {E_INVALIDARG, "E_INVALIDARG"},
    {E_POINTER, "E_POINTER"},
    {E_OUTOFMEMORY, "E_OUTOFMEMORY"},
    {E_ACCESSDENIED, "E_ACCESSDENIED"},
    {E_UNEXPECTED, "E_UNEXPECTED"},
    {HRESULT_FROM_WIN32(ERROR_IO_PENDING), "ERROR_IO_PENDING"},
    {HRESULT_FROM_WIN32(ERROR_INVALID_STATE), "ERROR_INVALID_STATE"},
    {HRESULT_FROM_WIN32(ERROR_NOT_FOUND), "ERROR_NOT_FOUND"},
    {HRESULT_FROM_WIN32(ERROR_BUSY), "ERROR_BUSY"},
    {HRESULT_FROM_WIN32(ERROR_SERVICE_NOT_ACTIVE), "ERROR_SERVICE_NOT_ACTIVE"},
    {HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED), "ERROR_NOT_SUPPORTED"},
    {HRESULT_FROM_WIN32(ERROR_DUP_NAME), "ERROR_DUP_NAME"},
    {HRESULT_FROM_WIN32(ERROR_HOST_UNREACHABLE), "ERROR_HOST_UNREACHABLE"},
    {HRESULT_FROM_WIN32(ERROR_OPERATION_ABORTED), "ERROR_OPERATION_ABORTED"},
    {HRESULT_FROM_WIN32(ERROR_INVALID_DATA), "ERROR_INVALID_DATA"},
    {HRESULT_FROM_WIN32(ERROR_NO_SYSTEM_RESOURCES),
     "ERROR_NO_SYSTEM_RESOURCES"},
};

}  // namespace

absl::Status WithHresult(absl::Status status, HRESULT hr) {
  if (!status.ok()) {
    status.SetPayload(kPayloadUrl, absl::Cord(absl::StrFormat(
                                       "%08x", static_cast<uint32_t>(hr))));
  }
  return status;
}

absl::Status HresultError(HRESULT hr, absl::string_view message) {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  for (const CodeMapping& mapping : kTable) {
    if (mapping.hr == hr) {
      code = mapping.code;
      break;
    }
  }
  return WithHresult(absl::Status(code, message), hr);
}

HRESULT ToHresult(const absl::Status& status) {
  if (status.ok()) return S_OK;
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  uint32_t exact = 0;
  if (payload.has_value() &&
      absl::SimpleHexAtoi(std::string(*payload), &exact)) {
    return static_cast<HRESULT>(exact);
  }
  for (const CodeMapping& mapping : kTable) {
    if (mapping.code == status.code()) return mapping.hr;
  }
  return E_UNEXPECTED;
}

std::string HresultName(HRESULT hr) {
  for (const Name& name : kNames) {
    if (name.hr == hr) return name.name;
  }
  return absl::StrFormat("0x%08X", static_cast<uint32_t>(hr));
}

}  // namespace natfwt::cp
