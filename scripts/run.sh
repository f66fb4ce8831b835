#!/usr/bin/env bash
# Installs what is missing, builds AttnScope (Release) and starts the app on the
# built-in reviews dataset. Extra arguments go to the app, e.g.
#   ./scripts/run.sh --data my.jsonl
#   ./scripts/run.sh --screenshot window.png
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

# The app's arguments: the user's, after --data builtin:reviews unless they
# choose the data themselves (--data, or --session, whose newest run's data
# opens): the app refuses an option given twice.
app_args() {
    local arg
    for arg in "$@"; do
        case "$arg" in
            --data|--data=*|--session|--session=*) printf '%s\0' "$@"; return ;;
        esac
    done
    printf '%s\0' --data builtin:reviews "$@"
}

# Sourced (tests/test_scripts.cpp): the function only.
if (return 0 2>/dev/null); then
    return 0
fi

"$root/scripts/build.sh" attnscope attnscope-cli

args=()
while IFS= read -r -d '' arg; do args+=("$arg"); done < <(app_args "$@")
app="$build_dir/app/attnscope"
echo "run: $app ${args[*]}"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run: no display found; running under xvfb-run (pass --screenshot FILE.png to see the window)"
    exec xvfb-run -a "$app" "${args[@]}"
fi
exec "$app" "${args[@]}"
