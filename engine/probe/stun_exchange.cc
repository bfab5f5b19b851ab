// Copyright 2026 The natfwt Authors.

#include "engine/probe/stun_exchange.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"

namespace natfwt::probe {
namespace {

// Larger than any STUN answer handled here (a Binding or Allocate response
// is a few hundred bytes); longer datagrams are truncated and ignored.
constexpr size_t kReceiveCapacity = 4096;

// Reads every waiting datagram; returns the first one `accept` takes.
absl::StatusOr<std::optional<Answer>> Drain(net::UdpSocket& receiver,
                                            AnswerFilter accept) {
  std::vector<uint8_t> buffer(kReceiveCapacity);
  for (;;) {
    net::IncomingMessage slot;
    slot.buffer = buffer.data();
    slot.capacity = buffer.size();
    const net::ReceiveResult got =
        receiver.ReceiveBatch(absl::MakeSpan(&slot, 1));
    if (got.error == net::IoError::kWouldBlock) return std::nullopt;
    // ICMP errors of earlier sends surface on some systems; not an answer.
    if (got.error == net::IoError::kUnreachable) continue;
    if (got.error != net::IoError::kOk) {
      return absl::UnavailableError(
          absl::StrCat("receive failed: ", net::IoErrorName(got.error)));
    }
    if (slot.truncated) continue;
    const absl::Span<const uint8_t> datagram(buffer.data(), slot.size);
    if (accept(datagram, slot.source)) {
      return Answer{{datagram.begin(), datagram.end()}, slot.source, 0, {}};
    }
  }
}

absl::Status Transmit(net::UdpSocket& sender,
                      const net::UdpEndpoint& destination,
                      absl::Span<const uint8_t> request) {
  const net::OutgoingDatagram out{request.data(), request.size(), destination};
  const net::SendResult sent = sender.SendBatch(absl::MakeConstSpan(&out, 1));
  if (sent.sent == 1 || sent.error == net::IoError::kWouldBlock ||
      sent.error == net::IoError::kNoBuffers) {
    return absl::OkStatus();  // A lost copy is what retransmission is for.
  }
  return absl::UnavailableError(absl::StrCat("cannot send to ",
                                             destination.ToString(), ": ",
                                             net::IoErrorName(sent.error)));
}

}  // namespace

RetransmitSchedule MakeSchedule(const RetransmitPolicy& policy) {
  RetransmitSchedule schedule;
  schedule.sends.push_back(absl::ZeroDuration());
  if (policy.timeout <= absl::ZeroDuration()) {
    schedule.give_up = absl::ZeroDuration();
    return schedule;
  }
  absl::Duration at = absl::ZeroDuration();
  absl::Duration rto = policy.initial_rto;
  for (int sent = 1; sent < policy.max_transmissions; ++sent) {
    at += rto;
    rto *= 2;
    if (at >= policy.timeout) break;
    schedule.sends.push_back(at);
  }
  const absl::Duration last = schedule.sends.back();
  // RFC 8489 section 6.2.1: Rm times the initial RTO after the last one.
  schedule.give_up = std::min(
      policy.timeout, last + policy.initial_rto * policy.last_wait_factor);
  if (schedule.sends.size() < static_cast<size_t>(policy.max_transmissions)) {
    schedule.give_up = policy.timeout;  // Cut short: wait out the timeout.
  }
  return schedule;
}

absl::StatusOr<Answer> ExchangeUdp(net::UdpSocket& sender,
                                   net::UdpSocket& receiver,
                                   const net::UdpEndpoint& destination,
                                   absl::Span<const uint8_t> request,
                                   const RetransmitPolicy& policy,
                                   AnswerFilter accept) {
  const RetransmitSchedule schedule = MakeSchedule(policy);
  const absl::Time start = absl::Now();
  size_t next = 0;
  absl::Time last_sent = start;
  for (;;) {
    const absl::Time now = absl::Now();
    if (next < schedule.sends.size() && now >= start + schedule.sends[next]) {
      absl::Status sent = Transmit(sender, destination, request);
      if (!sent.ok()) return sent;
      last_sent = absl::Now();
      ++next;
      continue;
    }
    absl::StatusOr<std::optional<Answer>> drained = Drain(receiver, accept);
    if (!drained.ok()) return drained.status();
    if (drained->has_value()) {
      Answer answer = **std::move(drained);
      answer.transmissions = static_cast<int>(next);
      if (next == 1) answer.rtt = absl::Now() - last_sent;
      return answer;
    }
    const absl::Time wake = next < schedule.sends.size()
                                ? start + schedule.sends[next]
                                : start + schedule.give_up;
    if (now >= start + schedule.give_up && next >= schedule.sends.size()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no answer from ", destination.ToString(), " within ",
                       absl::ToInt64Milliseconds(schedule.give_up), " ms (",
                       next, " transmissions)"));
    }
    receiver.WaitReadable(std::max(wake - absl::Now(), absl::ZeroDuration()));
  }
}

absl::StatusOr<std::unique_ptr<net::UdpSocket>> OpenStunSocket(
    const net::UdpEndpoint& local) {
  return net::UdpSocket::Open(local,
                              {.gso = false, .gro = false, .buffer_bytes = 0});
}

}  // namespace natfwt::probe
