#!/usr/bin/env bash
# Shared by run.sh and test.sh: installs missing packages, configures build/
# (Ninja, Release) and builds the given targets (all when none are given).
# BUILD_DIR and JOBS override the build directory and the parallel jobs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
jobs="${JOBS:-$(nproc)}"

"$root/scripts/setup.sh"

echo "build: configuring $build_dir"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release

targets=()
for target in "$@"; do
    targets+=(--target "$target")
done
echo "build: building ${*:-all targets} with $jobs jobs"
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"
