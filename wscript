#!/usr/bin/env python3
# mailslot: Windows mailslots on Unix, compatible on the wire with Windows
# and Samba.  Top-level waf project in the style of Samba's standalone
# libraries: options/configure/build here, one wscript_build per directory.
import os
import re
import shutil
import subprocess
import sys
import time

from waflib import Build, Configure, Context, Logs, Options, Utils
from waflib.Configure import conf

APPNAME = 'mailslot'
VERSION = '0.1.0'

top = '.'
out = 'build'

# `./waf demo` or `./waf test` on a fresh clone configures first.
# 'clobber': when a wscript changes, configure again with the options of
# the last configure (its -o, --sanitize, --fuzz), not today's command
# line, so a second build directory is never reconfigured into build/.
Configure.autoconfig = 'clobber'

SUBDIRS = 'nbt smb browser netlogon messenger libmailslot tools torture'
FUZZ_SAN = ['-fsanitize=address,undefined', '-fno-omit-frame-pointer',
            '-fno-sanitize-recover=undefined']

# (pkg-config name, waf uselib name, Debian package)
LIBRARIES = [
    ('talloc', 'TALLOC', 'libtalloc-dev'),
    ('tevent', 'TEVENT', 'libtevent-dev'),
    ('cmocka', 'CMOCKA', 'libcmocka-dev'),
    ('libpcap', 'PCAP', 'libpcap-dev'),
    ('inih', 'INIH', 'libinih-dev'),
]
# Everything configure wants from Debian.  tshark, Samba's nmbd and
# iproute2 are needed by the tests only (conformance and interop).
DEBIAN_PACKAGES = ['gcc', 'pkg-config', 'libtalloc-dev', 'libtevent-dev',
                   'libcmocka-dev', 'libpcap-dev', 'libinih-dev', 'tshark',
                   'samba', 'samba-common-bin', 'iproute2', 'procps',
                   # the AD DC peer (torture/interop/test_dc_interop.sh):
                   # Recommends of samba that provisioning needs
                   'samba-ad-provision', 'samba-dsdb-modules',
                   'samba-vfs-modules',
                   # smbtorture nbt.dgram.netlogon (test_dc_interop.sh)
                   'samba-testsuite',
                   'valgrind']
# configure --fuzz also wants clang and its libFuzzer runtime.
FUZZ_PACKAGES = ['clang', 'libclang-rt-14-dev']


def options(opt):
    opt.load('compiler_c')
    g = opt.add_option_group('mailslot options')
    g.add_option('--sanitize', action='store_true', default=False,
                 help='build with AddressSanitizer and '
                      'UndefinedBehaviorSanitizer')
    g.add_option('--no-install-deps', action='store_true', default=False,
                 help='never run apt-get, even as root on Debian')
    g.add_option('--tests', action='store', default='',
                 help='with `test`: comma-separated test names to run '
                      '(default: all)')
    g.add_option('--test-timeout', action='store', type='int', default=600,
                 help='with `test`: seconds one test binary may run')
    g.add_option('--valgrind', action='store_true', default=False,
                 help='with `test`: run every test binary (and the daemon '
                      'and tools it starts) under valgrind memcheck')
    g.add_option('--fuzz', action='store_true', default=False,
                 help='configure: build the libFuzzer targets with clang '
                      '(ASan + UBSan); use its own --out')
    g.add_option('--time', action='store', type='int', default=60,
                 help='with `fuzz`: seconds each fuzz target runs')
    g.add_option('--fuzz-targets', action='store', default='',
                 help='with `fuzz`: comma-separated targets (default: all)')
    g.add_option('--crash-dir', action='store', default='',
                 help='with `fuzz`: where crashes go (default: '
                      'OUT/fuzz-crashes)')


def missing_debian_packages(wanted):
    try:
        out = subprocess.run(
            ['dpkg-query', '-W', '-f=${Package} ${db:Status-Status}\n']
            + wanted, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, universal_newlines=True).stdout
    except OSError:
        return []
    installed = {l.split()[0] for l in out.splitlines()
                 if l.endswith(' installed')}
    return [p for p in wanted if p not in installed]


