"""Shared by portlaw's bench scripts: median wall time of whole commands, generated registries.

Each command runs as a fresh process, the way a user or a hook runs it, so process start-up
counts. Medians over repeated runs; the first run is a warm-up and is discarded.
"""

import statistics
import subprocess
import time


def median_seconds(argv, runs=15, cwd=None, env=None, check=None):
    """Median wall time of running argv `runs` times. `check(returncode)` validates each run."""
    times = []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if check is not None and not check(proc.returncode):
            raise SystemExit(f"unexpected exit {proc.returncode} from {' '.join(argv)}")
        if i > 0:
            times.append(elapsed)
    return statistics.median(times)


def ms(seconds):
    return f"{seconds * 1000:8.2f} ms"


def generated_registry(n, ranges=50, header=""):
    """A clean registry of n services packed from port 10000 up, in ranges of 1,000 ports."""
    out = [header]
    for r in range(ranges):
        first = 10000 + r * 1000
        out.append(f'\n[[range]]\nname = "r{r}"\nports = "{first}-{first + 999}"\npurpose = "Range {r}"\n')
    for i in range(n):
        out.append(
            f'\n[[service]]\nid = "svc-{i}"\nname = "Service {i}"\nport = {10000 + i}\n'
            f'env = "SVC_{i}_PORT"\nprotocol = "HTTP"\npurpose = "Generated"\n'
            f'owner = "services/svc-{i}/"\nstatus = "active"\n'
        )
    return "".join(out)
