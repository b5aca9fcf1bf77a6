"""bench/probe.sh's measurements: portlaw's live-port commands against ss and lsof, all
timed in the same run on the same load (see probe_load.py)."""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from timing import median_seconds, ms  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORTLAW = os.path.join(ROOT, "target", "release", "portlaw")
RUNS = int(os.environ.get("RUNS", "15"))


def registry(first):
    """12 services on load ports, managed span of 40 ports: the VECTRA shape, moved."""
    t = f'[policy]\nsacred = []\nwebsocket_allow = []\nmanaged = "{first}-{first + 39}"\n\n'
    t += f'[[range]]\nname = "apps"\nports = "{first}-{first + 39}"\npurpose = "bench"\n'
    for i in range(12):
        t += (f'\n[[service]]\nid = "svc{i}"\nname = "svc{i}"\nport = {first + i}\n'
              f'env = "SVC{i}_PORT"\nprotocol = "HTTP"\nowner = "services/svc{i}/"\n')
    return t


def main():
    base, n = int(sys.argv[1]), int(sys.argv[2])
    port = base + n // 2
    have_ss, have_lsof = shutil.which("ss"), shutil.which("lsof")
    fds = sum(len(os.listdir(f"/proc/{p}/fd")) for p in os.listdir("/proc") if p.isdigit()
              and os.access(f"/proc/{p}/fd", os.R_OK))
    print(f"load: {n} processes, one listener each on {base}-{base + n - 1}; "
          f"{fds} open fds in /proc; {RUNS} runs each, medians\n")

    def show(label, secs, ref=None):
        ratio = f"   {secs / ref:5.2f}x portlaw" if ref else ""
        print(f"  {label:<52}{ms(secs)}{ratio}")

    any_exit = lambda rc: rc in (0, 1)  # noqa: E731  (1 = conflict found, also a valid answer)

    print(f"who: one port ({port})")
    who = median_seconds([PORTLAW, "who", str(port)], RUNS, check=any_exit)
    show(f"portlaw who {port}", who)
    if have_ss:
        s = median_seconds(["ss", "-Htlnp", f"sport = :{port}"], RUNS)
        show(f"ss -Htlnp 'sport = :{port}'", s, who)
    else:
        print("  ss not installed: skipped")
    if have_lsof:
        lsof = median_seconds(["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN"], RUNS, check=any_exit)
        show(f"lsof -nP -iTCP:{port} -sTCP:LISTEN", lsof, who)
    else:
        print("  lsof not installed: skipped")

    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "config"))
        os.makedirs(os.path.join(d, ".git"))
        with open(os.path.join(d, "config", "ports.toml"), "w") as f:
            f.write(registry(base))
        print(f"\nstatus: 12-service registry on {base}-{base + 11}, managed {base}-{base + 39}")
        status = median_seconds([PORTLAW, "status"], RUNS, cwd=d, check=any_exit)
        show("portlaw status", status)
        if have_ss:
            s = median_seconds(["ss", "-Htlnp"], RUNS)
            show("ss -Htlnp (one full listing)", s, status)
        if have_lsof:
            def each():
                for p in range(base, base + 12):
                    subprocess.run(["lsof", "-i", f":{p}"], stdout=subprocess.DEVNULL)
            import time
            import statistics
            times = []
            for i in range(max(3, RUNS // 3) + 1):
                t = time.perf_counter()
                each()
                if i:
                    times.append(time.perf_counter() - t)
            show("lsof -i :PORT for each of the 12 ports (spec's way)", statistics.median(times), status)
    print("\nratios above 1.00x mean portlaw is faster by that factor.")


main()
