// Copyright 2026 The natfwt Authors.

#include <arpa/inet.h>

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
