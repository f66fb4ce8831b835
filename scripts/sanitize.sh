#!/usr/bin/env bash
# Builds the training-worker tests with AddressSanitizer and with
# ThreadSanitizer (each in its own build folder) and runs them offscreen.
#   scripts/sanitize.sh [address|thread ...]     (default: both)
# JOBS sets the parallel compile jobs (default 2).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-2}"
sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)
tests=(test_trainingworker test_workbench)

export QT_QPA_PLATFORM=offscreen
# Leaks are errors; TSan stops at the first race it reports.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/tsan.supp"
# Qt's own event dispatcher instead of GLib's (uninstrumented GLib wake-ups).
export QT_NO_GLIB=1

for sanitizer in "${sanitizers[@]}"; do
    build="$root/build-$sanitizer"
    echo "sanitize: $sanitizer in $build"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DATTNSCOPE_SANITIZE="$sanitizer" >/dev/null
    for test in "${tests[@]}"; do
        if [ -f "$root/tests/ui/$test.cpp" ]; then
            cmake --build "$build" -j "$jobs" --target "$test"
            echo "sanitize: running $test under $sanitizer"
            "$build/tests/ui/$test"
        fi
    done
done
echo "sanitize: all clean"
