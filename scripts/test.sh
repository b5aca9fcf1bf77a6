#!/usr/bin/env bash
# The whole test suite, as the README's quick start gives it: Rust and Python alike.
# Installs what it needs into target/ci-venv (tools from PyPI listed in .ci/requirements.txt),
# so it runs on a fresh machine with only a Rust toolchain and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/ci-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if [ -s .ci/requirements.txt ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r .ci/requirements.txt
fi
# Tests find the venv's tools (pre-commit, check-jsonschema, ...) on PATH.
export PATH="$PWD/$venv/bin:$PATH"

cargo test --workspace
