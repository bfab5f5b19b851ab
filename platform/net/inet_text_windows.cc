// Copyright 2026 The natfwt Authors.
//
// inet_text.h on Windows: Winsock's inet_pton/inet_ntop (ws2tcpip.h). Both
// are pure conversions and need no WSAStartup.

// clang-format off
#include <winsock2.h>
#include <ws2tcpip.h>
// clang-format on

#include "platform/net/inet_text.h"

namespace natfwt::net {

bool TextToAddress(int version, const char* text, uint8_t* out) {
  return inet_pton(version == 4 ? AF_INET : AF_INET6, text, out) == 1;
}

std::string AddressToText(int version, const uint8_t* bytes) {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(version == 4 ? AF_INET : AF_INET6, bytes, buffer, sizeof(buffer));
  return buffer;
}

}  // namespace natfwt::net
