#!/usr/bin/python3
"""Runs alpaca_test_server in its own process, then a command against it.

usage: run_with_server.py SERVER [--port N|free] [--epm-port N|free] -- CMD...
In CMD, {port} and {epm_port} are replaced by the bound ports. The server is
stopped with SIGTERM afterwards and must exit 0 (graceful stop).
"""
import signal
import socket
import subprocess
import sys


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def main():
    args = sys.argv[1:]
    split = args.index('--')
    server_args, cmd = args[:split], args[split + 1:]
    server = [server_args[0]]
    i = 1
    while i < len(server_args):
        value = server_args[i + 1]
        server += [server_args[i], free_port() if value == 'free' else value]
        i += 2
    proc = subprocess.Popen(server, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        if not line or line[0] != 'READY':
            print('server did not start', file=sys.stderr)
            return 1
        port, epm_port = line[1], line[2]
        cmd = [c.replace('{port}', port).replace('{epm_port}', epm_port) for c in cmd]
        result = subprocess.run(cmd, timeout=240).returncode
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            server_rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            server_rc = -1
    if server_rc != 0:
        print(f'server exited with {server_rc}', file=sys.stderr)
        return 1
    return result


if __name__ == '__main__':
    sys.exit(main())
