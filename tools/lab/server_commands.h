// Copyright 2026 The natfwt Authors.
//
// Command lines of the processes and impairment rules a lab starts, as pure
// argv vectors and batch text (unit-tested without privileges).
//
//   * coturn (turnserver) in the srv namespace: STUN and TURN over UDP and
//     TCP on 203.0.113.1:3478 and 203.0.113.2:3478 with RFC 5780's
//     alternate port 3479 (two addresses x two ports answer CHANGE-REQUEST),
//     TURN over TLS on port 443 of both addresses (alternate TLS port 444),
//     relaying from 203.0.113.1; static long-term credentials user/password,
//     realm natfwt.lab; its own SQLite file, PID file and log in the lab's
//     state directory (nothing shared with a system coturn);
//   * the rendezvous: `<natfwt> rendezvous --listen 203.0.113.3:443`;
//   * delay/loss: a tc netem batch for the wan's interfaces, or the NFQUEUE
//     shim `<natfwt> lab shim ...` with an iptables rule queueing the wan's
//     FORWARD hook (nftables' own `queue` statement needs CONFIG_NFT_QUEUE,
//     which the kernels here lack; iptables' NFQUEUE target works through
//     either iptables backend).
//
// Thread-safety: pure functions, callable from any thread.

#ifndef NATFWT_TOOLS_LAB_SERVER_COMMANDS_H_
#define NATFWT_TOOLS_LAB_SERVER_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace natfwt::lab {

// The NFQUEUE queue number the shim binds (queues are per network
// namespace, so every lab can use the same one).
inline constexpr int kShimQueue = 0;
// Packets the kernel holds for the shim before it drops new ones
// (implementation choice: 200 ms of 1 Gbit/s of 1500-byte packets would need
// ~17000; labs carry far less).
inline constexpr int kShimQueueMaxLength = 65536;

// Files coturn uses, all inside the lab's state directory.
struct CoturnFiles {
  std::string certificate;  // PEM certificate for TLS.
  std::string private_key;  // PEM private key.
  std::string database;     // SQLite user database (created by coturn).
  std::string pid_file;
};

// `turnserver` argv; argv[0] is `turnserver_path`. Logs go to stdout.
std::vector<std::string> CoturnArgv(absl::string_view turnserver_path,
                                    const CoturnFiles& files);

// `<natfwt> rendezvous --listen 203.0.113.3:443`.
std::vector<std::string> RendezvousArgv(absl::string_view natfwt_path);

// `<natfwt> lab shim --queue Q --delay-ms D --loss-pct P`.
std::vector<std::string> ShimArgv(absl::string_view natfwt_path, int delay_ms,
                                  double loss_pct);

// iptables arguments (after the program name) that send every packet the
// wan forwards to the shim's queue. No --queue-bypass: without the shim,
// packets are dropped, so loss is never silently skipped.
std::vector<std::string> ShimIptablesArgs();

// The batch for `tc -n <wan> -batch -`: a netem qdisc with the delay and
// loss on each of `interfaces`.
std::string NetemBatch(const std::vector<std::string>& interfaces, int delay_ms,
                       double loss_pct);

// "30", "2.5": a percentage without trailing zeros, for command lines.
std::string FormatPercent(double pct);

}  // namespace natfwt::lab

#endif  // NATFWT_TOOLS_LAB_SERVER_COMMANDS_H_
