#!/usr/bin/env python3
"""mailslot decode --json against tshark -T json on every capture and vector.

Every field we produce must equal tshark's (same values, same order of
repeats) on every NBDS frame, except the documented differences below
(docs/decode.md, "Differences from tshark"); any other difference fails.
Fields tshark shows that we do not produce are counted, not failures,
except nbdgm.*, smb.* and mailslot.*, which we must all produce.

Usage: accuracy.py MAILSLOT SHARED_DIR TSHARK [--verbose] [NAME...]
       accuracy.py MAILSLOT - TSHARK [--verbose] --pcap FILE...
NAME limits the corpus to files of that base name; --pcap compares just
the given files (a capture a test has just made).
Last line: "decode_accuracy: N passed, N failed, N skipped".
"""
import collections
import concurrent.futures
import glob
import json
import os
import subprocess
import sys

MUST_PRODUCE = ('nbdgm.', 'smb.', 'mailslot.')
PAYLOAD = ('browser.', 'smb_netlogon.', 'nt.sid', 'data.')
OURS_ONLY = ('decode.', 'messenger.', 'icmp.')

# The documented differences: (key, description).  Each is matched by
# code in excused() below; docs/decode.md lists the same table.
DIFFERENCES = {
    'nbt-fragment': 'NBT fragments: tshark cannot reassemble; on a fragment '
                    'frame only frame/ip/udp/nbdgm fields are compared '
                    '(tshark decodes the first piece as a cut SMB, we '
                    'decode the reassembled datagram on the last piece)',
    'no-mailslot-dissector': 'tshark calls its mailslot dissector only for '
                             'DataCount > 0 and an upper-case \\MAILSLOT\\ '
                             'prefix; we decode every mailslot write',
    'netlogon-ex-labels': 'NETLOGON 0x17/0x19: tshark decodes them as the '
                          'pre-EX SAM responses (its labels and fields are '
                          'those of 0x13/0x15); we decode the EX form',
    'netlogon-ex-sockaddr': 'EX replies without a sockaddr: tshark reads '
                            'past the end (malformed, bogus fields); we '
                            'stop where the reply ends',
    'illegal-name': 'a source or destination name that is not a valid '
                    'encoded NetBIOS name: tshark shows "Illegal NetBIOS '
                    'name" and dissects on; we report the datagram '
                    'malformed and stop there',
    'malformed-smb': 'an SMB that is not a valid mailslot write (data '
                     'outside the packet, ...): we show its header and '
                     'stop; tshark shows what it can and flags it',
    'netlogon-nt5-response': 'NETLOGON 0x13 in the NT5 form (Samba AD DC): '
                             'tshark parses it as the NT4 form and reads '
                             'the NT5 fields as tokens',
    'truncated': 'frames cut by the snapshot length: tshark shows the cut '
                 'field (e.g. a name cut mid-way); we show only whole fields',
}


def load_json(data):
    text = data.decode('utf-8', 'surrogateescape')
    return json.loads(text, object_pairs_hook=lambda p: p)


def flatten(pairs, out):
    for k, v in pairs:
        if isinstance(v, list) and v and isinstance(v[0], tuple):
            flatten(v, out)
        elif isinstance(v, list) and v and isinstance(v[0], list):
            for item in v:
                flatten(item, out)
        elif isinstance(v, str):
            out[k].append(v)
        elif isinstance(v, list) and all(isinstance(x, str) for x in v):
            out[k].extend(v)


