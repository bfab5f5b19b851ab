/* Copyright 2026 The natfwt Authors.
 *
 * example_os.h on Windows: Winsock 2 (WSASendTo gathers like sendmsg,
 * WSAPoll), SRW locks, a console control handler for Ctrl-C / close.
 *
 * Not built on Linux; the abi suite syntax-checks it with mingw-w64.
 */
#define WIN32_LEAN_AND_MEAN
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>

#include "example_os.h"

enum { kMaxSegments = 64 };

static volatile LONG g_stop_requested = 0;

static void SetError(char* error, size_t error_size, const char* what,
                     int number) {
  if (error == NULL || error_size == 0) return;
  snprintf(error, error_size, "%s: Windows error %d", what, number);
}

int ExampleOsInit(char* error, size_t error_size) {
  WSADATA data;
  int result = WSAStartup(MAKEWORD(2, 2), &data);
  if (result != 0) {
    SetError(error, error_size, "WSAStartup", result);
    return -1;
  }
  return 0;
}

int ExampleSetEnv(const char* name, const char* value) {
  return _putenv_s(name, value) == 0 ? 0 : -1;
}

static BOOL WINAPI OnConsoleControl(DWORD type) {
  (void)type;
  InterlockedExchange(&g_stop_requested, 1);
  return TRUE; /* handled: the main loop shuts down cleanly */
}

int ExampleInstallStopHandlers(char* error, size_t error_size) {
  if (!SetConsoleCtrlHandler(OnConsoleControl, TRUE)) {
    SetError(error, error_size, "SetConsoleCtrlHandler", (int)GetLastError());
    return -1;
  }
  return 0;
}

int ExampleStopRequested(void) {
  return InterlockedCompareExchange(&g_stop_requested, 0, 0) != 0;
}

uint64_t ExampleNowMs(void) { return (uint64_t)GetTickCount64(); }

void ExampleSleepMs(unsigned ms) {
  /* Wake every 50 ms to honour a stop request, like EINTR on POSIX. */
  uint64_t deadline = ExampleNowMs() + ms;
  while (!ExampleStopRequested() && ExampleNowMs() < deadline) Sleep(50);
}

struct ExampleMutex {
  SRWLOCK lock;
};

ExampleMutex* ExampleMutexCreate(void) {
  ExampleMutex* mutex = (ExampleMutex*)malloc(sizeof *mutex);
  if (mutex != NULL) InitializeSRWLock(&mutex->lock);
  return mutex;
}

void ExampleMutexLock(ExampleMutex* mutex) {
  AcquireSRWLockExclusive(&mutex->lock);
}

void ExampleMutexUnlock(ExampleMutex* mutex) {
  ReleaseSRWLockExclusive(&mutex->lock);
}

void ExampleMutexDestroy(ExampleMutex* mutex) { free(mutex); }

struct ExampleSocket {
  SOCKET handle;
};

ExampleSocket* ExampleSocketOpen(const ExampleEndpoint* local, char* error,
                                 size_t error_size) {
  const struct sockaddr* address =
      (const struct sockaddr*)(const void*)local->storage.bytes;
  ExampleSocket* result = (ExampleSocket*)malloc(sizeof *result);
  if (result == NULL) {
    SetError(error, error_size, "malloc", ERROR_OUTOFMEMORY);
    return NULL;
  }
  result->handle = socket(address->sa_family, SOCK_DGRAM, IPPROTO_UDP);
  if (result->handle == INVALID_SOCKET) {
    SetError(error, error_size, "socket", WSAGetLastError());
    free(result);
    return NULL;
  }
  if (bind(result->handle, address, local->length) != 0) {
    SetError(error, error_size, "bind", WSAGetLastError());
    closesocket(result->handle);
    free(result);
    return NULL;
  }
  return result;
}

void ExampleSocketClose(ExampleSocket* socket) {
  if (socket == NULL) return;
  closesocket(socket->handle);
  free(socket);
}

int ExampleSocketSend(ExampleSocket* socket, const ExampleEndpoint* to,
                      const ExampleSegment* segments, size_t count) {
  WSABUF buffers[kMaxSegments];
  DWORD sent = 0;
  size_t i;
  int last_error;
  if (count > kMaxSegments) return kExampleSendFailed;
  for (i = 0; i < count; ++i) {
    buffers[i].buf = (CHAR*)(uintptr_t)segments[i].data;
    buffers[i].len = (ULONG)segments[i].size;
  }
  if (WSASendTo(socket->handle, buffers, (DWORD)count, &sent, 0,
                (const struct sockaddr*)(const void*)to->storage.bytes,
                to->length, NULL, NULL) == 0) {
    return kExampleSendOk;
  }
  last_error = WSAGetLastError();
  /* Raw Winsock codes, not POSIX look-alikes (style C6.25). */
  if (last_error == WSAEWOULDBLOCK || last_error == WSAENOBUFS) {
    return kExampleSendDropped;
  }
  return kExampleSendFailed;
}

long ExampleSocketReceive(ExampleSocket* socket, void* buffer, size_t size,
                          ExampleEndpoint* from, int timeout_ms, char* error,
                          size_t error_size) {
  WSAPOLLFD poll_fd;
  int from_length = (int)sizeof from->storage.bytes;
  int received;
  int ready;
  poll_fd.fd = socket->handle;
  poll_fd.events = POLLRDNORM;
  poll_fd.revents = 0;
  ready = WSAPoll(&poll_fd, 1, timeout_ms);
  if (ready == 0) return 0;
  if (ready < 0) {
    SetError(error, error_size, "WSAPoll", WSAGetLastError());
    return -1;
  }
  received =
      recvfrom(socket->handle, (char*)buffer, (int)size, 0,
               (struct sockaddr*)(void*)from->storage.bytes, &from_length);
  if (received == SOCKET_ERROR) {
    int last_error = WSAGetLastError();
    /* Windows reports an ICMP port unreachable for an earlier sendto as
     * WSAECONNRESET on the next recvfrom (see libjuice src/udp.c); it
     * concerns that datagram only. WSAEMSGSIZE: the datagram was cut. */
    if (last_error == WSAEMSGSIZE) {
      from->length = from_length;
      return (long)size;
    }
    if (last_error == WSAECONNRESET || last_error == WSAEWOULDBLOCK) return 0;
    SetError(error, error_size, "recvfrom", last_error);
    return -1;
  }
  from->length = from_length;
  return (long)received;
}
