/* Copyright 2026 The natfwt Authors.
 *
 * example_os.h: the few operating-system services the sample providers need,
 * behind one portable interface (style C6: one interface, one implementation
 * file per OS, chosen by meson; no #ifdef inside function bodies).
 *
 *   example_os_posix.c  Linux and other POSIX systems (BSD sockets, poll,
 *                       pthreads, sigaction).
 *   example_os_win32.c  Windows (Winsock 2, WSAPoll, SRW locks, console
 *                       control handler).
 *
 * Nothing here includes an OS header, so provider sources that include only
 * this file and cpnatfwt.h compile unchanged on both systems.
 *
 * Errors: functions that can fail return 0 on success and -1 on failure, and
 * write a one-line reason (with the OS error text) into the caller's `error`
 * buffer when one is given.
 */
#ifndef NATFWT_FACADE_EXAMPLES_EXAMPLE_OS_H_
#define NATFWT_FACADE_EXAMPLES_EXAMPLE_OS_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Process setup: starts the socket library (Winsock) where one must be
 * started. Call once, first. Returns 0 or -1. */
int ExampleOsInit(char* error, size_t error_size);

/* Sets an environment variable for this process (the CP runtime reads its
 * configuration from the environment on first use, so call this before the
 * first CPNatfwt* call). Returns 0 or -1. */
int ExampleSetEnv(const char* name, const char* value);

/* --- Stop requests (SIGINT/SIGTERM, Ctrl-C / console close) --- */

/* Installs the handlers; afterwards ExampleStopRequested() turns nonzero once
 * the user asks the process to stop. The handlers only set a flag. */
int ExampleInstallStopHandlers(char* error, size_t error_size);
int ExampleStopRequested(void);

/* --- Time --- */

/* Milliseconds of a monotonic clock (arbitrary origin). */
uint64_t ExampleNowMs(void);
/* Sleeps about `ms` milliseconds; returns early when a stop is requested. */
void ExampleSleepMs(unsigned ms);

/* --- Mutex (the CP calls providers on its own worker threads) --- */

typedef struct ExampleMutex ExampleMutex;
/* Returns NULL when out of memory. */
ExampleMutex* ExampleMutexCreate(void);
void ExampleMutexLock(ExampleMutex* mutex);
void ExampleMutexUnlock(ExampleMutex* mutex);
void ExampleMutexDestroy(ExampleMutex* mutex);

/* --- UDP --- */

/* A socket address (IPv4 or IPv6 with port) in the OS's sockaddr form,
 * stored opaquely; 128 bytes = sizeof(struct sockaddr_storage) everywhere. */
typedef struct ExampleEndpoint {
  union {
    unsigned char bytes[128];
    uint64_t align; /* sockaddr_storage is 8-byte aligned */
  } storage;
  int length; /* bytes used in storage */
} ExampleEndpoint;

/* Parses "192.0.2.1:4000" or "[2001:db8::1]:4000" (numeric only, no name
 * lookups). Returns 0 or -1. */
int ExampleEndpointParse(const char* text, ExampleEndpoint* out, char* error,
                         size_t error_size);
/* Nonzero when both name the same family, address and port. */
int ExampleEndpointEqual(const ExampleEndpoint* a, const ExampleEndpoint* b);
/* Writes the endpoint as text ("[addr]:port" for IPv6). */
void ExampleEndpointFormat(const ExampleEndpoint* endpoint, char* out,
                           size_t out_size);

/* Formats a raw IPv4 (4 bytes) or IPv6 (16 bytes) address; "?" otherwise.
 * 46 bytes are always enough. */
void ExampleAddressFormat(const unsigned char* bytes, size_t size, char* out,
                          size_t out_size);
/* Parses a numeric IPv4 or IPv6 address into 4 or 16 raw bytes (network byte
 * order); returns the size, or 0 when `text` is not an address. */
size_t ExampleAddressParse(const char* text, unsigned char out[16]);

/* One piece of a datagram to send. */
typedef struct ExampleSegment {
  const void* data;
  size_t size;
} ExampleSegment;

typedef struct ExampleSocket ExampleSocket;

/* A UDP socket bound to `local` (non-blocking receive with a timeout).
 * Returns NULL with `error` set on failure. */
ExampleSocket* ExampleSocketOpen(const ExampleEndpoint* local, char* error,
                                 size_t error_size);
void ExampleSocketClose(ExampleSocket* socket);

/* Results of ExampleSocketSend. */
enum {
  kExampleSendOk = 0,
  kExampleSendDropped = 1, /* transient (buffers full): dropped, as IP may */
  kExampleSendFailed = 2,  /* the destination cannot be reached */
};
/* Sends the segments as one datagram (gathered by the kernel, no copy).
 * Safe to call from several threads at once. */
int ExampleSocketSend(ExampleSocket* socket, const ExampleEndpoint* to,
                      const ExampleSegment* segments, size_t count);

/* Waits up to `timeout_ms` for one datagram. Returns its size (> 0), 0 when
 * nothing arrived (timeout, interruption, or an error that only concerns one
 * datagram, such as Windows' WSAECONNRESET after an ICMP port unreachable),
 * or -1 with `error` set when the socket is unusable. Datagrams larger than
 * `size` are cut (and reported at their cut size). */
long ExampleSocketReceive(ExampleSocket* socket, void* buffer, size_t size,
                          ExampleEndpoint* from, int timeout_ms, char* error,
                          size_t error_size);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* NATFWT_FACADE_EXAMPLES_EXAMPLE_OS_H_ */
