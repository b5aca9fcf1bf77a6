#!/usr/bin/env bash
# Benchmarks for the registry commands: `portlaw check` growth and `portlaw get` vs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p portlaw
exec python3 bench/core.py
