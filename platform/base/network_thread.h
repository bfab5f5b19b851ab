// Copyright 2026 The natfwt Authors.
//
// NetworkThread: one thread that owns a GMainContext and runs its loop.
//
// libnice agents, sockets watched through GLib and every piece of engine state
// that belongs to them live on this thread. Other threads hand it work with
// Post() or PostAndWait().
//
//   NetworkThread thread("natfwt-net");
//   NATFWT_RETURN_IF_ERROR(thread.Start());
//   thread.PostAndWait([&] { agent = nice_agent_new_full(thread.context(), ...); });
//
// Thread-safety: every method may be called from any thread. Tasks run in the
// order they were posted, one at a time.

#ifndef NATFWT_PLATFORM_BASE_NETWORK_THREAD_H_
#define NATFWT_PLATFORM_BASE_NETWORK_THREAD_H_

#include <glib.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace natfwt {

class NetworkThread {
 public:
  explicit NetworkThread(std::string name);
  NetworkThread(const NetworkThread&) = delete;
  NetworkThread& operator=(const NetworkThread&) = delete;
  // Stops the thread (see Stop()).
  ~NetworkThread();

  // Starts the thread and its main loop. Returns kFailedPrecondition when it
  // was already started.
  absl::Status Start();

  // Runs the tasks already posted, quits the loop and joins the thread.
  // Idempotent. Must not be called from the network thread itself (that would
  // join itself): from there it returns without stopping and logs an error.
  void Stop();

  // Queues `task` to run on the thread. Returns false (and drops the task)
  // when the thread is not running.
  bool Post(absl::AnyInvocable<void() &&> task);

  // Queues `task` to run on the thread after `delay`. Same return as Post().
  bool PostDelayed(absl::Duration delay, absl::AnyInvocable<void() &&> task);

  // Runs `task` on the thread and returns once it has finished. Runs it inline
  // when called from the network thread. Returns kFailedPrecondition without
  // running it when the thread is not running.
  absl::Status PostAndWait(absl::AnyInvocable<void() &&> task);

  // True when called from this network thread.
  bool IsCurrent() const;

  // The context the loop iterates; valid for the object's lifetime. Attach
  // sources to it, never iterate it from another thread.
  GMainContext* context() const { return context_; }

 private:
  void Run();
  bool Attach(GSource* source, absl::AnyInvocable<void() &&> task);

  const std::string name_;
  GMainContext* const context_;
  GMainLoop* const loop_;
  absl::Mutex mutex_;
  bool running_ ABSL_GUARDED_BY(mutex_) = false;
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
};

}  // namespace natfwt

#endif  // NATFWT_PLATFORM_BASE_NETWORK_THREAD_H_
