#!/usr/bin/env bash
# Benchmark: `portlaw add` on registries of 100, 1,000 and 10,000 services (registry, ports.env
# and a Markdown doc with all three tables rewritten each time), and how it grows; reference
# points measured in the same run: python3 tomllib parsing the same registry, and `cp` of it.
# Usage: bench/add.sh. Needs python3 (3.11+ for tomllib).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p portlaw
exec python3 bench/add.py
