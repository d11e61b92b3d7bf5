#!/usr/bin/python3
"""The endpoint mapper on its well-known port 135 (needs root): alpaca's
client resolves "ncacn_ip_tcp:127.0.0.1" with no endpoint, and Impacket's
epm.hept_map finds the dynamic endpoint through its default 135 path.

usage: epm135_check.py RUN_WITH_SERVER SERVER CLIENT IMPACKET_CLIENT_PY
Exit 77 (ctest SKIP) when not root or port 135 is taken.
"""
import os
import socket
import subprocess
import sys


def main():
    run, server, client, impacket_py = sys.argv[1:5]
    if os.geteuid() != 0:
        print('not root: cannot listen on 135')
        return 77
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', 135))
        except OSError:
            print('port 135 is in use')
            return 77
    py = '/usr/bin/python3'
    rc = subprocess.run([py, run, server, '--port', '0', '--epm-port', '135', '--', client,
                         '--binding', 'ncacn_ip_tcp:127.0.0.1']).returncode
    if rc != 0:
        return rc
    return subprocess.run([py, run, server, '--port', '0', '--epm-port', '135', '--', py,
                           impacket_py, '{port}', '135']).returncode


if __name__ == '__main__':
    sys.exit(main())
