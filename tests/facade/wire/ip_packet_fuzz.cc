// Copyright 2026 The natfwt Authors.
//
// libFuzzer target for ParseIpPacket and FlowId. Seed corpus:
// corpus/ip_packet/ (valid IPv4/IPv6 packets of every shape the parser
// handles, fragments, and malformed ones). Any invariant violation aborts.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "facade/wire/ip_packet.h"

namespace {

bool Inside(absl::Span<const uint8_t> part, const uint8_t* data, size_t size) {
  return part.data() >= data && part.data() + part.size() <= data + size;
}

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

// The libFuzzer entry point (declared for -Wmissing-declarations).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<natfwt::cp::IpPacketInfo> info =
      natfwt::cp::ParseIpPacket(absl::MakeConstSpan(data, size));
  if (!info.ok()) {
    Check(info.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!info.status().message().empty());
    return 0;
  }
  Check(info->version == 4 || info->version == 6);
  const size_t address_size = info->version == 4 ? 4 : 16;
  Check(info->source.size() == address_size);
  Check(info->destination.size() == address_size);
  Check(Inside(info->source, data, size));
  Check(Inside(info->destination, data, size));
  Check(info->total_length == size);
  Check(info->payload_offset <= size);
  Check(!info->has_ports || info->payload_offset + 4 <= size);
  Check(info->has_ports ||
        (info->source_port == 0 && info->destination_port == 0));
  Check(natfwt::cp::FlowId(*info, 0) != 0);
  Check(natfwt::cp::FlowId(*info, 0x5eed) != 0);
  Check(natfwt::cp::FlowId(*info, 1) == natfwt::cp::FlowId(*info, 1));
  return 0;
}
