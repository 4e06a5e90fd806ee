#!/usr/bin/env python3
"""Send one NetBIOS datagram (RFC 1002 4.4.2) carrying an SMB mailslot
write, independently of the code under test: the interop harness uses it to
probe nmbd and to hand mailslotd datagrams it must drop.

    dgram_send.py --to IP [--port 138] --src 'CLIONE<00>' --src-ip IP
                  --dst 'PEER<00>' [--type unique|group|broadcast]
                  --mailslot '\\MAILSLOT\\name' DATA

Classic layout, as Samba sends it: no pad before the data, priority 1,
class 2 (unreliable), NBT flags 0x02 (B node, first fragment).  Sent from
an ephemeral UDP port (138 may be taken by the daemon in the same
namespace); SOURCE_PORT in the header still says 138.
"""
import argparse
import random
import re
import socket
import struct
import sys

MSG_TYPES = {'unique': 0x10, 'group': 0x11, 'broadcast': 0x12}


def nb_name(text):
    """'NAME<1c>' -> first-level encoded, length-prefixed, NUL-ended."""
    m = re.fullmatch(r'(.{1,15})<([0-9a-fA-F]{2})>', text)
    if not m:
        raise SystemExit('bad NetBIOS name %r (want NAME<xx>)' % text)
    raw = m.group(1).upper().encode('ascii').ljust(15, b' ')
    raw += bytes([int(m.group(2), 16)])
    enc = bytearray()
    for b in raw:
        enc += bytes([0x41 + (b >> 4), 0x41 + (b & 0x0f)])
    return bytes([32]) + bytes(enc) + b'\0'


def smb_mailslot(mailslot, data):
    name = mailslot.encode('ascii') + b'\0'
    data_off = 32 + 1 + 34 + 2 + len(name)
    hdr = b'\xffSMB' + bytes([0x25]) + bytes(27)
    words = struct.pack('<HHHHBBHIHHHHHBB3H',
                        0, len(data), 0, 0, 0, 0, 0, 0, 0,
                        0, data_off, len(data), data_off, 3, 0,
                        1, 1, 2)
    body = name + data
    return hdr + bytes([17]) + words + struct.pack('<H', len(body)) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--to', required=True)
    ap.add_argument('--port', type=int, default=138)
    ap.add_argument('--src', required=True)
    ap.add_argument('--src-ip', required=True)
    ap.add_argument('--dst', required=True)
    ap.add_argument('--type', choices=sorted(MSG_TYPES), default='unique')
    ap.add_argument('--mailslot', required=True)
    ap.add_argument('data')
    a = ap.parse_args()

    user = smb_mailslot(a.mailslot, a.data.encode('utf-8'))
    names = nb_name(a.src) + nb_name(a.dst)
    header = struct.pack('>BBH4sHHH', MSG_TYPES[a.type], 0x02,
                         random.randrange(1, 0xffff),
                         socket.inet_aton(a.src_ip), 138,
                         len(names) + len(user), 0)
    pkt = header + names + user
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.sendto(pkt, (a.to, a.port))
    print('sent %d bytes to %s:%d' % (len(pkt), a.to, a.port))
    return 0


if __name__ == '__main__':
    sys.exit(main())
