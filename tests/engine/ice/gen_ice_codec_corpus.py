#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
#
# Writes the seed corpus of ice_codec_fuzz:
#
#   tests/engine/ice/gen_ice_codec_corpus.py tests/engine/ice/corpus/ice_codec
#
# Session descriptions are encoded from the layout documented in
# engine/ice/session_description.h with Python's own zlib CRC-32 and base64,
# independently of the C++ encoder; session_description_test.cc uses some of
# these strings as vectors. The "bad_" seeds each break one rule with a valid
# checksum, so the parser reaches the check they aim at.
import base64
import binascii
import ipaddress
import os
import struct
import sys


def address(text, port):
    ip = ipaddress.ip_address(text)
    return bytes([4 if ip.version == 4 else 6]) + ip.packed + struct.pack('>H', port)


def candidate(kind, transport, component, priority, foundation, ip, port,
              related=None):
    record = bytes([kind, transport, component - 1]) + struct.pack('>I', priority)
    record += bytes([len(foundation)]) + foundation.encode() + address(ip, port)
    return record + (address(*related) if related else b'\0')


def body(ufrag='Zx4k', pwd='abcdefghijklmnopqrstuv', candidates=(), flags=0,
         version=1, fingerprint=bytes(range(32)), count=None, extra=b''):
    data = bytes([version, flags, len(ufrag)]) + ufrag.encode()
    data += bytes([len(pwd)]) + pwd.encode() + fingerprint
    data += bytes([len(candidates) if count is None else count])
    return data + b''.join(candidates) + extra


def encode(data):
    data += struct.pack('>I', binascii.crc32(data) & 0xffffffff)
    return 'natfwt1:' + base64.urlsafe_b64encode(data).decode().rstrip('=')


HOST = candidate(0, 0, 1, 2130706431, '1', '192.0.2.10', 50000)
MIXED = [
    HOST,
    candidate(1, 0, 1, 1694498815, '2', '203.0.113.5', 61000, ('192.0.2.10', 50000)),
    candidate(3, 0, 1, 16777215, '3', '198.51.100.7', 49152, ('203.0.113.5', 61000)),
    candidate(0, 1, 1, 1015023871, '4', '2001:db8::1', 9),
    candidate(0, 2, 1, 1010828031, '5', '2001:db8::1', 40000),
    candidate(2, 0, 1, 1845501695, 'a/b+', '2001:db8::2', 40001, ('2001:db8::1', 40000)),
]

SEEDS = {
    'desc_empty.txt': encode(body()),
    'desc_host.txt': encode(body(candidates=[HOST], flags=1)),
    'desc_mixed.txt': encode(body(ufrag='u+/9', pwd='P' * 22, candidates=MIXED, flags=1)),
    'desc_version2.txt': 'natfwt2:AAAA',
    'bad_trailing_bytes.txt': encode(body(candidates=[HOST], extra=b'\0')),
    'bad_flags.txt': encode(body(flags=2)),
    'bad_binary_version.txt': encode(body(version=2)),
    'bad_count.txt': encode(body(count=65)),
    'bad_count_beyond_data.txt': encode(body(candidates=[HOST], count=2)),
    'bad_family.txt': encode(body(candidates=[HOST[:-8] + b'\x05' + HOST[-7:]])),
    'bad_type.txt': encode(body(candidates=[bytes([4]) + HOST[1:]])),
    'bad_transport.txt': encode(body(candidates=[HOST[:1] + bytes([4]) + HOST[2:]])),
    'bad_ufrag.txt': encode(body(ufrag='abc')),
    'bad_pwd.txt': encode(body(pwd='x' * 21 + '=')),
    'bad_priority.txt': encode(body(candidates=[candidate(0, 0, 1, 0, '1', '192.0.2.10', 1)])),
    'bad_related.txt': encode(body(candidates=[candidate(3, 0, 1, 1, '1', '192.0.2.10', 1)])),
    'bad_crc.txt': encode(body())[:-3] + 'AAA',
    'bad_truncated.txt': encode(body(candidates=[HOST]))[:40],
    'trickle_host.txt': 'candidate:1 1 udp 2130706431 192.0.2.10 50000 typ host ufrag Zx4k',
    'trickle_relay.txt': ('candidate:3 1 UDP 16777215 198.51.100.7 49152 typ relay '
                          'raddr 203.0.113.5 rport 61000 ufrag Zx4k'),
    'trickle_tcp.txt': 'candidate:4 1 tcp 1015023871 2001:db8::1 9 typ host tcptype active ufrag Zx4k',
    'trickle_eoc.txt': 'end-of-candidates ufrag Zx4k',
    'trickle_bad.txt': 'candidate:1 1 udp 0 192.0.2.10 50000 typ host',
    'turn_udp.txt': 'turn:198.51.100.7:3478?transport=udp',
    'turn_tls.txt': 'turns:turn.example.net?transport=tcp',
    'turn_v6.txt': 'turn:[2001:db8::7]',
    'hostport.txt': 'stun.example.net:19302',
    'base64.txt': 'Zm9vYmFy',
    'empty.txt': '',
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in SEEDS.items():
        with open(os.path.join(out, name), 'w') as seed:
            seed.write(text)
    print(len(SEEDS), 'seeds written to', out)


if __name__ == '__main__':
    main()
