// Copyright 2026 The natfwt Authors.
//
// Status propagation helpers over absl::Status / absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships no status macros, so natfwt carries its own
// with a project prefix; a later Abseil that adds its own cannot collide.
//
//   absl::Status Open() {
//     NATFWT_RETURN_IF_ERROR(CheckPermissions());
//     NATFWT_ASSIGN_OR_RETURN(int fd, OpenDevice());
//     ...
//   }

#ifndef NATFWT_PLATFORM_BASE_STATUS_MACROS_H_
#define NATFWT_PLATFORM_BASE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) once; returns it from the enclosing
// function when it is not OK.
#define NATFWT_RETURN_IF_ERROR(expr)                            \
  do {                                                          \
    ::absl::Status natfwt_status_ = (expr);                     \
    if (!natfwt_status_.ok()) return natfwt_status_;            \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>) once. On error returns its status
// from the enclosing function; otherwise moves the value into `lhs`, which
// may be a declaration (`auto x`, `int y`) or an existing lvalue.
#define NATFWT_ASSIGN_OR_RETURN(lhs, rexpr)                              \
  NATFWT_ASSIGN_OR_RETURN_IMPL_(                                         \
      NATFWT_STATUS_CONCAT_(natfwt_statusor_, __LINE__), lhs, rexpr)

#define NATFWT_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                  \
  if (!statusor.ok()) return std::move(statusor).status();  \
  lhs = std::move(statusor).value()

#define NATFWT_STATUS_CONCAT_INNER_(x, y) x##y
#define NATFWT_STATUS_CONCAT_(x, y) NATFWT_STATUS_CONCAT_INNER_(x, y)

#endif  // NATFWT_PLATFORM_BASE_STATUS_MACROS_H_
