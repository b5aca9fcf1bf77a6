#!/usr/bin/env bash
# Benchmark: `portlaw who` and `portlaw status` against `ss` and `lsof` on a loaded machine
# (N processes x ~20 sockets, one listener each, on loopback ports BASE..BASE+N-1).
# Usage: bench/probe.sh [N=300] [BASE=20000]. Needs python3; uses ss/lsof when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-300}
BASE=${2:-20000}
cargo build --release --quiet -p portlaw

load_pid=""
cleanup() {
    if [[ -n "$load_pid" ]]; then
        # The load runs in its own process group: end all of it.
        kill -TERM -- "-$load_pid" 2>/dev/null || true
        wait "$load_pid" 2>/dev/null || true
    fi
    rm -f "$fifo"
}
fifo=$(mktemp -u)
mkfifo "$fifo"
trap cleanup EXIT INT TERM

python3 bench/probe_load.py "$BASE" "$N" >"$fifo" &
load_pid=$!
read -r line <"$fifo" || { echo "load did not start" >&2; exit 1; }
[[ "$line" == ready ]] || { echo "load: $line" >&2; exit 1; }
python3 bench/probe.py "$BASE" "$N"
