// Copyright 2026 The natfwt Authors.
//
// PacketSpan: a packet inside a larger buffer, with room to grow at both
// ends, so headers and trailers are added and removed in place (style C8:
// headroom via an offset, no copies).
//
//   [ headroom | data ... size | tailroom ]
//
// Plain value; does not own the memory it points into.

#ifndef NATFWT_ENGINE_RELAY_PACKET_H_
#define NATFWT_ENGINE_RELAY_PACKET_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace natfwt::relay {

struct PacketSpan {
  uint8_t* data = nullptr;  // First byte of the packet.
  size_t size = 0;          // Bytes of packet from `data` on.
  size_t headroom = 0;      // Writable bytes before `data`.
  size_t tailroom = 0;      // Writable bytes after `data + size`.

  absl::Span<uint8_t> bytes() const { return absl::Span<uint8_t>(data, size); }

  // Each returns false and changes nothing when there is not enough room.
  // Grows the packet by `n` bytes at the front (for a header).
  bool Prepend(size_t n) {
    if (n > headroom) return false;
    data -= n;
    size += n;
    headroom -= n;
    return true;
  }
  // Grows the packet by `n` bytes at the back (for a trailer).
  bool Append(size_t n) {
    if (n > tailroom) return false;
    size += n;
    tailroom -= n;
    return true;
  }
  // Removes `n` bytes from the front (a header read).
  bool TrimFront(size_t n) {
    if (n > size) return false;
    data += n;
    size -= n;
    headroom += n;
    return true;
  }
  // Removes `n` bytes from the back (a trailer read).
  bool TrimBack(size_t n) {
    if (n > size) return false;
    size -= n;
    tailroom += n;
    return true;
  }
};

}  // namespace natfwt::relay

#endif  // NATFWT_ENGINE_RELAY_PACKET_H_
