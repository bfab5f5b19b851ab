#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
"""natfwt beside raw and beside the tunnels people would pick instead.

In one NAT lab (c behind a port-restricted NAT, o open with a public address,
s behind a symmetric NAT), across the same NAT hop from c to o, with iperf3:
  * raw: to o's public address;
  * natfwt: its interfaces, direct path (c to o's transport ID), and relayed
    through TURN (c to s, which has no direct path from c);
  * wireguard-go, nebula and tinc from Debian's packages, configured here
    (tunnel_peers.py), c initiating towards o's public address; the kernel's
    WireGuard too where `ip link add type wireguard` works.
For each: TCP throughput (Gb/s, retransmits), UDP received packets/s at a
high offered load of 1200-byte datagrams (and loss), and the ping RTT through
the tunnel (median, and 90th percentile) minus the raw RTT. Measurements
are interleaved over rounds (all paths once per round) and the table gives
each figure's median, since the machine is shared. Prints ratios to raw,
natfwt direct's ratio to the best userspace peer, and whether the target (at
least 2x on TCP and on received UDP packets/s) is met.

Usage: tunnel_bench.py NATFWT [--quick] [--rounds N] [--seconds S]
                              [--udp-mbps M] [--require-target]
Exits 77 (skipped) when not root or iperf3 is missing, 1 when a step fails
(or, with --require-target, when the target is not met), else 0.
Also called by lab_bench.py (throughput()).
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import tunnel_peers

DATAGRAM = 1200      # UDP payload bytes (issue 6).
TARGET = 2.0         # natfwt direct vs the best userspace peer.
IPERF_PORT = 5201


def run(args, timeout=600, check=True, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True,
                            timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s%s" % (
            " ".join(args), result.returncode, result.stdout[-2000:],
            result.stderr[-2000:]))
    return result


class Lab:
    """A running NAT lab: its name, hosts' public addresses, a work dir."""

    def __init__(self, natfwt, name, hosts):
        self.natfwt = natfwt
        self.name = name
        self.hosts = hosts
        self.public = {}
        self.workdir = None

    def up(self):
        self.workdir = tempfile.mkdtemp(prefix="natfwt-bench-%s-" % self.name)
        args = [self.natfwt, "lab", "up", "--name", self.name, "--json"]
        for host in self.hosts:
            args += ["--host", host]
        description = json.loads(run(args).stdout)
        self.public = {h["name"]: h["public_address"]
                       for h in description["hosts"]}

    def down(self):
        run([self.natfwt, "lab", "down", self.name], check=False)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def exec_args(self, host, args):
        return [self.natfwt, "lab", "exec", self.name, host, "--"] + args

    def run(self, host, args, check=True, timeout=120):
        return run(self.exec_args(host, args), check=check, timeout=timeout)


# --- natfwt nodes -----------------------------------------------------------

class NatfwtNodes:
    """`natfwt up` with an interface on each host, all in one network."""

    def __init__(self, lab):
        self.lab = lab
        self.procs = []
        self.states = {}

    def start(self, hosts):
        for host in hosts:
            state = os.path.join(self.lab.workdir, "natfwt-" + host)
            log = open(state + ".log", "w")
            args = self.lab.exec_args(host, [
                self.lab.natfwt, "up", "--rendezvous", "203.0.113.3:443",
                "--network", "bench", "--stun", "203.0.113.1:3478",
                "--turn", "turn:203.0.113.1:3478?transport=udp",
                "--turn-user", "user", "--turn-password", "password",
                "--allow", "any", "--no-ipv6", "--interface", "on",
                "--state-dir", state])
            self.procs.append(subprocess.Popen(args, stdout=log, stderr=log,
                                               stdin=subprocess.DEVNULL))
            log.close()
            self.states[host] = state
        return {h: self.wait_ready(h, len(hosts) - 1)["transport_ids"][0]
                for h in hosts}

    def status(self, host):
        end = time.monotonic() + 10
        while True:
            result = run([self.lab.natfwt, "status", "--json", "--state-dir",
                          self.states[host]], check=False)
            if result.returncode == 0:
                return json.loads(result.stdout)
            if time.monotonic() > end:
                raise RuntimeError("natfwt on %s never answered" % host)
            time.sleep(0.05)

    def wait_ready(self, host, peers):
        end = time.monotonic() + 20
        while True:
            s = self.status(host)
            online = sum(1 for p in s["peers"] if p["online"])
            if s["rendezvous_connected"] and s["transport_ids"] and \
                    online >= peers:
                return s
            if time.monotonic() > end:
                raise RuntimeError("natfwt on %s not ready: %s" % (host, s))
            time.sleep(0.05)

    def paths(self, host):
        """Transport ID -> path ("direct", "relay", ...) as `host` sees it."""
        return {p["transport_ids"][0]: p["path"]
                for p in self.status(host)["peers"] if p["transport_ids"]}

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- measurements -----------------------------------------------------------