def tshark_frames(tshark, path):
    p = subprocess.run([tshark, '-n', '-r', path, '-Y', 'nbdgm', '-T',
                        'json'], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    frames = {}
    if not p.stdout.strip():
        return frames
    for pkt in load_json(p.stdout):
        layers = dict(dict(pkt)['_source'])['layers']
        f = collections.defaultdict(list)
        flatten(layers, f)
        frames[f['frame.number'][0]] = f
    return frames


def our_frames(mailslot, path):
    p = subprocess.run([mailslot, 'decode', '--json', '--no-progress',
                        path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    frames = {}
    for line in p.stdout.splitlines():
        obj = json.loads(line.decode('utf-8', 'surrogateescape'))
        f = collections.defaultdict(list)
        for k, v in obj.items():
            f[k].extend(v if isinstance(v, list) else [v])
        frames.setdefault(f['frame.number'][0], []).append(f)
    return p.returncode, p.stderr.decode(errors='replace'), frames


def netlogon_cmd(t):
    return t.get('smb_netlogon.command', [''])[0]


def excused(name, ours, theirs, o, t):
    """The documented difference that explains this field, or None."""
    if o.get('decode.nbt_fragment') and not name.startswith(
            ('frame.', 'ip.', 'udp.', 'nbdgm.')):
        return 'nbt-fragment'
    if (name.startswith(('mailslot.', 'data.')) and
            not t.get('mailslot.name') and o.get('mailslot.name')):
        return 'no-mailslot-dissector'
    if name.startswith(('smb_netlogon.', 'nt.sid', 'data.')) and \
            netlogon_cmd(t) in ('0x17', '0x19'):
        return 'netlogon-ex-labels'
    names = t.get('nbdgm.source_name', []) + t.get(
        'nbdgm.destination_name', [])
    if any(n.startswith('Illegal NetBIOS name') for n in names) and \
            name.startswith(('nbdgm.source_name', 'nbdgm.destination_name',
                             'smb.', 'mailslot.') + PAYLOAD):
        return 'illegal-name'
    if o.get('decode.status') == ['malformed'] and \
            o.get('decode.error', [''])[0].startswith('CODEC_ERR_SMB') and \
            name.startswith(('smb.', 'mailslot.') + PAYLOAD) and \
            theirs is not None and (ours is None or t.get('_ws.malformed')
                                    or theirs[:len(ours)] == ours):
        return 'malformed-smb'
    if netlogon_cmd(t) == '0x13' and 'smb_netlogon.domain_dns_name' in o \
            and name.startswith(('smb_netlogon.', 'data.')):
        return 'netlogon-nt5-response'
    if o.get('decode.status') == ['truncated'] and theirs is None:
        return 'truncated'
    if o.get('decode.status') == ['truncated'] and name.startswith('nbdgm.'):
        return 'truncated'
    return None


def compare_file(args, path):
    mailslot, tshark = args
    res = {'frames': 0, 'fields': 0, 'fail': [], 'excused': collections.Counter(),
           'tshark_only': collections.Counter(), 'unreadable': None}
    rc, err, ours = our_frames(mailslot, path)
    if rc == 1 and not ours:
        res['unreadable'] = err.strip()
        return res
    theirs = tshark_frames(tshark, path)
    for num, t in theirs.items():
        objs = ours.get(num)
        if not objs:
            res['fail'].append('%s frame %s: tshark shows NBDS, we do not'
                               % (path, num))
            continue
        o = objs[-1]
        res['frames'] += 1
        for name, vals in o.items():
            if name.startswith(OURS_ONLY) or name in ('frame.number',):
                continue
            tv = t.get(name)
            if tv is not None and tv == vals:
                res['fields'] += 1
                continue
            why = excused(name, vals, tv, o, t)
            if why:
                res['excused'][why] += 1
                continue
            res['fail'].append('%s frame %s %s: ours %r, tshark %r'
                               % (os.path.basename(path), num, name, vals,
                                  tv))
        for name, vals in t.items():
            if name in o or not name.startswith(MUST_PRODUCE + PAYLOAD):
                continue
            why = excused(name, None, vals, o, t)
            if why:
                res['excused'][why] += 1
            elif name.startswith(MUST_PRODUCE):
                res['fail'].append('%s frame %s: tshark shows %s=%r, we '
                                   'do not' % (os.path.basename(path), num,
                                               name, vals))
            else:
                res['tshark_only'][name] += 1
    for num in ours:
        if num not in theirs:
            res['fail'].append('%s frame %s: we decode a datagram tshark '
                               'does not' % (os.path.basename(path), num))
    return res


def main():
    mailslot, shared, tshark = sys.argv[1:4]
    verbose = '--verbose' in sys.argv
    only_files = [a for a in sys.argv[4:] if not a.startswith('--')]
    if '--pcap' in sys.argv:
        files = only_files
    else:
        files = sorted(glob.glob(os.path.join(shared, 'captures', '**', '*'),
                                 recursive=True) +
                       glob.glob(os.path.join(shared, 'vectors', '*.pcap')))
        files = [f for f in files if os.path.isfile(f) and
                 not f.endswith(('.md', '.conf', '.txt', '.py', '.sh'))]
        if only_files:
            files = [f for f in files if os.path.basename(f) in only_files]
    total = {'frames': 0, 'fields': 0}
    fails, excused_n, only, unreadable = [], collections.Counter(), \
        collections.Counter(), []
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        for path, r in zip(files, ex.map(lambda f: compare_file(
                (mailslot, tshark), f), files)):
            total['frames'] += r['frames']
            total['fields'] += r['fields']
            fails += r['fail']
            excused_n.update(r['excused'])
            only.update(r['tshark_only'])
            if r['unreadable']:
                unreadable.append(r['unreadable'])
    print('files: %d (%d not readable by libpcap, refused with a message)'
          % (len(files), len(unreadable)))
    for u in unreadable:
        print('  ' + u[:160])
    print('NBDS frames compared: %d, fields equal: %d' % (total['frames'],
                                                          total['fields']))
    print('documented differences:')
    for k, v in sorted(excused_n.items()):
        print('  %6d  %s: %s' % (v, k, DIFFERENCES[k]))
    print('fields tshark shows that we do not produce (not failures): %d '
          'in %d names' % (sum(only.values()), len(only)))
    for k, v in sorted(only.items(), key=lambda kv: -kv[1])[:40 if verbose else 10]:
        print('  %6d  %s' % (v, k))
    print('undocumented differences: %d' % len(fails))
    for f in fails[:200 if verbose else 40]:
        print('  ' + f)
    ok = not fails and total['frames'] > 0
    print('decode_accuracy: %d passed, %d failed, 0 skipped'
          % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
