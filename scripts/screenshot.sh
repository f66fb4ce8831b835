#!/usr/bin/env bash
# Makes the README's screenshot: the workbench training builtin:reviews,
# captured after 300 steps under Xvfb (or Qt's offscreen platform when
# xvfb-run is missing). Builds the app first if needed.
#   scripts/screenshot.sh [OUT.png]      (default docs/images/workbench.png)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
out="${1:-$root/docs/images/workbench.png}"
mkdir -p "$(dirname "$out")"
[ -x "$build_dir/app/attnscope" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope

args=(--data builtin:reviews --start --screenshot "$out" --after-steps 300)
if command -v xvfb-run >/dev/null; then
    xvfb-run -a -s "-screen 0 1600x1000x24" "$build_dir/app/attnscope" "${args[@]}"
else
    QT_QPA_PLATFORM=offscreen "$build_dir/app/attnscope" "${args[@]}"
fi
echo "screenshot: wrote $out"
