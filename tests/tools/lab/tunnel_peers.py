# Copyright 2026 The natfwt Authors.
"""The tunnels people would pick instead of natfwt, set up in a NAT lab.

Each class configures one tunnel between two lab hosts, a client behind a
NAT ("c") and an open host with a public address ("o"), from Debian's
packages and a temporary directory only: the client initiates, towards the
open host's public address, so none of them needs NAT traversal of its own.

  WireGuard(kernel=False)  wireguard-go (keys with `wg genkey`, the interface
                           configured with `wg` and `ip`)
  WireGuard(kernel=True)   the kernel's WireGuard, where `ip link add type
                           wireguard` works
  Nebula                   a lighthouse on the open host, certificates from
                           nebula-cert, UDP
  Tinc                     tinc 1.0 as Debian ships it (RSA keys from
                           `tincd -K`, router mode, default cipher)

Every tunnel is left at its defaults except for what it needs to work: its
addresses, ports and peers. Inner addresses are /24s of 198.19.0.0/16 (RFC
2544 benchmarking space; the lab uses 198.18.0.0/24s for its public links and
198.19.255.0/24 for its servers), so nothing here is private address space.

Usage (Lab: see tunnel_bench.py):
  tunnel = Nebula()
  reason = tunnel.unavailable(lab)        # None, or why it cannot run here
  address = tunnel.setup(lab)             # the open host's inner address
  ...
  tunnel.teardown()                       # ends its processes by PID

Interface names carry the lab's (per-run unique) name; wireguard-go's control
socket (/var/run/wireguard/NAME.sock) is shared by all namespaces, so that
matters.
"""

import os
import re
import shutil
import subprocess
import time

OPEN_HOST = "o"
CLIENT = "c"


