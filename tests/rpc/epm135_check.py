#!/usr/bin/python3
"""The endpoint mapper on its well-known port 135 (needs root): alpaca's
client resolves "ncacn_ip_tcp:127.0.0.1" with no endpoint, and Impacket's
epm.hept_map finds the dynamic endpoint through its default 135 path.

usage: epm135_check.py RUN_WITH_SERVER SERVER CLIENT IMPACKET_CLIENT_PY
Fails when not root or port 135 is taken (77, a ctest SKIP, only with
ALPACA_ALLOW_SKIP=1).
"""
import os
import socket
import subprocess
import sys

# A missing prerequisite (package, root, port) fails the test: CI installs
# everything. Developers may opt into a ctest SKIP with ALPACA_ALLOW_SKIP=1.
MISSING_PREREQUISITE = 77 if os.environ.get('ALPACA_ALLOW_SKIP') == '1' else 1


def main():
    run, server, client, impacket_py = sys.argv[1:5]
    if os.geteuid() != 0:
        print('not root: cannot listen on 135')
        return MISSING_PREREQUISITE
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', 135))
        except OSError:
            print('port 135 is in use')
            return MISSING_PREREQUISITE
    py = '/usr/bin/python3'
    rc = subprocess.run([py, run, server, '--port', '0', '--epm-port', '135', '--', client,
                         '--binding', 'ncacn_ip_tcp:127.0.0.1']).returncode
    if rc != 0:
        return rc
    return subprocess.run([py, run, server, '--port', '0', '--epm-port', '135', '--', py,
                           impacket_py, '{port}', '135']).returncode


if __name__ == '__main__':
    sys.exit(main())
