// Copyright 2026 The natfwt Authors.
//
// The OS-independent parts of udp_socket.h.

#include "platform/net/udp_socket.h"

#include "absl/strings/str_cat.h"

namespace natfwt::net {

std::string UdpEndpoint::ToString() const {
  if (address.is_v6()) return absl::StrCat("[", address.ToString(), "]:", port);
  return absl::StrCat(address.ToString(), ":", port);
}

absl::string_view IoErrorName(IoError error) {
  switch (error) {
    case IoError::kOk:
      return "ok";
    case IoError::kWouldBlock:
      return "would-block";
    case IoError::kMessageTooBig:
      return "message-too-big";
    case IoError::kUnreachable:
      return "unreachable";
    case IoError::kNoBuffers:
      return "no-buffers";
    case IoError::kPermission:
      return "permission";
    case IoError::kInvalidArgument:
      return "invalid-argument";
    case IoError::kClosed:
      return "closed";
    case IoError::kOther:
      break;
  }
  return "other";
}

}  // namespace natfwt::net
