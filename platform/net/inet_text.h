// Copyright 2026 The natfwt Authors.
//
// Address <-> text conversion, one implementation per OS (inet_pton/inet_ntop
// live in different headers on POSIX and Winsock).

#ifndef NATFWT_PLATFORM_NET_INET_TEXT_H_
#define NATFWT_PLATFORM_NET_INET_TEXT_H_

#include <cstdint>
#include <string>

namespace natfwt::net {

// `version` is 4 or 6; `out` receives 4 or 16 bytes. Returns false when
// `text` is not an address of that version.
bool TextToAddress(int version, const char* text, uint8_t* out);
std::string AddressToText(int version, const uint8_t* bytes);

}  // namespace natfwt::net

#endif  // NATFWT_PLATFORM_NET_INET_TEXT_H_