def install_debian_packages(conf, pkgs):
    """As root on Debian: apt-get update, then install pkgs without prompts
    and without starting any service."""
    conf.start_msg('Installing from Debian')
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    policy = '/usr/sbin/policy-rc.d'
    made_policy = False
    if not os.path.exists(policy):
        # invoke-rc.d consults this: 101 = "action forbidden", so no
        # package's daemon starts during the install.
        with open(policy, 'w') as f:
            f.write('#!/bin/sh\nexit 101\n')
        os.chmod(policy, 0o755)
        made_policy = True
    try:
        for cmd, stdin in (
                (['apt-get', 'update', '-q'], None),
                # tshark asks whether non-root users may capture: no.
                (['debconf-set-selections'],
                 'wireshark-common wireshark-common/install-setuid '
                 'boolean false\n'),
                (['apt-get', 'install', '-y', '-q',
                  '--no-install-recommends'] + pkgs, None)):
            p = subprocess.run(cmd, env=env, input=stdin,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               universal_newlines=True)
            if p.returncode != 0:
                raise subprocess.CalledProcessError(p.returncode, cmd,
                                                    p.stdout)
    except (OSError, subprocess.CalledProcessError) as e:
        conf.end_msg('failed', color='RED')
        conf.fatal('%s\napt-get failed (%s); run by hand:\n  apt-get '
                   'update && apt-get install %s'
                   % (getattr(e, 'output', '') or '', e, ' '.join(pkgs)))
    finally:
        if made_policy:
            os.unlink(policy)
    conf.end_msg(' '.join(pkgs))


def configure(conf):
    missing = missing_debian_packages(
        DEBIAN_PACKAGES + (FUZZ_PACKAGES if Options.options.fuzz else []))
    if missing and not Options.options.no_install_deps \
            and os.geteuid() == 0 and shutil.which('apt-get'):
        install_debian_packages(conf, missing)

    if Options.options.fuzz:
        # libFuzzer comes with clang only; compiler_c honours CC.
        conf.environ['CC'] = 'clang'
    conf.load('compiler_c')
    for lib, store, pkg in LIBRARIES:
        conf.check_cfg(package=lib, args='--cflags --libs',
                       uselib_store=store,
                       msg='Checking for %s (pkg-config)' % lib,
                       errmsg='missing: run  sudo apt-get install %s' % pkg)
    conf.find_program('tshark', var='TSHARK', mandatory=False)
    if not conf.env.TSHARK:
        Logs.warn('tshark not found: the tshark conformance tests will say '
                  'SKIPPED.  Install it with  sudo apt-get install tshark')

    conf.env.append_value('CFLAGS', [
        '-std=gnu11', '-g', '-O2', '-Wall', '-Wextra', '-Wshadow',
        '-Wstrict-prototypes', '-Wmissing-prototypes', '-Wpointer-arith',
        '-Wno-unused-parameter', '-Wno-missing-field-initializers',
        '-fno-strict-aliasing',
        '-D_GNU_SOURCE'])
    # Everyone includes "nbt/...", "smb/..." from the top, and config.h.
    conf.env.append_value('INCLUDES', [conf.path.abspath(),
                                       conf.bldnode.abspath()])
    conf.env.FUZZ = Options.options.fuzz
    conf.env.SANITIZE = Options.options.sanitize or conf.env.FUZZ
    if conf.env.SANITIZE:
        conf.env.append_value('CFLAGS', FUZZ_SAN)
        conf.env.append_value('LINKFLAGS', FUZZ_SAN)
    if conf.env.FUZZ:
        # coverage everywhere; only the fuzz targets link libFuzzer
        conf.env.append_value('CFLAGS', ['-fsanitize=fuzzer-no-link'])
    conf.env.VERSION = VERSION
    conf.define('MAILSLOT_VERSION', VERSION)
    conf.write_config_header('config.h')


def build(bld):
    bld.env.MAILSLOT_TESTS = []
    bld.recurse(SUBDIRS)
    if bld.cmd == 'test':
        bld.add_post_fun(run_tests)
    elif bld.cmd == 'demo':
        bld.add_post_fun(run_demo)
    elif bld.cmd == 'fuzz':
        bld.add_post_fun(run_fuzz)


@conf
def mailslot_script_test(bld, script):
    """Declare a test script (bash); `./waf test` runs it.  Its result is
    read from a closing line 'NAME: N passed, N failed, N skipped'."""
    bld.env.append_value('MAILSLOT_TESTS',
                         [bld.path.find_node(script).abspath()])


@conf
def mailslot_test(bld, target, source, use='', **kw):
    """Declare a cmocka test binary; `./waf test` runs it."""
    bld.program(target=target, source=source, use=use,
                install_path=None, **kw)
    bld.env.append_value('MAILSLOT_TESTS',
                         [bld.path.get_bld().make_node(target).abspath()])


