// Copyright 2026 The natfwt Authors.

#include "platform/base/network_thread.h"

#include <utility>

#include "absl/synchronization/notification.h"
#include "platform/base/logging.h"

namespace natfwt {
namespace {

using Task = absl::AnyInvocable<void() &&>;

gboolean RunTask(gpointer data) {
  std::move(*static_cast<Task*>(data))();
  return G_SOURCE_REMOVE;
}

void DeleteTask(gpointer data) { delete static_cast<Task*>(data); }

}  // namespace

NetworkThread::NetworkThread(std::string name)
    : name_(std::move(name)),
      context_(g_main_context_new()),
      loop_(g_main_loop_new(context_, FALSE)) {}

NetworkThread::~NetworkThread() {
  Stop();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

absl::Status NetworkThread::Start() {
  absl::MutexLock lock(&mutex_);
  if (running_ || thread_.joinable()) {
    return absl::FailedPreconditionError(name_ + ": already started");
  }
  running_ = true;
  absl::Notification started;
  thread_ = std::thread([this, &started] {
    thread_id_.store(std::this_thread::get_id());
    g_main_context_push_thread_default(context_);
    started.Notify();
    Run();
    g_main_context_pop_thread_default(context_);
  });
  started.WaitForNotification();
  return absl::OkStatus();
}

void NetworkThread::Run() {
  g_main_loop_run(loop_);
  // Tasks posted before Stop() still run; their sources are gone afterwards.
  while (g_main_context_iteration(context_, FALSE)) {
  }
}

void NetworkThread::Stop() {
  if (IsCurrent()) {
    NATFWT_LOG(kError) << name_ << ": Stop() called on its own thread; ignored";
    return;
  }
  {
    absl::MutexLock lock(&mutex_);
    if (!running_) return;
    running_ = false;
    // Posted under the lock so no task can be queued after the quit.
    GSource* source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_LOW);
    g_source_set_callback(
        source,
        [](gpointer loop) -> gboolean {
          g_main_loop_quit(static_cast<GMainLoop*>(loop));
          return G_SOURCE_REMOVE;
        },
        loop_, nullptr);
    g_source_attach(source, context_);
    g_source_unref(source);
  }
  thread_.join();
  thread_id_.store(std::thread::id());
}

bool NetworkThread::Attach(GSource* source, Task task) {
  absl::MutexLock lock(&mutex_);
  if (!running_) {
    g_source_unref(source);
    return false;
  }
  g_source_set_callback(source, RunTask, new Task(std::move(task)), DeleteTask);
  g_source_attach(source, context_);
  g_source_unref(source);
  return true;
}

bool NetworkThread::Post(Task task) {
  GSource* source = g_idle_source_new();
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  return Attach(source, std::move(task));
}

bool NetworkThread::PostDelayed(absl::Duration delay, Task task) {
  int64_t ms = absl::ToInt64Milliseconds(delay);
  if (ms < 0) ms = 0;
  if (ms > G_MAXUINT) ms = G_MAXUINT;
  return Attach(g_timeout_source_new(static_cast<guint>(ms)), std::move(task));
}

absl::Status NetworkThread::PostAndWait(Task task) {
  if (IsCurrent()) {
    std::move(task)();
    return absl::OkStatus();
  }
  absl::Notification done;
  bool posted = Post([&task, &done] {
    std::move(task)();
    done.Notify();
  });
  if (!posted) {
    return absl::FailedPreconditionError(name_ + ": thread is not running");
  }
  done.WaitForNotification();
  return absl::OkStatus();
}

bool NetworkThread::IsCurrent() const {
  return thread_id_.load() == std::this_thread::get_id();
}

}  // namespace natfwt