def family(address):
    return ["-6"] if ":" in address else []


def iperf_server(lab, host):
    """Starts a one-shot iperf3 server in `host`; waits until it listens."""
    proc = subprocess.Popen(lab.exec_args(host, [
        "iperf3", "-s", "-1", "-p", str(IPERF_PORT)]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while True:
        listening = lab.run(host, ["ss", "-Hltn", "sport = :%d" % IPERF_PORT],
                            check=False).stdout.strip()
        if listening:
            return proc
        if proc.poll() is not None or time.monotonic() > end:
            stop(proc)
            raise RuntimeError("iperf3 server in %s did not listen" % host)
        time.sleep(0.02)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def iperf(lab, server, address, seconds, udp_mbps=None):
    """iperf3 from c to `address` (served in `server`); the JSON's "end"."""
    proc = iperf_server(lab, server)
    try:
        args = ["iperf3"] + family(address) + [
            "-c", address, "-p", str(IPERF_PORT), "-t", str(seconds), "-J"]
        if udp_mbps:
            args += ["-u", "-b", "%dM" % udp_mbps, "-l", str(DATAGRAM)]
        result = lab.run("c", args, check=False, timeout=seconds + 60)
        try:
            data = json.loads(result.stdout)
        except ValueError:
            data = {"error": result.stderr.strip() or "no output"}
        if "error" in data:
            raise RuntimeError("iperf3 to %s: %s" % (address, data["error"]))
        return data["end"]
    finally:
        stop(proc)


def tcp(lab, server, address, seconds):
    end = iperf(lab, server, address, seconds)
    return {"tcp_gbps": end["sum_received"]["bits_per_second"] / 1e9,
            "retransmits": end["sum_sent"].get("retransmits", 0)}


def udp(lab, server, address, seconds, mbps):
    """Received and sent packets/s, and loss, at `mbps` offered."""
    end = iperf(lab, server, address, seconds, udp_mbps=mbps)
    received = end.get("sum_received", end["sum"])
    sent = end.get("sum_sent", end["sum"])
    got = received["packets"] - received["lost_packets"]
    return {"udp_rx_pps": got / received["seconds"],
            "udp_tx_pps": sent["packets"] / sent["seconds"],
            "udp_loss_pct": received.get("lost_percent", 0.0)}


def ping(lab, address, count):
    """Median and 90th percentile ping RTT (ms) from c to `address`."""
    result = lab.run("c", ["ping"] + family(address) + [
        "-n", "-c", str(count), "-i", "0.05", "-W", "1", address],
        check=False, timeout=count + 30)
    times = sorted(float(t) for t in re.findall(r"time=([0-9.]+) ms",
                                                result.stdout))
    if not times:
        raise RuntimeError("no ping reply from %s: %s" % (
            address, result.stdout[-500:]))
    return {"rtt_ms": statistics.median(times),
            "rtt_p90_ms": times[int(0.9 * (len(times) - 1))]}


def route_dev(lab, address):
    """The interface c routes `address` through."""
    route = json.loads(lab.run("c", ["ip", "-j"] + family(address) + [
        "route", "get", address]).stdout)
    return route[0]["dev"]


def link_info(lab, dev):
    return json.loads(lab.run("c", ["ip", "-s", "-j", "link", "show", "dev",
                                    dev]).stdout)[0]


def rcvbuf_errors(lab, host):
    """UDP datagrams `host`'s kernel dropped for full socket buffers (IPv4
    and IPv6): a tunnel's own socket, or the iperf3 server's."""
    text = lab.run(host, ["cat", "/proc/net/snmp", "/proc/net/snmp6"]).stdout
    total = 0
    lines = text.splitlines()
    for header, values in zip(lines, lines[1:]):
        if header.startswith("Udp: ") and values.startswith("Udp: "):
            fields = dict(zip(header.split()[1:], values.split()[1:]))
            total += int(fields.get("RcvbufErrors", 0))
    for line in lines:
        parts = line.split()
        if len(parts) == 2 and parts[0] == "Udp6RcvbufErrors":
            total += int(parts[1])
    return total


def drops(lab, row):
    """Counters that show where a UDP run's datagrams were lost."""
    return {"tx_dropped": link_info(lab, row.dev)["stats64"]["tx"]["dropped"],
            "rcvbuf": rcvbuf_errors(lab, row.server)}


# --- the table --------------------------------------------------------------

class Row:
    """One path: where it goes, and its measurements per round."""

    def __init__(self, label, kind, server=None, address=None, reason=None):
        self.label = label
        self.kind = kind          # raw, natfwt, relayed, peer, kernel
        self.server = server
        self.address = address
        self.reason = reason      # Why it has no figures.
        self.mtu = None
        self.dev = None           # c's interface towards `address`.
        self.samples = []

    def median(self, key):
        values = [s[key] for s in self.samples if key in s]
        return statistics.median(values) if values else None


def measure(lab, row, seconds, udp_mbps, pings):
    sample = {}
    sample.update(tcp(lab, row.server, row.address, seconds))
    before = drops(lab, row)
    sample.update(udp(lab, row.server, row.address, seconds, udp_mbps))
    after = drops(lab, row)
    sample.update({"udp_" + k: after[k] - before[k] for k in after})
    sample.update(ping(lab, row.address, pings))
    row.samples.append(sample)


def ratio(value, base):
    return value / base if value is not None and base else None


def fmt(value, spec, missing="-"):
    return spec % value if value is not None else missing


def print_table(rows, raw, rounds, seconds, udp_mbps):
    print("\n== across the NAT hop, c (port-restricted NAT) -> o (open): "
          "iperf3 %d s, UDP %d-byte datagrams offered at %d Mb/s; medians "
          "of %d interleaved round(s)" % (seconds, DATAGRAM, udp_mbps,
                                          rounds))
    print("%-30s %5s | %8s %6s %7s | %9s %6s %9s %6s | %7s %7s %7s" % (
        "path", "MTU", "TCP Gb/s", "x raw", "retrans", "UDP rx/s", "x raw",
        "sent/s", "loss%", "RTT ms", "+us", "p90 ms"))
    raw_tcp, raw_pps, raw_rtt = (raw.median("tcp_gbps"),
                                 raw.median("udp_rx_pps"),
                                 raw.median("rtt_ms"))
    for row in rows:
        if row.reason:
            print("%-30s unavailable: %s" % (row.label, row.reason))
            continue
        t, p, r = (row.median("tcp_gbps"), row.median("udp_rx_pps"),
                   row.median("rtt_ms"))
        print("%-30s %5s | %8s %6s %7s | %9s %6s %9s %6s | %7s %7s %7s" % (
            row.label[:30], fmt(row.mtu, "%d"), fmt(t, "%.2f"),
            fmt(ratio(t, raw_tcp), "%.3f"),
            fmt(row.median("retransmits"), "%d"), fmt(p, "%.0f"),
            fmt(ratio(p, raw_pps), "%.3f"),
            fmt(row.median("udp_tx_pps"), "%.0f"),
            fmt(row.median("udp_loss_pct"), "%.1f"), fmt(r, "%.3f"),
            fmt(None if r is None or raw_rtt is None else
                1000 * (r - raw_rtt), "%+.0f"),
            fmt(row.median("rtt_p90_ms"), "%.2f")))
    print("per round: TCP Gb/s; UDP received/s; during the UDP runs, "
          "datagrams c's interface dropped (TX: its reader fell behind) and "
          "the receiving host dropped for full socket buffers (tunnel's or "
          "iperf3's)")
    for row in rows:
        if row.reason:
            continue
        print("  %-28s TCP %s | UDP rx/s %s | TX drops %s | rcvbuf drops %s"
              % (row.label[:28],
                 " ".join("%.2f" % s["tcp_gbps"] for s in row.samples),
                 " ".join("%.0f" % s["udp_rx_pps"] for s in row.samples),
                 " ".join("%d" % s["udp_tx_dropped"] for s in row.samples),
                 " ".join("%d" % s["udp_rcvbuf"] for s in row.samples)))


def verdict(rows):
    """Prints natfwt direct vs the best userspace peer; True if target met."""
    natfwt = next(r for r in rows if r.kind == "natfwt")
    peers = [r for r in rows if r.kind == "peer" and not r.reason]
    kernel = [r for r in rows if r.kind == "kernel" and not r.reason]
    if natfwt.reason or not peers:
        print("target: cannot be judged (%s)" % (
            natfwt.reason or "no userspace peer ran"))
        return False
    met = True
    for key, what, spec in (("tcp_gbps", "TCP Gb/s", "%.2f"),
                            ("udp_rx_pps", "received UDP packets/s", "%.0f")):
        best = max(peers, key=lambda r: r.median(key))
        x = ratio(natfwt.median(key), best.median(key))
        met &= x is not None and x >= TARGET
        line = ("natfwt direct vs best userspace peer, %s: %s / %s (%s) "
                "= %.2fx (target %.0fx: %s)" % (
                    what, spec % natfwt.median(key), spec % best.median(key),
                    best.label, x, TARGET,
                    "met" if x >= TARGET else "NOT met"))
        if kernel:
            line += "; vs kernel WireGuard %.2fx" % ratio(
                natfwt.median(key), kernel[0].median(key))
        print(line)
    print("target (>= %.0fx the best of wireguard-go, nebula, tinc on TCP and "
          "on received UDP packets/s): %s" % (TARGET,
                                             "met" if met else "NOT met"))
    return met


def throughput(natfwt, seconds=5, rounds=3, udp_mbps=2000, pings=30):
    """Runs the whole comparison in one lab; returns (ok, target_met)."""
    lab = Lab(natfwt, "t%d" % (os.getpid() % 100000),
              ["c=port", "o=open", "s=symmetric"])
    nodes = NatfwtNodes(lab)
    tunnels = tunnel_peers.all_tunnels()
    failed = False
    load = os.getloadavg()
    try:
        lab.up()
        ids = nodes.start(["c", "o", "s"])
        # Sessions first (ping), so the measurement is of the path.
        for target in ("o", "s"):
            lab.run("c", ["ping", "-6", "-n", "-c", "3", "-i", "0.3",
                          ids[target]])
        paths = nodes.paths("c")
        rows = [Row("raw (o's public address)", "raw", "o", lab.public["o"]),
                Row("natfwt direct (%s)" % paths.get(ids["o"]), "natfwt", "o",
                    ids["o"]),
                Row("natfwt relayed (%s, to s)" % paths.get(ids["s"]),
                    "relayed", "s", ids["s"])]
        for tunnel in tunnels:
            row = Row(tunnel.label(), "kernel" if getattr(
                tunnel, "kernel", False) else "peer", "o")
            row.reason = tunnel.unavailable(lab)
            if not row.reason:
                try:
                    row.address = tunnel.setup(lab)
                except (RuntimeError, OSError,
                        subprocess.CalledProcessError) as e:
                    row.reason = "setup failed: %s" % e
                    failed = True
            rows.append(row)
        for row in rows:
            if not row.reason:
                row.dev = route_dev(lab, row.address)
                row.mtu = link_info(lab, row.dev)["mtu"]
        for _ in range(rounds):
            for row in rows:
                if row.reason:
                    continue
                try:
                    measure(lab, row, seconds, udp_mbps, pings)
                except (RuntimeError, subprocess.TimeoutExpired) as e:
                    print("%s: %s" % (row.label, e), file=sys.stderr)
                    failed = True
        for row in rows:
            if not row.reason and not row.samples:
                row.reason = "every measurement failed"
        print_table(rows, rows[0], rounds, seconds, udp_mbps)
        met = verdict(rows)
        after = os.getloadavg()
        print("load average (1/5/15 min) before %.1f/%.1f/%.1f, after "
              "%.1f/%.1f/%.1f on %d CPUs (shared machine: figures move with "
              "it)" % (load + after + (os.cpu_count(),)))
        return not failed, met
    finally:
        for tunnel in tunnels:
            tunnel.teardown()
        nodes.stop()
        lab.down()


def option(name, default, kind=int):
    if name in sys.argv:
        return kind(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    if os.geteuid() != 0:
        print("tunnel_bench: needs root (network namespaces); skipped")
        return 77
    if shutil.which("iperf3") is None:
        print("tunnel_bench: iperf3 missing (apt-get install iperf3)")
        return 77 if os.environ.get("CI") != "true" else 1
    natfwt = sys.argv[1] if len(sys.argv) > 1 else "natfwt"
    quick = "--quick" in sys.argv
    ok, met = throughput(
        natfwt, seconds=option("--seconds", 3 if quick else 5),
        rounds=option("--rounds", 1 if quick else 3),
        udp_mbps=option("--udp-mbps", 2000))
    if not ok:
        return 1
    return 1 if "--require-target" in sys.argv and not met else 0


if __name__ == "__main__":
    sys.exit(main())
