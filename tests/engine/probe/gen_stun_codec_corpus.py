#!/usr/bin/env python3
# Copyright 2026 The natfwt Authors.
#
# Writes the seed corpus of stun_codec_fuzz:
#
#   tests/engine/probe/gen_stun_codec_corpus.py tests/engine/probe/corpus/stun_codec
#
# Each seed is one selector byte (see stun_codec_fuzz.cc) and one STUN
# answer encoded here from RFC 8489 / RFC 5780 / RFC 8656 with Python's
# struct and zlib, independently of libnice. The fuzz target gives each the
# transaction ID of its own request and recomputes a trailing FINGERPRINT.
import ipaddress
import os
import struct
import sys
import zlib

COOKIE = 0x2112A442
TID = bytes(range(1, 13))


def attr(kind, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack('>HH', kind, len(value)) + value + b'\0' * pad


def addr(kind, ip, port, xor=False):
    ip = ipaddress.ip_address(ip)
    packed = ip.packed
    if xor:
        port ^= COOKIE >> 16
        key = struct.pack('>I', COOKIE) + TID
        packed = bytes(b ^ key[i] for i, b in enumerate(packed))
    family = 1 if ip.version == 4 else 2
    return attr(kind, struct.pack('>BBH', 0, family, port) + packed)


def error(code, reason):
    return attr(0x0009, struct.pack('>HBB', 0, code // 100, code % 100) +
                reason.encode())


def message(kind, attrs, fingerprint=True):
    body = b''.join(attrs)
    if fingerprint:
        head = struct.pack('>HHI', kind, len(body) + 8, COOKIE) + TID
        crc = (zlib.crc32(head + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack('>I', crc))
    return struct.pack('>HHI', kind, len(body), COOKIE) + TID + body


BINDING_OK, BINDING_ERR = 0x0101, 0x0111
ALLOCATE_OK, ALLOCATE_ERR = 0x0103, 0x0113
REFRESH_OK, REFRESH_ERR = 0x0104, 0x0114
RFC5780 = [addr(0x0020, '198.51.100.7', 40001, xor=True),
           addr(0x0001, '198.51.100.7', 40001),
           addr(0x802B, '203.0.113.1', 3478),
           addr(0x802C, '203.0.113.2', 3479),
           attr(0x8022, b'natfwt corpus')]
CHALLENGE = [error(401, 'Unauthorized'), attr(0x0014, b'natfwt.test'),
             attr(0x0015, b'0123456789abcdef')]

SEEDS = {
    'binding_rfc5780': (0, message(BINDING_OK, RFC5780)),
    'binding_rfc5780_no_fingerprint': (0, message(BINDING_OK, RFC5780, False)),
    'binding_unfingerprinted_agent': (1, message(BINDING_OK, RFC5780, False)),
    'binding_v6': (0, message(BINDING_OK, [
        addr(0x0020, '2001:db8::7', 5000, xor=True),
        addr(0x802C, '2001:db8::2', 3479)])),
    'binding_rfc3489': (0, message(BINDING_OK, [
        addr(0x0001, '198.51.100.7', 40001),
        addr(0x0005, '203.0.113.2', 3479),
        addr(0x0004, '203.0.113.1', 3478)])),
    'binding_error_420': (0, message(BINDING_ERR, [
        error(420, 'Unknown Attribute'), attr(0x000A, struct.pack('>H', 3))])),
    'binding_no_mapped': (0, message(BINDING_OK, [attr(0x8022, b'x')])),
    'binding_unknown_required': (0, message(BINDING_OK, RFC5780 + [
        attr(0x0031, b'\0\0\0\7')])),
    'binding_bad_family': (0, message(BINDING_OK, [
        attr(0x0020, struct.pack('>BBH', 0, 9, 1) + b'\1\2\3\4')])),
    'binding_attr_overrun': (0, message(BINDING_OK, RFC5780)[:-4]),
    'binding_request': (0, message(0x0001, [])),
    'binding_indication': (0, message(0x0011, [])),
    'binding_short': (0, message(BINDING_OK, RFC5780)[:19]),
    'garbage': (0, bytes(range(0x80, 0xC0))),
    'empty': (0, b''),
    'allocate_challenge': (2, message(ALLOCATE_ERR, CHALLENGE)),
    'allocate_stale_nonce': (2, message(ALLOCATE_ERR, [
        error(438, 'Stale Nonce')] + CHALLENGE[1:])),
    'allocate_quota': (2, message(ALLOCATE_ERR, [error(486, 'Quota')])),
    'allocate_unsigned_success': (2, message(ALLOCATE_OK, [
        addr(0x0016, '203.0.113.1', 50000, xor=True),
        addr(0x0020, '198.51.100.7', 40001, xor=True),
        attr(0x000D, struct.pack('>I', 600))])),
    'allocate_error_no_code': (2, message(ALLOCATE_ERR, [])),
    'refresh_success_unsigned': (3, message(REFRESH_OK, [
        attr(0x000D, struct.pack('>I', 0))])),
    'refresh_challenge': (3, message(REFRESH_ERR, CHALLENGE)),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, (selector, body) in SEEDS.items():
        with open(os.path.join(out, name + '.bin'), 'wb') as f:
            f.write(bytes([selector]) + body)


if __name__ == '__main__':
    main()
