#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
"""The NAT lab benchmark (root; `meson test --benchmark lab_bench`).

1. Cold setup: for every pair of NAT kinds, the time from `natfwt ping` to
   the first reply with no session yet (one pair at a time, each once both
   nodes' standby sessions are gathered: idle nodes), with no added
   delay and with 50 ms emulated RTT (25 ms each way across the wan). Targets
   at 50 ms RTT: direct-capable pairs within 2 RTT + 100 ms, relay-only pairs
   within 1 s.
2. Throughput and latency across the NAT hop (tunnel_bench.py, in one lab):
   iperf3 TCP and UDP (received packets/s at a high offered load) and ping
   RTT between a host behind a port-restricted NAT and an open host: raw (to
   the open host's public address), through the natfwt interfaces on the
   direct path and relayed through TURN (to a host behind a symmetric NAT),
   and through wireguard-go, nebula and tinc (kernel WireGuard where the
   kernel has it), as ratios to raw, with natfwt's ratio to the best of the
   userspace tunnels (target: 2x).

Usage: lab_bench.py NATFWT [--quick]
Prints the figures; exits 77 (skipped) when not root, 1 when a step fails.
"""

import json
import os
import subprocess
import sys

import tunnel_bench

NATFWT = sys.argv[1] if len(sys.argv) > 1 else "natfwt"
QUICK = "--quick" in sys.argv
SECONDS = 3 if QUICK else 5


def run(args, timeout=600, check=True):
    result = subprocess.run(args, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (
            " ".join(args), result.returncode, result.stdout[-2000:],
            result.stderr[-2000:]))
    return result


def cold_setup(delay_ms):
    out = run([NATFWT, "lab", "matrix", "--parallel", "1", "--pings", "1",
               "--delay-ms", str(delay_ms), "--json"], check=False).stdout
    return json.loads(out)


def report_cold(matrices):
    print("== cold setup: natfwt ping to first reply (ms), one pair at a time")
    print("%-22s %-7s %10s %10s %10s  %s" % (
        "pair (left x right)", "path", "0 ms RTT", "50 ms RTT", "target",
        "met"))
    by_pair = {}
    for delay, result in matrices.items():
        for p in result["pairs"]:
            by_pair.setdefault((p["left"], p["right"]), {})[delay] = p
    worst = {"direct": 0.0, "relay": 0.0}
    met_all = True
    for (left, right), runs in sorted(by_pair.items()):
        p50 = runs.get(25)
        p0 = runs.get(0)
        expected = (p50 or p0)["expected"]
        target = 2 * 50 + 100 if expected == "direct" else 1000
        t50 = p50["first_reply_ms"] if p50 else None
        t0 = p0["first_reply_ms"] if p0 else None
        met = t50 is not None and t50 <= target
        met_all &= met
        if t50 is not None:
            worst[expected] = max(worst[expected], t50)
        print("%-22s %-7s %10s %10s %10d  %s" % (
            "%s x %s" % (left, right), expected,
            "%.0f" % t0 if t0 is not None else "-",
            "%.0f" % t50 if t50 is not None else "-", target,
            "yes" if met else "NO"))
    print("worst at 50 ms RTT: direct-capable %.0f ms (target 200), "
          "relay-only %.0f ms (target 1000); all met: %s" % (
              worst["direct"], worst["relay"], met_all))
    for delay, result in sorted(matrices.items()):
        warm = sum(1 for p in result["pairs"] if p.get("warm"))
        print("%d ms one-way: %d of %d pairs started warm (both nodes' "
              "standbys gathered, engine/node/node.h)" % (
                  delay, warm, len(result["pairs"])))


def main():
    if os.geteuid() != 0:
        print("lab_bench: needs root (network namespaces); skipped")
        return 77
    for tool in ("iperf3",):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            print("lab_bench: %s missing (apt-get install %s)" % (tool, tool))
            return 77 if os.environ.get("CI") != "true" else 1
    matrices = {0: cold_setup(0), 25: cold_setup(25)}
    report_cold(matrices)
    ok, _ = tunnel_bench.throughput(NATFWT, seconds=SECONDS,
                                    rounds=1 if QUICK else 3)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
