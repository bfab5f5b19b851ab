/* Copyright 2026 The natfwt Authors.
 *
 * example_os.h on POSIX systems: BSD sockets with sendmsg/poll, pthreads,
 * sigaction, clock_gettime.
 */
#define _POSIX_C_SOURCE 200809L /* the project compiles as strict C11 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "example_os.h"

/* Segments per datagram: one type byte plus the packet's chain. The CP's
 * chains are short (natfwt's are one segment); longer ones are refused. */
enum { kMaxSegments = 64 };

static volatile sig_atomic_t g_stop_requested = 0;

static void SetError(char* error, size_t error_size, const char* what,
                     int number) {
  if (error == NULL || error_size == 0) return;
  snprintf(error, error_size, "%s: %s", what, strerror(number));
}

int ExampleOsInit(char* error, size_t error_size) {
  (void)error;
  (void)error_size;
  return 0;
}

int ExampleSetEnv(const char* name, const char* value) {
  return setenv(name, value, 1) == 0 ? 0 : -1;
}

static void OnStopSignal(int signal_number) {
  (void)signal_number;
  g_stop_requested = 1;
}

int ExampleInstallStopHandlers(char* error, size_t error_size) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  /* No SA_RESTART: a blocked poll() returns EINTR and the loop sees the flag
   * at once (when the signal lands on the main thread; on a CP worker thread
   * the flag is seen at the next poll timeout). */
  action.sa_flags = 0;
  if (sigaction(SIGINT, &action, NULL) != 0 ||
      sigaction(SIGTERM, &action, NULL) != 0) {
    SetError(error, error_size, "sigaction", errno);
    return -1;
  }
  return 0;
}

int ExampleStopRequested(void) { return g_stop_requested != 0; }

uint64_t ExampleNowMs(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void ExampleSleepMs(unsigned ms) {
  struct timespec delay;
  delay.tv_sec = (time_t)(ms / 1000u);
  delay.tv_nsec = (long)(ms % 1000u) * 1000000L;
  /* EINTR (a stop signal) ends the sleep early, as documented. */
  (void)nanosleep(&delay, NULL);
}

struct ExampleMutex {
  pthread_mutex_t mutex;
};

ExampleMutex* ExampleMutexCreate(void) {
  ExampleMutex* mutex = (ExampleMutex*)malloc(sizeof *mutex);
  if (mutex == NULL) return NULL;
  if (pthread_mutex_init(&mutex->mutex, NULL) != 0) {
    free(mutex);
    return NULL;
  }
  return mutex;
}

void ExampleMutexLock(ExampleMutex* mutex) {
  (void)pthread_mutex_lock(&mutex->mutex);
}

void ExampleMutexUnlock(ExampleMutex* mutex) {
  (void)pthread_mutex_unlock(&mutex->mutex);
}

void ExampleMutexDestroy(ExampleMutex* mutex) {
  if (mutex == NULL) return;
  (void)pthread_mutex_destroy(&mutex->mutex);
  free(mutex);
}

struct ExampleSocket {
  int fd;
};

ExampleSocket* ExampleSocketOpen(const ExampleEndpoint* local, char* error,
                                 size_t error_size) {
  const struct sockaddr* address =
      (const struct sockaddr*)(const void*)local->storage.bytes;
  ExampleSocket* result = (ExampleSocket*)malloc(sizeof *result);
  if (result == NULL) {
    SetError(error, error_size, "malloc", ENOMEM);
    return NULL;
  }
  result->fd = socket(address->sa_family, SOCK_DGRAM, 0);
  if (result->fd < 0) {
    SetError(error, error_size, "socket", errno);
    free(result);
    return NULL;
  }
  if (fcntl(result->fd, F_SETFD, FD_CLOEXEC) != 0 ||
      bind(result->fd, address, (socklen_t)local->length) != 0) {
    SetError(error, error_size, "bind", errno);
    close(result->fd);
    free(result);
    return NULL;
  }
  return result;
}

void ExampleSocketClose(ExampleSocket* socket) {
  if (socket == NULL) return;
  close(socket->fd);
  free(socket);
}

int ExampleSocketSend(ExampleSocket* socket, const ExampleEndpoint* to,
                      const ExampleSegment* segments, size_t count) {
  struct iovec iov[kMaxSegments];
  struct msghdr message;
  size_t i;
  if (count > kMaxSegments) return kExampleSendFailed;
  for (i = 0; i < count; ++i) {
    iov[i].iov_base = (void*)(uintptr_t)segments[i].data;
    iov[i].iov_len = segments[i].size;
  }
  memset(&message, 0, sizeof message);
  message.msg_name = (void*)(uintptr_t)to->storage.bytes;
  message.msg_namelen = (socklen_t)to->length;
  message.msg_iov = iov;
  message.msg_iovlen = count;
  for (;;) {
    if (sendmsg(socket->fd, &message, 0) >= 0) return kExampleSendOk;
    if (errno == EINTR) continue;
    /* A full socket buffer loses the datagram, as a full router queue would:
     * IP semantics, the packet counts as sent. */
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
      return kExampleSendDropped;
    }
    return kExampleSendFailed;
  }
}

long ExampleSocketReceive(ExampleSocket* socket, void* buffer, size_t size,
                          ExampleEndpoint* from, int timeout_ms, char* error,
                          size_t error_size) {
  struct pollfd poll_fd;
  socklen_t from_length = (socklen_t)sizeof from->storage.bytes;
  ssize_t received;
  int ready;
  poll_fd.fd = socket->fd;
  poll_fd.events = POLLIN;
  poll_fd.revents = 0;
  ready = poll(&poll_fd, 1, timeout_ms);
  if (ready == 0) return 0;
  if (ready < 0) {
    if (errno == EINTR) return 0;
    SetError(error, error_size, "poll", errno);
    return -1;
  }
  received =
      recvfrom(socket->fd, buffer, size, MSG_DONTWAIT,
               (struct sockaddr*)(void*)from->storage.bytes, &from_length);
  if (received < 0) {
    /* An ICMP error queued for an earlier send (ECONNREFUSED and friends)
     * concerns that send only: keep receiving. */
    if (errno == EBADF || errno == ENOTSOCK || errno == EFAULT) {
      SetError(error, error_size, "recvfrom", errno);
      return -1;
    }
    return 0;
  }
  from->length = (int)from_length;
  return (long)received;
}
