"""Benchmarks for the registry commands (issue: portlaw core).

1. `portlaw check` on generated registries of 100, 1,000 and 10,000 services: time and growth.
2. `portlaw get recording` against what services do today,
   `python3 -c 'import os; print(os.getenv("RECORDING_PORT", "9010"))'`, as a ratio.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from timing import generated_registry, median_seconds, ms  # noqa: E402

PORTLAW = os.environ.get("PORTLAW", os.path.join(os.path.dirname(__file__), "..", "target", "release", "portlaw"))


def registry(n):
    """A clean registry of n services spread over ranges of 1,000 ports from 10000 up."""
    header = '[policy]\nsacred = []\nwebsocket_allow = []\nmanaged = "10000-59999"\n'
    return generated_registry(n, ranges=50, header=header)


def main():
    env = dict(os.environ, NO_COLOR="1")
    env.pop("PORTLAW_REGISTRY", None)
    print("portlaw check on generated registries (median of 15 runs)")
    base = None
    for n in (100, 1000, 10000):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "config"))
            with open(os.path.join(d, "config", "ports.toml"), "w") as f:
                f.write(registry(n))
            subprocess.run([PORTLAW, "env", "--write"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t = median_seconds([PORTLAW, "check"], cwd=d, env=env, check=lambda rc: rc == 0)
            base = base or t
            print(f"  {n:>6} services: {ms(t)}   ({t / base:5.1f}x the 100-service time)")

    print("\nget one port: portlaw get vs python3 os.getenv (median of 30 runs)")
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, ".git"))
        subprocess.run([PORTLAW, "init"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = lambda rc: rc == 0  # noqa: E731
        t_get = median_seconds([PORTLAW, "get", "recording"], runs=30, cwd=d, env=env, check=ok)
        py = [sys.executable, "-c", 'import os; print(os.getenv("RECORDING_PORT", "9010"))']
        t_py = median_seconds(py, runs=30, cwd=d, env=env, check=ok)
    print(f"  portlaw get recording : {ms(t_get)}")
    print(f"  python3 os.getenv     : {ms(t_py)}")
    print(f"  ratio portlaw/python  : {t_get / t_py:5.2f}x")


if __name__ == "__main__":
    main()
