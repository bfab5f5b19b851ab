/* Copyright 2026 The natfwt Authors.
 *
 * The address half of example_os.h: parsing and formatting of socket
 * addresses. getaddrinfo, inet_ntop and the sockaddr structs are the same on
 * POSIX and Windows; only their headers differ, so this one file serves both
 * with a per-OS include block and no #ifdef below it.
 */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#define _POSIX_C_SOURCE 200809L /* getaddrinfo under strict C11 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <stdio.h>
#include <string.h>

#include "example_os.h"

/* Splits "host:port" / "[host]:port" into its parts; 0 or -1. */
static int SplitHostPort(const char* text, char* host, size_t host_size,
                         const char** port) {
  const char* colon;
  const char* host_begin = text;
  size_t host_length;
  if (text[0] == '[') {
    const char* close = strchr(text, ']');
    if (close == NULL || close[1] != ':') return -1;
    host_begin = text + 1;
    host_length = (size_t)(close - host_begin);
    colon = close + 1;
  } else {
    colon = strrchr(text, ':');
    if (colon == NULL || strchr(text, ':') != colon) return -1;
    host_length = (size_t)(colon - text);
  }
  if (host_length == 0 || host_length >= host_size || colon[1] == '\0') {
    return -1;
  }
  memcpy(host, host_begin, host_length);
  host[host_length] = '\0';
  *port = colon + 1;
  return 0;
}

int ExampleEndpointParse(const char* text, ExampleEndpoint* out, char* error,
                         size_t error_size) {
  char host[64];
  const char* port = NULL;
  struct addrinfo hints;
  struct addrinfo* found = NULL;
  int result;
  if (SplitHostPort(text, host, sizeof host, &port) != 0) {
    snprintf(error, error_size,
             "'%s' is not ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)", text);
    return -1;
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  result = getaddrinfo(host, port, &hints, &found);
  if (result != 0 || found == NULL ||
      found->ai_addrlen > sizeof out->storage.bytes) {
    snprintf(error, error_size, "'%s': %s", text,
             result != 0 ? gai_strerror(result) : "no address");
    if (found != NULL) freeaddrinfo(found);
    return -1;
  }
  memset(out, 0, sizeof *out);
  memcpy(out->storage.bytes, found->ai_addr, found->ai_addrlen);
  out->length = (int)found->ai_addrlen;
  freeaddrinfo(found);
  return 0;
}

int ExampleEndpointEqual(const ExampleEndpoint* a, const ExampleEndpoint* b) {
  const struct sockaddr* sa = (const struct sockaddr*)(const void*)&a->storage;
  const struct sockaddr* sb = (const struct sockaddr*)(const void*)&b->storage;
  if (sa->sa_family != sb->sa_family) return 0;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in* a4 = (const struct sockaddr_in*)(const void*)sa;
    const struct sockaddr_in* b4 = (const struct sockaddr_in*)(const void*)sb;
    return a4->sin_port == b4->sin_port &&
           memcmp(&a4->sin_addr, &b4->sin_addr, sizeof a4->sin_addr) == 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6* a6 = (const struct sockaddr_in6*)(const void*)sa;
    const struct sockaddr_in6* b6 = (const struct sockaddr_in6*)(const void*)sb;
    return a6->sin6_port == b6->sin6_port &&
           memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof a6->sin6_addr) == 0;
  }
  return 0;
}

void ExampleEndpointFormat(const ExampleEndpoint* endpoint, char* out,
                           size_t out_size) {
  const struct sockaddr* address =
      (const struct sockaddr*)(const void*)&endpoint->storage;
  char host[64] = "?";
  if (address->sa_family == AF_INET) {
    const struct sockaddr_in* v4 =
        (const struct sockaddr_in*)(const void*)address;
    inet_ntop(AF_INET, &v4->sin_addr, host, sizeof host);
    snprintf(out, out_size, "%s:%u", host, (unsigned)ntohs(v4->sin_port));
  } else if (address->sa_family == AF_INET6) {
    const struct sockaddr_in6* v6 =
        (const struct sockaddr_in6*)(const void*)address;
    inet_ntop(AF_INET6, &v6->sin6_addr, host, sizeof host);
    snprintf(out, out_size, "[%s]:%u", host, (unsigned)ntohs(v6->sin6_port));
  } else {
    snprintf(out, out_size, "?");
  }
}

void ExampleAddressFormat(const unsigned char* bytes, size_t size, char* out,
                          size_t out_size) {
  int family = size == 4 ? AF_INET : size == 16 ? AF_INET6 : 0;
  if (out_size == 0) return;
  if (family == 0 ||
      inet_ntop(family, (const void*)bytes, out, (socklen_t)out_size) == NULL) {
    snprintf(out, out_size, "?");
  }
}

size_t ExampleAddressParse(const char* text, unsigned char out[16]) {
  if (inet_pton(AF_INET, text, out) == 1) return 4;
  if (inet_pton(AF_INET6, text, out) == 1) return 16;
  return 0;
}
