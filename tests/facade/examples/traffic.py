#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
"""Test traffic for the sample providers' end-to-end test.

Every command has a deadline and exits nonzero with a reason on stderr when
the traffic does not arrive intact:

  tcp-server ADDR PORT          accept one connection, read to EOF, print
                                "<sha256> <bytes>"
  tcp-client ADDR PORT FILE     connect (retrying while refused), send FILE
  udp-echo ADDR PORT COUNT      echo datagrams until COUNT distinct ones came
  udp-client ADDR PORT COUNT    send COUNT numbered datagrams, each retried
                                until its echo returns; check every echo
"""
import hashlib
import os
import socket
import sys
import time

DEADLINE_S = 30.0
RETRY_S = 0.05
UDP_RETRANSMIT_S = 0.2
LINGER_S = 1.0


def family(address):
    return socket.AF_INET6 if ':' in address else socket.AF_INET


def fail(message):
    sys.stderr.write(f'traffic.py: {message}\n')
    sys.exit(1)


def tcp_server(address, port):
    with socket.socket(family(address), socket.SOCK_STREAM) as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((address, port))
        server.listen(1)
        server.settimeout(DEADLINE_S)
        connection, _ = server.accept()
        digest = hashlib.sha256()
        total = 0
        with connection:
            connection.settimeout(DEADLINE_S)
            while chunk := connection.recv(65536):
                digest.update(chunk)
                total += len(chunk)
    print(f'{digest.hexdigest()} {total}', flush=True)


def tcp_client(address, port, path):
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            connection = socket.create_connection((address, port), timeout=5)
            break
        except ConnectionRefusedError:  # the server is not listening yet
            if time.monotonic() > deadline:
                fail(f'connection to {address} port {port} refused')
            time.sleep(RETRY_S)
    with connection, open(path, 'rb') as data:
        connection.settimeout(DEADLINE_S)
        connection.sendall(data.read())
        connection.shutdown(socket.SHUT_WR)
        connection.recv(1)  # wait for the server's close: all data was read


def udp_echo(address, port, count):
    seen = set()
    with socket.socket(family(address), socket.SOCK_DGRAM) as sock:
        sock.bind((address, port))
        sock.settimeout(DEADLINE_S)
        while len(seen) < count:
            payload, peer = sock.recvfrom(65536)
            seen.add(payload)
            sock.sendto(payload, peer)
        # The last echo may be lost: keep answering retransmissions until
        # the client has been quiet for a while.
        sock.settimeout(LINGER_S)
        try:
            while True:
                payload, peer = sock.recvfrom(65536)
                sock.sendto(payload, peer)
        except socket.timeout:
            pass
    print(f'echoed {len(seen)}', flush=True)


def udp_client(address, port, count):
    deadline = time.monotonic() + DEADLINE_S
    with socket.socket(family(address), socket.SOCK_DGRAM) as sock:
        sock.settimeout(UDP_RETRANSMIT_S)
        for number in range(count):
            payload = f'{number:06d}:'.encode() + os.urandom(64 + number * 16)
            while True:
                if time.monotonic() > deadline:
                    fail(f'no echo for datagram {number}')
                sock.sendto(payload, (address, port))
                try:
                    echo, _ = sock.recvfrom(65536)
                except socket.timeout:
                    continue
                if echo == payload:
                    break
                if echo[:7] == payload[:7]:  # else: a late, duplicate echo
                    fail(f'datagram {number} came back altered')
    print(f'exchanged {count}', flush=True)


def main(argv):
    command, address, port = argv[1], argv[2], int(argv[3])
    if command == 'tcp-server':
        tcp_server(address, port)
    elif command == 'tcp-client':
        tcp_client(address, port, argv[4])
    elif command == 'udp-echo':
        udp_echo(address, port, int(argv[4]))
    elif command == 'udp-client':
        udp_client(address, port, int(argv[4]))
    else:
        fail(f'unknown command {command}')


if __name__ == '__main__':
    main(sys.argv)
