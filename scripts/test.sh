#!/usr/bin/env bash
# Installs what is missing, builds everything (Release) in build/ and runs
# every test with CTest (Qt on its offscreen platform, no display needed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

"$root/scripts/build.sh"

echo "test: running ctest in $build_dir"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$build_dir" --output-on-failure
