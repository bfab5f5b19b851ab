// Copyright 2026 The natfwt Authors.
//
// natfwt's one logging facility.
//
// Abseil 20220623 has no absl/log; this is a small leveled logger with a
// replaceable sink. The level comes from the environment variable
// NATFWT_LOG_LEVEL (error, warning, info, debug, trace; default warning) and
// can be changed at run time (the CLI's --log-level flag calls SetLogLevel).
//
//   NATFWT_LOG(kInfo) << "registered interface " << name;
//
// A statement whose level is disabled costs one relaxed atomic load and
// evaluates none of its operands. Never log per packet: hot paths count.
//
// Thread-safety: every function here may be called from any thread; a sink is
// called with an internal mutex held, one message at a time.

#ifndef NATFWT_PLATFORM_BASE_LOGGING_H_
#define NATFWT_PLATFORM_BASE_LOGGING_H_

#include <atomic>
#include <functional>
#include <sstream>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace natfwt {

enum class LogLevel : int {
  kError = 0,
  kWarning = 1,
  kInfo = 2,
  kDebug = 3,
  kTrace = 4,
};

// Parses "error", "warning"/"warn", "info", "debug", "trace" (any case) or a
// digit 0-4. Returns kInvalidArgument for anything else.
absl::Status ParseLogLevel(absl::string_view text, LogLevel* level);
absl::string_view LogLevelName(LogLevel level);

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
inline bool LogEnabled(LogLevel level);

// Re-reads NATFWT_LOG_LEVEL. Called once at start-up automatically; an
// invalid value leaves the level unchanged and logs a warning.
void InitLogLevelFromEnvironment();

// A sink receives each finished message. The default writes
// "natfwt W file.cc:12] message" lines to stderr.
using LogSink = std::function<void(LogLevel, absl::string_view file, int line,
                                   absl::string_view message)>;
// Replaces the sink and returns the previous one. An empty function restores
// the default sink.
LogSink SetLogSink(LogSink sink);

namespace logging_internal {

extern std::atomic<int> g_log_level;

// Collects one message; emits it on destruction.
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line)
      : level_(level), file_(file), line_(line) {}
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage();
  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

// Lets the macro below be an expression of type void in both branches.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace logging_internal

inline bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) <=
         logging_internal::g_log_level.load(std::memory_order_relaxed);
}

}  // namespace natfwt

#define NATFWT_LOG(level)                                          \
  !::natfwt::LogEnabled(::natfwt::LogLevel::level)                 \
      ? (void)0                                                    \
      : ::natfwt::logging_internal::Voidify() &                    \
            ::natfwt::logging_internal::LogMessage(                \
                ::natfwt::LogLevel::level, __FILE__, __LINE__)     \
                .stream()

#endif  // NATFWT_PLATFORM_BASE_LOGGING_H_
