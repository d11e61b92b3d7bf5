#!/usr/bin/python3
"""Transport choice for real: a server in its own network namespace is a
remote host, reached over TCP; a server on this host is reached over local
ports, even through a TCP binding.

Creates a network namespace with a veth pair (addresses chosen here), runs
alpaca_test_server inside it and another on this host on the same TCP port
(both also offer ncalrpc, in the same local port namespace directory), then:
  - ncacn_ip_tcp:<netns address>[P]  must go over ncacn_ip_tcp (remote);
  - ncacn_ip_tcp:127.0.0.1[P]        must be upgraded to ncalrpc (this host);
  - ncacn_ip_tcp:<this host's veth address>[P] must be upgraded too;
and each client runs the whole functional check over what it chose. The
ALPACA_LOG=debug line must name the decision. Needs root (CI runs as root).

usage: transport_choice_test.py SERVER CLIENT
"""
import os
import signal
import subprocess
import sys
import tempfile

MISSING_PREREQUISITE = 77 if os.environ.get('ALPACA_ALLOW_SKIP') == '1' else 1


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def start(cmd, env):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline().split()
    if not line or line[0] != 'READY':
        proc.kill()
        raise RuntimeError(f'{cmd[0]} did not start')
    return proc, int(line[1])


def main():
    server_bin, client_bin = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0:
        print('needs root (ip netns)')
        return MISSING_PREREQUISITE
    tag = os.getpid() % 100000
    ns = f'alpaca-{tag}'
    host_if, ns_if = f'alh{tag}', f'aln{tag}'
    subnet = f'10.{200 + tag % 50}.{tag % 250}'
    host_addr, ns_addr = f'{subnet}.1', f'{subnet}.2'
    env = dict(os.environ, ALPACA_LPC_DIR=tempfile.mkdtemp(prefix='alpaca-choice-'),
               ALPACA_LOG='debug')
    servers = []
    failures = 0
    try:
        sh('ip', 'netns', 'add', ns)
        sh('ip', 'link', 'add', host_if, 'type', 'veth', 'peer', 'name', ns_if)
        sh('ip', 'link', 'set', ns_if, 'netns', ns)
        sh('ip', 'addr', 'add', f'{host_addr}/24', 'dev', host_if)
        sh('ip', 'link', 'set', host_if, 'up')
        sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', f'{ns_addr}/24', 'dev', ns_if)
        sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', ns_if, 'up')
        sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up')

        remote, port = start(['ip', 'netns', 'exec', ns, server_bin, '--port', '0',
                              '--address', '0.0.0.0', '--ncalrpc', 'remote'], env)
        servers.append(remote)
        local, _ = start([server_bin, '--port', str(port), '--address', '0.0.0.0',
                          '--ncalrpc', 'local'], env)
        servers.append(local)
        print(f'servers: netns {ns} at {ns_addr}[{port}], this host at [{port}]')

        cases = [
            (f'ncacn_ip_tcp:{ns_addr}[{port}]', 'ncacn_ip_tcp', 'is not this host'),
            (f'ncacn_ip_tcp:127.0.0.1[{port}]', 'ncalrpc', 'ncalrpc:[local]'),
            (f'ncacn_ip_tcp:{host_addr}[{port}]', 'ncalrpc', 'ncalrpc:[local]'),
        ]
        for binding, protseq, log in cases:
            run = subprocess.run([client_bin, '--binding', binding, '--expect-protseq', protseq],
                                 capture_output=True, text=True, env=env, timeout=120)
            ok = run.returncode == 0 and log in run.stderr
            print(f'{"ok  " if ok else "FAIL"} {binding} -> {protseq}: {run.stdout.splitlines()[:1]}')
            if not ok:
                print(run.stdout + run.stderr, file=sys.stderr)
                failures += 1
    finally:
        for s in servers:
            s.send_signal(signal.SIGTERM)
            try:
                if s.wait(timeout=30) != 0:
                    failures += 1
            except subprocess.TimeoutExpired:
                s.kill()
                failures += 1
        sh('ip', 'link', 'del', host_if, check=False)
        sh('ip', 'netns', 'del', ns, check=False)
    print('transport choice: ' + ('ok' if failures == 0 else f'{failures} failure(s)'))
    return 0 if failures == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
