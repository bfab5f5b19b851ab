// Copyright 2026 The natfwt Authors.
//
// One STUN transaction over UDP: a request sent and retransmitted on the
// RFC 8489 section 6.2.1 schedule, cut short by an overall timeout, until a
// datagram the caller accepts arrives.
//
//   RetransmitPolicy policy{.timeout = absl::Milliseconds(1500)};
//   absl::StatusOr<Answer> answer = ExchangeUdp(
//       socket, socket, server, request.bytes, policy,
//       [&](absl::Span<const uint8_t> datagram, const net::UdpEndpoint&) {
//         return client.ParseBindingResponse(datagram).ok();
//       });
//
// The schedule is a pure function (MakeSchedule) so it is unit-tested; the
// exchange itself uses the real clock and real sockets.
//
// Thread-safety: functions; the sockets follow net::UdpSocket's rules.

#ifndef NATFWT_ENGINE_PROBE_STUN_EXCHANGE_H_
#define NATFWT_ENGINE_PROBE_STUN_EXCHANGE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "platform/net/udp_socket.h"

namespace natfwt::probe {

struct RetransmitPolicy {
  // RFC 8489 section 6.2.1 recommends 500 ms for an unknown path; a
  // diagnostic wants answers within a short timeout, so it starts at 100 ms
  // and doubles (implementation choice).
  absl::Duration initial_rto = absl::Milliseconds(100);
  // Rc: transmissions at most (spec default 7).
  int max_transmissions = 7;
  // Rm: after the last transmission, wait Rm * RTO (spec default 16).
  int last_wait_factor = 16;
  // Overall bound from the first transmission (implementation choice: the
  // caller's --timeout-ms).
  absl::Duration timeout = absl::Seconds(2);
};

struct RetransmitSchedule {
  // When to (re)transmit, relative to the first transmission (first is 0).
  std::vector<absl::Duration> sends;
  // When to give up, relative to the first transmission.
  absl::Duration give_up;
};

// Transmissions at 0, RTO, 3 RTO, 7 RTO, ... (Rc of them), giving up Rm*RTO
// after the last; every offset at or past `timeout` is dropped and give_up
// is capped at `timeout`. A non-positive timeout gives one transmission and
// give_up 0.
RetransmitSchedule MakeSchedule(const RetransmitPolicy& policy);

// What arrived.
struct Answer {
  std::vector<uint8_t> datagram;
  net::UdpEndpoint source;
  int transmissions = 0;  // Copies of the request sent before it arrived.
  // From the only transmission to the answer; absent after retransmissions
  // (Karn's rule: the answer cannot be tied to one copy).
  std::optional<absl::Duration> rtt;
};

// Decides whether a datagram that arrived is the answer (true) or noise to
// ignore (false).
using AnswerFilter = absl::FunctionRef<bool(absl::Span<const uint8_t> datagram,
                                            const net::UdpEndpoint& source)>;

// Sends `request` from `sender` to `destination` on the schedule of
// `policy`, and reads `receiver` (often the same socket) until `accept`
// takes a datagram. Errors: kDeadlineExceeded when nothing was accepted
// before give-up; kUnavailable when a send fails for another reason than a
// full buffer (unreachable network, refused by a firewall; the message
// names it) or the receiver reports an error.
absl::StatusOr<Answer> ExchangeUdp(net::UdpSocket& sender,
                                   net::UdpSocket& receiver,
                                   const net::UdpEndpoint& destination,
                                   absl::Span<const uint8_t> request,
                                   const RetransmitPolicy& policy,
                                   AnswerFilter accept);

// Opens a UDP socket on `local` (port 0 picks one) for STUN: no GSO/GRO,
// kernel-default buffers. Errors: as net::UdpSocket::Open.
absl::StatusOr<std::unique_ptr<net::UdpSocket>> OpenStunSocket(
    const net::UdpEndpoint& local);

}  // namespace natfwt::probe

#endif  // NATFWT_ENGINE_PROBE_STUN_EXCHANGE_H_
