// Copyright 2026 The natfwt Authors.
//
// Fuzz target: the rtnetlink parsers take any datagram without crashing or
// reading out of bounds.

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstddef>
#include <cstdint>

#include "platform/tun/netlink_linux.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace natfwt::tun::netlink;  // NOLINT: a fuzz entry point.
  auto messages = SplitMessages(absl::MakeConstSpan(data, size));
  if (!messages.ok()) return 0;
  for (const Message& message : *messages) {
    if (message.type == NLMSG_ERROR) (void)ParseAck(message);
    if (message.type == RTM_NEWLINK) (void)ParseLink(message);
    (void)AttributesAfter(message.payload, sizeof(rtmsg));
  }
  return 0;
}
