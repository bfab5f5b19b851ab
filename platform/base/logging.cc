// Copyright 2026 The natfwt Authors.

#include "platform/base/logging.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace natfwt {
namespace logging_internal {

std::atomic<int> g_log_level{static_cast<int>(LogLevel::kWarning)};

}  // namespace logging_internal

namespace {

constexpr absl::string_view kNames[] = {"error", "warning", "info", "debug",
                                       "trace"};

std::mutex& SinkMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}

LogSink& Sink() {
  static LogSink* sink = new LogSink;
  return *sink;
}

absl::string_view Basename(absl::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

void DefaultSink(LogLevel level, absl::string_view file, int line,
                 absl::string_view message) {
  std::string out =
      absl::StrCat("natfwt ", absl::AsciiStrToUpper(LogLevelName(level).substr(0, 1)),
                   " ", Basename(file), ":", line, "] ", message, "\n");
  std::fwrite(out.data(), 1, out.size(), stderr);
}

// Runs once before main(): the environment decides the starting level.
[[maybe_unused]] const bool kEnvironmentRead = [] {
  InitLogLevelFromEnvironment();
  return true;
}();

}  // namespace

absl::Status ParseLogLevel(absl::string_view text, LogLevel* level) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "warn") lower = "warning";
  for (int i = 0; i < 5; ++i) {
    if (lower == kNames[i] || lower == std::string(1, static_cast<char>('0' + i))) {
      *level = static_cast<LogLevel>(i);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown log level '", text, "' (expected error, warning, info, debug or trace)"));
}

absl::string_view LogLevelName(LogLevel level) {
  int index = static_cast<int>(level);
  return index >= 0 && index < 5 ? kNames[index] : "unknown";
}

void SetLogLevel(LogLevel level) {
  logging_internal::g_log_level.store(static_cast<int>(level),
                                      std::memory_order_relaxed);
}

LogLevel GetLogLevel() {
  return static_cast<LogLevel>(
      logging_internal::g_log_level.load(std::memory_order_relaxed));
}

void InitLogLevelFromEnvironment() {
  const char* value = std::getenv("NATFWT_LOG_LEVEL");
  if (value == nullptr || *value == '\0') return;
  LogLevel level;
  absl::Status status = ParseLogLevel(value, &level);
  if (!status.ok()) {
    NATFWT_LOG(kWarning) << "NATFWT_LOG_LEVEL: " << status.message();
    return;
  }
  SetLogLevel(level);
}

LogSink SetLogSink(LogSink sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  return std::exchange(Sink(), std::move(sink));
}

namespace logging_internal {

LogMessage::~LogMessage() {
  std::string message = stream_.str();
  std::lock_guard<std::mutex> lock(SinkMutex());
  if (Sink()) {
    Sink()(level_, file_, line_, message);
  } else {
    DefaultSink(level_, file_, line_, message);
  }
}

}  // namespace logging_internal
}  // namespace natfwt