def write_private(path, text):
    """Writes `text` to a new file only root may read (keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def first_line(args):
    """The first non-empty output line of `args`, or "" when it fails."""
    try:
        result = subprocess.run(args, capture_output=True, text=True,
                                timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip():
            return line.strip()
    return ""


class Tunnel:
    """One tunnel between the lab's hosts c and o (see the module doc)."""

    name = ""        # Short name for the table.
    programs = ()    # Executables it needs.
    package = ""     # The Debian package(s) that bring them.

    def __init__(self):
        self.procs = []     # (Popen, log path) of its daemons.
        self.workdir = None
        self.lab = None
        self.interfaces = {}  # host -> interface name.

    def unavailable(self, lab):
        """None when the tunnel can run in `lab`, else why not."""
        missing = [p for p in self.programs if shutil.which(p) is None]
        if missing:
            return "%s missing (apt-get install %s)" % (
                ", ".join(missing), self.package)
        return None

    def version(self):
        return ""

    def label(self):
        version = self.version()
        return "%s %s" % (self.name, version) if version else self.name

    def setup(self, lab):
        """Configures and starts the tunnel; returns o's inner address.

        Raises RuntimeError (with the daemons' log tails) when it does not
        carry a ping within its deadline.
        """
        self.lab = lab
        self.workdir = os.path.join(lab.workdir, self.name)
        os.makedirs(self.workdir, exist_ok=True)
        address = self.start()
        self.wait_ping(address)
        return address

    def start(self):
        raise NotImplementedError

    def daemon(self, host, args):
        """Starts `args` in `host` under its own log; kept for teardown."""
        log_path = os.path.join(self.workdir, "%s.log" % host)
        log = open(log_path, "w")
        proc = subprocess.Popen(self.lab.exec_args(host, args), stdout=log,
                                stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        log.close()
        self.procs.append((proc, log_path))
        return proc

    def check_alive(self):
        for proc, log_path in self.procs:
            if proc.poll() is not None:
                raise RuntimeError("%s exited (%d): %s" % (
                    self.name, proc.returncode, self.log_tail(log_path)))

    @staticmethod
    def log_tail(path):
        try:
            with open(path) as f:
                return f.read()[-1500:]
        except OSError:
            return ""

    def wait_ping(self, address, deadline_s=20.0):
        """Waits until c's ping to `address` is answered (1 s per try)."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            self.check_alive()
            result = self.lab.run(CLIENT, ["ping", "-n", "-c", "1", "-W", "1",
                                           address], check=False)
            if result.returncode == 0:
                return
        logs = " | ".join(self.log_tail(p) for _, p in self.procs)
        raise RuntimeError("%s: no ping reply from %s within %.0f s; logs: %s"
                           % (self.name, address, deadline_s, logs))

    def teardown(self):
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


class WireGuard(Tunnel):
    """WireGuard between c and o: wireguard-go, or the kernel's."""

    programs = ("wg",)
    package = "wireguard-tools"

    def __init__(self, kernel=False):
        super().__init__()
        self.kernel = kernel
        self.name = "kernel-wireguard" if kernel else "wireguard-go"
        if not kernel:
            self.programs = ("wg", "wireguard-go")
            self.package = "wireguard-tools wireguard-go"
        # Distinct subnets and ports so both can share the lab.
        self.subnet = "198.19.40" if kernel else "198.19.10"
        self.port = 51821 if kernel else 51820

    def version(self):
        if self.kernel:
            return ""
        line = first_line(["wireguard-go", "--version"])
        return line.split()[-1] if line else ""

    def unavailable(self, lab):
        reason = super().unavailable(lab)
        if reason or not self.kernel:
            return reason
        # Probe in the lab's own namespace, never the machine's.
        probe = "wgp%s" % lab.name
        result = lab.run(CLIENT, ["ip", "link", "add", probe, "type",
                                  "wireguard"], check=False)
        if result.returncode != 0:
            return "ip link add type wireguard: %s" % (
                result.stderr.strip() or "failed")
        lab.run(CLIENT, ["ip", "link", "del", probe], check=False)
        return None

    def keys(self, host):
        private = subprocess.run(["wg", "genkey"], capture_output=True,
                                 text=True, check=True).stdout
        public = subprocess.run(["wg", "pubkey"], input=private,
                                capture_output=True, text=True,
                                check=True).stdout.strip()
        path = os.path.join(self.workdir, "%s.key" % host)
        write_private(path, private)
        return path, public

    def create_interface(self, host, name):
        if self.kernel:
            self.lab.run(host, ["ip", "link", "add", name, "type",
                                "wireguard"])
            return
        self.daemon(host, ["wireguard-go", "-f", name])
        socket = "/var/run/wireguard/%s.sock" % name
        end = time.monotonic() + 10
        while not os.path.exists(socket):
            self.check_alive()
            if time.monotonic() > end:
                raise RuntimeError("wireguard-go: %s never appeared" % socket)
            time.sleep(0.02)

    def start(self):
        prefix = "wk" if self.kernel else "wg"
        addresses = {OPEN_HOST: self.subnet + ".2", CLIENT: self.subnet + ".1"}
        keys = {}
        for host in (OPEN_HOST, CLIENT):
            self.interfaces[host] = "%s%s%s" % (prefix, self.lab.name, host)
            keys[host] = self.keys(host)
            self.create_interface(host, self.interfaces[host])
        o_if, c_if = self.interfaces[OPEN_HOST], self.interfaces[CLIENT]
        self.lab.run(OPEN_HOST, [
            "wg", "set", o_if, "private-key", keys[OPEN_HOST][0],
            "listen-port", str(self.port), "peer", keys[CLIENT][1],
            "allowed-ips", addresses[CLIENT] + "/32"])
        self.lab.run(CLIENT, [
            "wg", "set", c_if, "private-key", keys[CLIENT][0],
            "peer", keys[OPEN_HOST][1],
            "endpoint", "%s:%d" % (self.lab.public[OPEN_HOST], self.port),
            "allowed-ips", addresses[OPEN_HOST] + "/32",
            "persistent-keepalive", "25"])
        for host in (OPEN_HOST, CLIENT):
            name = self.interfaces[host]
            self.lab.run(host, ["ip", "address", "add",
                                addresses[host] + "/24", "dev", name])
            self.lab.run(host, ["ip", "link", "set", name, "up"])
        return addresses[OPEN_HOST]

    def teardown(self):
        super().teardown()
        if self.kernel and self.lab is not None:
            for host, name in self.interfaces.items():
                self.lab.run(host, ["ip", "link", "del", name], check=False)


class Nebula(Tunnel):
    """Nebula: a lighthouse on o (static_host_map to its public address)."""

    name = "nebula"
    programs = ("nebula", "nebula-cert")
    package = "nebula"
    subnet = "198.19.20"
    port = 4242

    def version(self):
        line = first_line(["nebula", "-version"])
        return line.split()[-1] if line else ""

    def certificates(self):
        ca = os.path.join(self.workdir, "ca")
        subprocess.run(["nebula-cert", "ca", "-name", "natfwt-bench",
                        "-out-crt", ca + ".crt", "-out-key", ca + ".key"],
                       capture_output=True, check=True)
        for host, ip in ((OPEN_HOST, 1), (CLIENT, 2)):
            base = os.path.join(self.workdir, host)
            subprocess.run(["nebula-cert", "sign", "-ca-crt", ca + ".crt",
                            "-ca-key", ca + ".key", "-name", host,
                            "-ip", "%s.%d/24" % (self.subnet, ip),
                            "-out-crt", base + ".crt",
                            "-out-key", base + ".key"],
                           capture_output=True, check=True)

    def config(self, host):
        lighthouse = self.subnet + ".1"
        base = os.path.join(self.workdir, host)
        is_lighthouse = host == OPEN_HOST
        # YAML flow style: JSON-compatible, no YAML library needed.
        text = "\n".join([
            "pki: {ca: %s, cert: %s, key: %s}" % (
                os.path.join(self.workdir, "ca.crt"), base + ".crt",
                base + ".key"),
            'static_host_map: {"%s": ["%s:%d"]}' % (
                lighthouse, self.lab.public[OPEN_HOST], self.port),
            "lighthouse: {am_lighthouse: %s, interval: 60, hosts: %s}" % (
                "true" if is_lighthouse else "false",
                "[]" if is_lighthouse else '["%s"]' % lighthouse),
            "listen: {host: 0.0.0.0, port: %d}" % (
                self.port if is_lighthouse else 0),
            "punchy: {punch: true}",
            "tun: {dev: %s}" % self.interfaces[host],
            "logging: {level: info}",
            "firewall:",
            "  outbound: [{port: any, proto: any, host: any}]",
            "  inbound: [{port: any, proto: any, host: any}]",
            ""])
        path = base + ".yml"
        write_private(path, text)
        return path

    def start(self):
        self.certificates()
        for host in (OPEN_HOST, CLIENT):
            self.interfaces[host] = "nb%s%s" % (self.lab.name, host)
            self.daemon(host, ["nebula", "-config", self.config(host)])
        return self.subnet + ".1"


class Tinc(Tunnel):
    """tinc 1.0 (Debian's `tinc`): c has `ConnectTo = o`, router mode."""

    name = "tinc"
    programs = ("tincd",)
    package = "tinc"
    subnet = "198.19.30"

    def version(self):
        # "tinc version 1.0.36 (built ...)".
        match = re.search(r"\d+\.\d+[.\w]*",
                          first_line(["tincd", "--version"]))
        return match.group(0) if match else ""

    def host_dir(self, host):
        return os.path.join(self.workdir, host)

    def configure(self, host, ip):
        confbase = self.host_dir(host)
        os.makedirs(os.path.join(confbase, "hosts"), exist_ok=True)
        conf = ["Name = %s" % host, "Interface = %s" % self.interfaces[host],
                "AddressFamily = ipv4"]
        if host == CLIENT:
            conf.append("ConnectTo = %s" % OPEN_HOST)
        with open(os.path.join(confbase, "tinc.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        hosts_file = ["Subnet = %s/32" % ip]
        if host == OPEN_HOST:
            hosts_file.append("Address = %s" % self.lab.public[OPEN_HOST])
        with open(os.path.join(confbase, "hosts", host), "w") as f:
            f.write("\n".join(hosts_file) + "\n")
        up = os.path.join(confbase, "tinc-up")
        with open(up, "w") as f:
            f.write('#!/bin/sh\nip address add %s/24 dev "$INTERFACE"\n'
                    'ip link set "$INTERFACE" up\n' % ip)
        os.chmod(up, 0o755)
        # tinc 1.0 -K: writes rsa_key.priv and appends the public key to
        # hosts/NAME; with no terminal on stdin it takes the default paths.
        subprocess.run(["tincd", "-c", confbase, "-K", "2048"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       check=True)

    def start(self):
        ips = {OPEN_HOST: self.subnet + ".1", CLIENT: self.subnet + ".2"}
        for host in (OPEN_HOST, CLIENT):
            self.interfaces[host] = "tn%s%s" % (self.lab.name, host)
            self.configure(host, ips[host])
        # Exchange host files (each now holds its node's public key).
        for host, other in ((OPEN_HOST, CLIENT), (CLIENT, OPEN_HOST)):
            shutil.copy(os.path.join(self.host_dir(other), "hosts", other),
                        os.path.join(self.host_dir(host), "hosts", other))
        for host in (OPEN_HOST, CLIENT):
            confbase = self.host_dir(host)
            # -D: stay in the foreground (its PID is ours to end); its own
            # pidfile, not the shared /var/run/tinc.pid.
            self.daemon(host, ["tincd", "-c", confbase, "-D",
                               "--pidfile=" + os.path.join(confbase, "pid"),
                               "--logfile=" + os.path.join(confbase, "log")])
        return ips[OPEN_HOST]

    def log_tail(self, path):
        # tincd logs to its --logfile, not to the daemon's output.
        host = os.path.basename(path)[:-len(".log")]
        return Tunnel.log_tail(path) + Tunnel.log_tail(
            os.path.join(self.host_dir(host), "log"))


def all_tunnels():
    """The userspace peers, then the kernel's WireGuard."""
    return [WireGuard(kernel=False), Nebula(), Tinc(), WireGuard(kernel=True)]