class TestContext(Build.BuildContext):
    '''builds everything and runs the test suite'''
    cmd = 'test'
    fun = 'build'


class FuzzContext(Build.BuildContext):
    '''builds the fuzz targets (configure --fuzz) and runs each --time S'''
    cmd = 'fuzz'
    fun = 'build'


class DemoContext(Build.BuildContext):
    '''builds everything and runs the demonstration'''
    cmd = 'demo'
    fun = 'build'


def test_environment(bld):
    srcdir = bld.path.abspath()
    env = dict(os.environ)
    env['MAILSLOT_SOURCE_DIR'] = srcdir
    env['MAILSLOT_BUILD_DIR'] = bld.bldnode.abspath()
    env.setdefault('MAILSLOT_SHARED_DIR',
                   os.path.join(os.path.dirname(srcdir), 'shared'))
    if bld.env.TSHARK:
        env.setdefault('MAILSLOT_TSHARK', bld.env.TSHARK[0])
    env['CMOCKA_MESSAGE_OUTPUT'] = 'stdout'
    if getattr(Options.options, 'valgrind', False):
        # test_mailslotd_util.c and test_tools_local.c prefix the daemon
        # and tools they start with this, so they are checked too
        env['MAILSLOT_TEST_WRAPPER'] = ' '.join(VALGRIND)
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=1:abort_on_error=0')
    env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    return env


# --valgrind: memcheck errors and definite leaks fail the test (exit 99).
VALGRIND = ['valgrind', '-q', '--error-exitcode=99', '--leak-check=full',
            '--errors-for-leak-kinds=definite',
            '--show-leak-kinds=definite', '--num-callers=30']
# Tests that measure the daemon's RSS or loss under a flood: valgrind's
# own memory and ~30x slowdown make them fail for reasons of its own.
# They run under ASan + UBSan instead.
VALGRIND_SKIP = {
    'test_mailslotd_garbage': 'counts kernel drops and daemon RSS',
    'test_decode_fuzz': 'bounds its own RSS',
}


PLAIN_SUMMARY = re.compile(r'^(?:[\w-]+: )?(\d+) passed, (\d+) failed'
                           r'(?:, (\d+) skipped)?$')


def count_cmocka(output):
    """(passed, failed, skipped) from cmocka's closing lines, or from the
    plain 'N passed, N failed, N skipped' line a script prints."""
    passed = failed = skipped = 0
    for line in output.splitlines():
        line = line.strip()
        m = PLAIN_SUMMARY.match(line)
        if m:
            passed += int(m.group(1))
            failed += int(m.group(2))
            skipped += int(m.group(3) or 0)
            continue
        for tag, idx in (('[  PASSED  ]', 0), ('[  FAILED  ]', 1),
                         ('[  SKIPPED ]', 2)):
            if line.startswith(tag) and 'test(s)' in line:
                n = int(line[len(tag):].split()[0])
                if idx == 0:
                    passed += n
                elif idx == 1:
                    failed += n
                else:
                    skipped += n
    return passed, failed, skipped


def run_tests(bld):
    wanted = [t for t in Options.options.tests.split(',') if t]
    if Options.options.valgrind and bld.env.SANITIZE:
        bld.fatal('--valgrind needs a build without --sanitize/--fuzz')
    env = test_environment(bld)
    totals = [0, 0, 0]
    broken = []
    for path in bld.env.MAILSLOT_TESTS:
        name = os.path.basename(path)
        if wanted and name not in wanted:
            continue
        if Options.options.valgrind and name in VALGRIND_SKIP:
            print('%s: SKIPPED under valgrind: %s' % (name,
                                                   VALGRIND_SKIP[name]))
            totals[2] += 1
            continue
        Logs.pprint('CYAN', '==> %s' % name)
        start = time.time()
        try:
            argv = ['bash', path] if path.endswith('.sh') else [path]
            if Options.options.valgrind and not path.endswith('.sh'):
                argv = VALGRIND + argv
            p = subprocess.run(argv, env=env, cwd=bld.bldnode.abspath(),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL,
                               timeout=Options.options.test_timeout)
            output = p.stdout.decode('utf-8', 'replace')
            rc = p.returncode
        except subprocess.TimeoutExpired as e:
            output = (e.stdout or b'').decode('utf-8', 'replace')
            output += '\n%s: timed out after %d s\n' % (
                name, Options.options.test_timeout)
            rc = -1
        sys.stdout.write(output)
        passed, failed, skipped = count_cmocka(output)
        totals[0] += passed
        totals[1] += failed
        totals[2] += skipped
        if rc != 0 or failed:
            broken.append('%s (exit %d)' % (name, rc))
            if not failed:
                totals[1] += 1
        Logs.pprint('CYAN', '<== %s: exit %d, %.1f s' % (
            name, rc, time.time() - start))
    print('')
    if broken:
        Logs.pprint('RED', 'failing test binaries: ' + ', '.join(broken))
    print('tests: %d passed, %d failed, %d skipped' % tuple(totals))
    if broken:
        bld.fatal('test suite failed')
    if totals[0] == 0:
        bld.fatal('no test ran')


