#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
"""The NAT lab benchmark (root; `meson test --benchmark lab_bench`).

1. Cold setup: for every pair of NAT kinds, the time from `natfwt ping` to
   the first reply with no session yet (one pair at a time), with no added
   delay and with 50 ms emulated RTT (25 ms each way across the wan). Targets
   at 50 ms RTT: direct-capable pairs within 2 RTT + 100 ms, relay-only pairs
   within 1 s.
2. Throughput across the NAT hop with iperf3 (TCP, and UDP at a fixed offered
   load), between a host behind a port-restricted NAT and an open host:
   raw (to the open host's public address), through the natfwt interfaces on
   the direct path (to its transport ID), and relayed through TURN (to a host
   behind a symmetric NAT), as ratios to raw.

Usage: lab_bench.py NATFWT [--quick]
Prints the figures; exits 77 (skipped) when not root, 1 when a step fails.
"""

import json
import os
import subprocess
import sys
import time

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


def lab_up(name, hosts):
    args = [NATFWT, "lab", "up", "--name", name, "--json"]
    for host in hosts:
        args += ["--host", host]
    return json.loads(run(args).stdout)


def start_node(lab, host, state_root, procs):
    state = os.path.join(state_root, host)
    log = open(state + ".log", "w")
    args = [NATFWT, "lab", "exec", lab, host, "--", NATFWT, "up",
            "--rendezvous", "203.0.113.3:443", "--network", "bench",
            "--stun", "203.0.113.1:3478",
            "--turn", "turn:203.0.113.1:3478?transport=udp",
            "--turn-user", "user", "--turn-password", "password",
            "--allow", "any", "--no-ipv6", "--interface", "on",
            "--state-dir", state]
    procs.append(subprocess.Popen(args, stdout=log, stderr=log))
    return state


def status(state):
    for _ in range(200):
        result = run([NATFWT, "status", "--json", "--state-dir", state],
                     check=False)
        if result.returncode == 0:
            return json.loads(result.stdout)
        time.sleep(0.05)
    raise RuntimeError("node %s never answered" % state)


def wait_members(state, count):
    for _ in range(400):
        s = status(state)
        online = sum(1 for p in s["peers"] if p["online"])
        if s["rendezvous_connected"] and s["transport_ids"] and online >= count:
            return s
        time.sleep(0.05)
    raise RuntimeError("node %s not ready" % state)


def iperf(lab, client, server, address, udp_mbps=None):
    run([NATFWT, "lab", "exec", lab, server, "--", "iperf3", "-s", "-1",
         "-D", "-I", "/tmp/natfwt-bench-%s-%s.pid" % (lab, server)])
    time.sleep(0.3)  # iperf3 -D returns before it listens.
    args = [NATFWT, "lab", "exec", lab, client, "--", "iperf3", "-c", address,
            "-t", str(SECONDS), "-J"]
    if ":" in address:
        args.insert(args.index("-c"), "-6")
    if udp_mbps:
        args += ["-u", "-b", "%dM" % udp_mbps, "-l", "1200"]
    data = json.loads(run(args, timeout=120).stdout)
    end = data["end"]
    if udp_mbps:
        s = end["sum"]
        return s["bits_per_second"] / 1e9, s.get("lost_percent", 0.0)
    return end["sum_received"]["bits_per_second"] / 1e9, \
        end["sum_sent"].get("retransmits", 0)


def throughput():
    lab = "b%d" % (os.getpid() % 100000)
    procs = []
    state_root = "/tmp/natfwt-bench-%s" % lab
    os.makedirs(state_root, exist_ok=True)
    try:
        description = lab_up(lab, ["c=port", "o=open", "s=symmetric"])
        public = {h["name"]: h["public_address"]
                  for h in description["hosts"]}
        states = {h: start_node(lab, h, state_root, procs)
                  for h in ("c", "o", "s")}
        ids = {h: wait_members(states[h], 2)["transport_ids"][0]
               for h in states}
        # Sessions first (ping), so the measurement is of the path.
        for target in ("o", "s"):
            run([NATFWT, "lab", "exec", lab, "c", "--", "ping", "-6", "-c", "3",
                 "-i", "0.3", ids[target]])
        paths = {p["transport_ids"][0] if p["transport_ids"] else "":
                 p["path"] for p in status(states["c"])["peers"]}
        print("\n== throughput across the NAT hop (iperf3, %d s each)" %
              SECONDS)
        rows = [("raw (to the open host's public address)", public["o"]),
                ("natfwt direct (%s)" % paths.get(ids["o"]), ids["o"]),
                ("natfwt relayed (%s)" % paths.get(ids["s"]), ids["s"])]
        raw_tcp = raw_udp = None
        for label, address in rows:
            tcp, retrans = iperf(lab, "c", "o" if address != ids["s"] else "s",
                                 address)
            udp, lost = iperf(lab, "c", "o" if address != ids["s"] else "s",
                              address, udp_mbps=2000)
            raw_tcp = raw_tcp or tcp
            raw_udp = raw_udp or udp
            print("%-45s TCP %6.2f Gb/s (%3.0f%% of raw, %d retransmits)  "
                  "UDP %6.2f Gb/s received (%3.0f%%, %.1f%% lost)" % (
                      label, tcp, 100 * tcp / raw_tcp, retrans, udp,
                      100 * udp / raw_udp, lost))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        run([NATFWT, "lab", "down", lab], check=False)
        subprocess.run(["rm", "-rf", state_root])


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
    throughput()
    return 0


if __name__ == "__main__":
    sys.exit(main())
