// Copyright 2026 The natfwt Authors.
//
// Fuzz target: the node's signal bodies, offer texts and datagrams. Parsing
// never crashes, and whatever parses formats back to an equivalent value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "engine/node/node_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using natfwt::node::FormatSignalBody;
  using natfwt::node::ParsePing;
  using natfwt::node::ParseSignalBody;
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<natfwt::node::SignalBody> body = ParseSignalBody(text);
  if (body.ok()) {
    absl::StatusOr<natfwt::node::SignalBody> again =
        ParseSignalBody(FormatSignalBody(*body));
    if (!again.ok() || !(*again == *body)) std::abort();
  }
  absl::StatusOr<natfwt::node::SessionOffer> offer =
      natfwt::node::ParseSessionOffer(text);
  if (offer.ok()) {
    absl::StatusOr<natfwt::node::SessionOffer> again =
        natfwt::node::ParseSessionOffer(
            natfwt::node::FormatSessionOffer(*offer));
    if (!again.ok() || !(*again == *offer)) std::abort();
  }
  absl::Span<const uint8_t> datagram(data, size);
  std::optional<natfwt::node::PingMessage> ping = ParsePing(datagram);
  if (ping.has_value()) {
    uint8_t out[natfwt::node::kPingSize];
    natfwt::node::WritePing(*ping, absl::MakeSpan(out));
    std::optional<natfwt::node::PingMessage> back = ParsePing(out);
    if (!back.has_value() || !(*back == *ping)) std::abort();
  }
  return 0;
}