FUZZ_STATS = re.compile(r'^#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+)')


def run_fuzz(bld):
    """Each fuzz target for --time seconds on its corpus (seeded from the
    vectors), crashes to --crash-dir; fails if any target crashed."""
    if not bld.env.FUZZ:
        bld.fatal('configure with --fuzz first (its own -o and WAFLOCK)')
    out = bld.bldnode.abspath()
    crashes = os.path.abspath(Options.options.crash_dir or
                              os.path.join(out, 'fuzz-crashes'))
    corpus = os.path.join(out, 'fuzz-corpus')
    os.makedirs(crashes, exist_ok=True)
    # "frame" or "fuzz_frame" both name the target fuzz_frame
    wanted = [t if t.startswith('fuzz_') else 'fuzz_' + t
              for t in Options.options.fuzz_targets.split(',') if t]
    known = [os.path.basename(p) for p in bld.env.FUZZ_TARGETS]
    unknown = [t for t in wanted if t not in known]
    if unknown:
        bld.fatal('no fuzz target %s; there are: %s'
                  % (', '.join(unknown), ', '.join(
                      k[len('fuzz_'):] for k in known)))
    env = test_environment(bld)
    env['ASAN_OPTIONS'] = 'detect_leaks=1'
    seeds = [os.path.join(out, 'torture/fuzz/fuzz_seeds'), corpus,
             os.path.join(bld.path.abspath(), 'torture/vectors'),
             os.path.join(env['MAILSLOT_SHARED_DIR'], 'vectors'),
             os.path.join(env['MAILSLOT_SHARED_DIR'], 'captures')]
    if subprocess.run(seeds, env=env).returncode != 0:
        bld.fatal('fuzz_seeds failed')
    failed = []
    lines = []
    for path in bld.env.FUZZ_TARGETS:
        name = os.path.basename(path)
        if wanted and name not in wanted:
            continue
        cdir = os.path.join(corpus, name[len('fuzz_'):])
        os.makedirs(cdir, exist_ok=True)
        argv = [path, '-max_total_time=%d' % Options.options.time,
                '-timeout=10', '-rss_limit_mb=2048', '-print_final_stats=1',
                '-artifact_prefix=%s/%s-' % (crashes, name), cdir]
        Logs.pprint('CYAN', '==> %s, %d s' % (name, Options.options.time))
        start = time.time()
        p = subprocess.run(argv, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        output = p.stdout.decode('utf-8', 'replace')
        execs = cov = ft = '?'
        for line in output.splitlines():
            m = FUZZ_STATS.match(line)
            if m:
                execs, cov, ft = m.groups()
            if line.startswith('stat::number_of_executed_units:'):
                execs = line.split(':')[-1].strip()
        summary = '%s: %s execs, cov %s, ft %s, %.0f s, corpus %d, exit %d' \
            % (name, execs, cov, ft, time.time() - start,
               len(os.listdir(cdir)), p.returncode)
        if p.returncode != 0:
            sys.stdout.write(output[-6000:])
            failed.append(name)
        lines.append(summary)
        Logs.pprint('RED' if p.returncode else 'CYAN', '<== ' + summary)
    with open(os.path.join(crashes, 'summary.txt'), 'a') as f:
        f.write('\n'.join(lines) + '\n')
    if failed:
        bld.fatal('fuzz targets crashed: %s (inputs in %s; copy each to '
                  'torture/fuzz/regressions/TARGET/)'
                  % (', '.join(failed), crashes))
    if not lines:
        bld.fatal('no fuzz target ran')


def run_demo(bld):
    tool = bld.bldnode.find_node('tools/mailslot')
    env = test_environment(bld)
    pcap = os.path.join(bld.bldnode.abspath(), 'mailslot-demo.pcap')
    p = subprocess.run([tool.abspath(), 'demo', '--pcap', pcap], env=env)
    if p.returncode != 0:
        bld.fatal('demo failed')
