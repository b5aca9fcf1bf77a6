"""Benchmark for `portlaw add` (issue: adding a service).

No other tool allocates ports from a registry, so there is no peer to race. The references
are the floors any tool that touches the registry pays, measured on the same file in the
same run:

- `python3 -c 'import tomllib; tomllib.load(...)'`: only *parsing* the registry, in the
  language the spec's own scripts (validate_ports.py) are written in;
- `cp` of the registry file: only reading and writing its bytes once.

`portlaw add` does much more than either: it takes the lock, parses the registry twice (to
decide, then to validate the edited text), edits it with comments kept, checks the result,
regenerates ports.env and a document holding all three tables, and fsyncs and renames three
files. Each timed run starts from a fresh copy of the repository (the copy is not timed).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from timing import generated_registry, median_seconds, ms  # noqa: E402

PORTLAW = os.environ.get("PORTLAW", os.path.join(os.path.dirname(__file__), "..", "target", "release", "portlaw"))
RUNS = 15


def registry(n):
    """n services packed from 10000 up, in ranges of 1,000 ports; range r50 (60000-60999) is empty."""
    header = '# generated for bench/add.py\n[policy]\nsacred = []\nwebsocket_allow = []\n\n[docs]\nfiles = ["docs/PORTS.md"]\n'
    return generated_registry(n, ranges=51, header=header)


DOC = """# Ports

<!-- portlaw:begin registry -->
<!-- portlaw:end registry -->

<!-- portlaw:begin ranges -->
<!-- portlaw:end ranges -->

<!-- portlaw:begin env -->
<!-- portlaw:end env -->
"""


def make_repo(d, n, env):
    os.makedirs(os.path.join(d, "config"))
    os.makedirs(os.path.join(d, "docs"))
    with open(os.path.join(d, "config", "ports.toml"), "w") as f:
        f.write(registry(n))
    with open(os.path.join(d, "docs", "PORTS.md"), "w") as f:
        f.write(DOC)
    subprocess.run([PORTLAW, "env", "--write"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([PORTLAW, "render"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([PORTLAW, "check"], cwd=d, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def time_adds(template, env, extra):
    """Median wall time of `portlaw add` on a fresh copy of `template` each run."""
    times = []
    for i in range(RUNS + 1):
        with tempfile.TemporaryDirectory() as d:
            work = os.path.join(d, "repo")
            shutil.copytree(template, work)
            argv = [PORTLAW, "add", "new-svc", "--range", "r50", "--name", "New", "--protocol", "HTTP", "--purpose", "Bench"] + extra
            start = time.perf_counter()
            proc = subprocess.run(argv, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                raise SystemExit(f"portlaw add failed: {proc.stderr.decode()}")
            if i > 0:
                times.append(elapsed)
    return statistics.median(times)


def main():
    global PORTLAW
    # A private copy: other builds in this tree may replace target/release/portlaw mid-run.
    private = tempfile.mkdtemp(prefix="portlaw-bench-")
    PORTLAW = shutil.copy2(PORTLAW, os.path.join(private, "portlaw"))
    try:
        run()
    finally:
        shutil.rmtree(private, ignore_errors=True)


def run():
    env = dict(os.environ, NO_COLOR="1")
    env.pop("PORTLAW_REGISTRY", None)
    print(f"portlaw add on generated registries (median of {RUNS} runs, fresh copy each run)")
    print(f"{'services':>9} {'registry':>9} {'add --offline':>14} {'add (probe)':>13} {'growth':>7} {'tomllib':>11} {'cp':>11} {'add/tomllib':>12} {'add/cp':>8}")
    base = None
    ok = lambda rc: rc == 0  # noqa: E731
    for n in (100, 1000, 10000):
        with tempfile.TemporaryDirectory() as d:
            template = os.path.join(d, "template")
            make_repo(template, n, env)
            reg = os.path.join(template, "config", "ports.toml")
            size = os.path.getsize(reg)
            t_off = time_adds(template, env, ["--offline"])
            t_on = time_adds(template, env, [])
            py = [sys.executable, "-c", f"import tomllib; tomllib.load(open({reg!r}, 'rb'))"]
            t_py = median_seconds(py, runs=RUNS, env=env, check=ok)
            t_cp = median_seconds(["cp", reg, os.path.join(d, "copy.toml")], runs=RUNS, env=env, check=ok)
            base = base or t_off
            print(
                f"{n:>9} {size / 1024:>7.0f}KB {ms(t_off):>14} {ms(t_on):>13} {t_off / base:>6.1f}x"
                f" {ms(t_py):>11} {ms(t_cp):>11} {t_off / t_py:>11.2f}x {t_off / t_cp:>7.1f}x"
            )
    print("\ngrowth: add --offline time relative to the 100-service registry (100x more services = 100x the work if linear)")
    print("add (probe): without --offline, so this machine's sockets are read too (/proc/net/*)")


if __name__ == "__main__":
    main()
