// Copyright 2026 The natfwt Authors.
//
// The facade's one error-mapping table: absl::Status inside the runtime,
// HRESULT at the C ABI (spec section 3.10).
//
// Most codes map by their canonical absl code (table in hresult.cc). Where one
// absl code has several HRESULT meanings (kUnavailable: service not active or
// no backend), the runtime attaches the exact HRESULT with WithHresult() and
// ToHresult() prefers it.

#ifndef NATFWT_FACADE_RUNTIME_HRESULT_H_
#define NATFWT_FACADE_RUNTIME_HRESULT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cpnatfwt.h"

namespace natfwt::cp {

inline constexpr HRESULT kPending = HRESULT_FROM_WIN32(ERROR_IO_PENDING);

// `status` with `hr` attached as the exact code the C ABI returns for it.
absl::Status WithHresult(absl::Status status, HRESULT hr);

// The HRESULT for `status`: S_OK for OK, the attached code if any, otherwise
// the table's mapping (E_UNEXPECTED for codes the table lacks).
HRESULT ToHresult(const absl::Status& status);

// A status carrying `hr` exactly; `message` says why.
absl::Status HresultError(HRESULT hr, absl::string_view message);

// Human-readable name ("E_INVALIDARG", "ERROR_IO_PENDING", "0x80004005").
std::string HresultName(HRESULT hr);

}  // namespace natfwt::cp

#endif  // NATFWT_FACADE_RUNTIME_HRESULT_H_
