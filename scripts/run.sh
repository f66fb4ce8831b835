#!/usr/bin/env bash
# Installs what is missing, builds AttnScope (Release) and starts the app on the
# built-in reviews dataset. Extra arguments go to the app, e.g.
#   ./scripts/run.sh --data my.jsonl
#   ./scripts/run.sh --screenshot window.png
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

"$root/scripts/build.sh" attnscope attnscope-cli

args=(--data builtin:reviews)
args+=("$@")
app="$build_dir/app/attnscope"
echo "run: $app ${args[*]}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display found; running under xvfb-run (pass --screenshot FILE.png to see the window)"
    exec xvfb-run -a "$app" "${args[@]}"
fi
exec "$app" "${args[@]}"
