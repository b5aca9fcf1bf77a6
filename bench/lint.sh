#!/usr/bin/env bash
# Speed of `portlaw lint` against ripgrep on the same tree, measured in the same run.
#
# The tree is the .py files of the installed Python's standard library (about 35 MB); the
# registry is the built-in VECTRA one. ripgrep searches the same tree for the candidate pattern
# a grep script would use (a VECTRA port number, or `port =`), which is the least work any
# port check can do. The bar: portlaw within 2x of rg.
#
# Usage: bench/lint.sh [RUNS]   (default 5; the best run of each counts)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"

if ! command -v rg >/dev/null 2>&1; then
    echo "rg not found; installing ripgrep (apt-get)..." >&2
    if ! { apt-get update -qq && apt-get install -y -qq ripgrep; } >/dev/null 2>&1; then
        echo "cannot install ripgrep: no comparison possible, stopping" >&2
        exit 2
    fi
fi

stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
cargo build --release -q -p portlaw
bin="$PWD/target/release/portlaw"

# A copy of the standard library's .py files without site-packages (installed third-party
# code is not the standard library), so both tools read exactly the same files.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tree="$work/stdlib"
python3 - "$stdlib" "$tree" <<'PY'
import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for d, dirs, files in os.walk(src):
    dirs[:] = [x for x in dirs if x not in ("site-packages", "__pycache__")]
    for f in files:
        if f.endswith(".py"):
            p = os.path.join(d, f)
            q = os.path.join(dst, os.path.relpath(p, src))
            os.makedirs(os.path.dirname(q), exist_ok=True)
            shutil.copyfile(p, q)
PY
size="$(du -sh "$tree" | cut -f1)"
files="$(find "$tree" -name '*.py' | wc -l)"
echo "tree: the .py files of $stdlib, without site-packages ($files files, $size)"
stdlib="$tree"

# Run from an empty directory so that the built-in registry is used and no config is found.
mkdir "$work/empty"
cd "$work/empty"

best() { # best wall time in seconds of running "$@" $runs times
    local b=999999
    for _ in $(seq "$runs"); do
        local s e
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || true
        e=$(date +%s.%N)
        b=$(echo "$e - $s" | bc -l | awk -v b="$b" '{ print ($1 < b) ? $1 : b }')
    done
    echo "$b"
}

# Warm the page cache for both.
rg -c -tpy '\b(90[0-3][0-9]|9222)\b|port\s*=' "$stdlib" >/dev/null 2>&1 || true
"$bin" lint "$stdlib" >/dev/null 2>&1 || true

t_rg=$(best rg -c -tpy '\b(90[0-3][0-9]|9222)\b|port\s*=' "$stdlib")
t_pl=$(best "$bin" lint --format json "$stdlib")
findings=$({ "$bin" lint --format json "$stdlib" 2>/dev/null || true; } | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["summary"]["findings"], "findings in", d["summary"]["files_checked"], "files checked")')
candidates=$(rg -c -tpy '\b(90[0-3][0-9]|9222)\b|port\s*=' "$stdlib" | awk -F: '{ n += $NF } END { print n }')

printf 'rg (candidate lines only):      %.3f s  (%s matching lines)\n' "$t_rg" "$candidates"
printf 'portlaw lint (all rules):       %.3f s  (%s)\n' "$t_pl" "$findings"
ratio=$(echo "$t_pl / $t_rg" | bc -l)
printf 'ratio portlaw/rg: %.2fx (bar: 2.00x) -> %s\n' "$ratio" "$(echo "$ratio <= 2" | bc -l | sed 's/1/within the bar/;s/0/OVER the bar/')"
