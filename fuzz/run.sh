#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 60 s each): `fuzz/run.sh [SECONDS]`.
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz uses unstable compiler flags;
# on a stable toolchain RUSTC_BOOTSTRAP=1 allows them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
for target in parse check; do
  echo "== fuzzing $target for ${seconds}s"
  RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=4096 -timeout=5 -print_final_stats=1
done
