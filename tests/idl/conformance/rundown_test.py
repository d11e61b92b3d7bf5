#!/usr/bin/python3
"""Context handle rundown when a client process dies.

For ncalrpc and for ncacn_ip_tcp: a client opens 3 counters (context
handles) and is killed with SIGKILL; the server must run down all 3 (its
LiveCounters() drops back to 0 and its rundown count rises by 3), while it
keeps serving other clients.

usage: rundown_test.py SERVER CLIENT
"""
import os
import re
import signal
import subprocess
import sys


def main():
    server_bin, client_bin = sys.argv[1], sys.argv[2]
    endpoint = f"rundown-{os.getpid()}"
    server = subprocess.Popen([server_bin, "--port", "0", "--ncalrpc", endpoint],
                              stdout=subprocess.PIPE, text=True)
    failures = 0
    try:
        ready = server.stdout.readline().split()
        if not ready or ready[0] != "READY":
            print("server did not start", file=sys.stderr)
            return 1
        port = ready[1]
        bindings = {
            "ncalrpc": f"ncalrpc:[{endpoint}]",
            "ncacn_ip_tcp": f"ncacn_ip_tcp:127.0.0.1[{port}]",
        }
        expected_rundowns = 0
        for protseq, binding in bindings.items():
            holder = subprocess.Popen([client_bin, "--binding", binding, "--no-local-upgrade", "1",
                                       "--expect-protseq", protseq, "--hold", "3"],
                                      stdout=subprocess.PIPE, text=True)
            lines = [holder.stdout.readline(), holder.stdout.readline()]
            if "HOLDING" not in lines[1]:
                print(f"{protseq}: holder did not open its counters: {lines}", file=sys.stderr)
                holder.kill()
                return 1
            check = subprocess.run([client_bin, "--binding", binding, "--no-local-upgrade", "1",
                                    "--live", "3"], capture_output=True, text=True, timeout=30)
            print(f"{protseq}: while held: {check.stdout.strip()}")
            failures += check.returncode != 0
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            check = subprocess.run([client_bin, "--binding", binding, "--no-local-upgrade", "1",
                                    "--live", "0"], capture_output=True, text=True, timeout=30)
            print(f"{protseq}: after SIGKILL: {check.stdout.strip()}")
            failures += check.returncode != 0
            expected_rundowns += 3
            m = re.search(r"RUNDOWNS (\d+)", check.stdout)
            if not m or int(m.group(1)) != expected_rundowns:
                print(f"{protseq}: expected {expected_rundowns} rundowns", file=sys.stderr)
                failures += 1
    finally:
        server.send_signal(signal.SIGTERM)
        rc = server.wait(timeout=30)
        if rc != 0:
            print(f"server exited with {rc}", file=sys.stderr)
            failures += 1
    print("rundown: " + ("ok" if failures == 0 else f"{failures} failure(s)"))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
