#!/usr/bin/env bash
# Builds the training-worker tests (test_trainingworker, test_workbench) with
# AddressSanitizer (with LeakSanitizer) and with ThreadSanitizer, each in its
# own build folder, runs them offscreen, and exits non-zero if a test fails or
# a sanitizer reports anything (a report that a suppression file does not
# cover). Reports go to build-<sanitizer>/sanitizer-logs/.
#   scripts/sanitize.sh [address|thread ...]     (default: address thread)
# JOBS sets the parallel compile jobs (default 2), NICE the builds' niceness
# (default 10: the machine is shared).
# What the suppression files hold and why: docs/testing.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${JOBS:-2}"
niceness="${NICE:-10}"
sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)
tests=(test_trainingworker test_workbench)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

export QT_QPA_PLATFORM=offscreen
# Qt's own event dispatcher instead of GLib's, so that cross-thread wake-ups
# go through an eventfd that ThreadSanitizer sees (it orders fd writes before
# the reads that see them).
export QT_NO_GLIB=1

status=0
for sanitizer in "${sanitizers[@]}"; do
    build="$root/build-$sanitizer"
    logs="$build/sanitizer-logs"
    echo "sanitize: $sanitizer in $build"
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DATTNSCOPE_SANITIZE="$sanitizer" "${launcher[@]}" >/dev/null
    nice -n "$niceness" cmake --build "$build" -j "$jobs" --target "${tests[@]}"
    rm -rf "$logs"
    mkdir -p "$logs"
    case "$sanitizer" in
    address)
        export ASAN_OPTIONS="detect_leaks=1:log_path=$logs/report:exitcode=23"
        export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=1"
        ;;
    thread)
        # Every report, not only the first; exit code 66 when there was one.
        # ignore_noninstrumented_modules: the memory calls that Qt, which is
        # not built with TSan, makes itself (malloc, free, new, delete,
        # memcpy, memmove, pthread_cond_destroy inside libQt6*) are not
        # checked, as on macOS by default; our own code's accesses still are.
        # Why: docs/testing.md.
        export TSAN_OPTIONS="suppressions=$root/scripts/tsan.supp:log_path=$logs/report:halt_on_error=0:exitcode=66:second_deadlock_stack=1:print_suppressions=1:ignore_noninstrumented_modules=1"
        ;;
    esac
    for test in "${tests[@]}"; do
        echo "sanitize: running $test under $sanitizer"
        code=0
        binary="$build/tests/live/$test"  # the live library's suites, else the window's
        [ -x "$binary" ] || binary="$build/tests/ui/$test"
        "$binary" >"$logs/$test.out" 2>&1 || code=$?
        grep -E "^(Totals|FAIL)" "$logs/$test.out" || true
        if [ "$code" -ne 0 ]; then
            echo "sanitize: $test exited with $code under $sanitizer (output: $logs/$test.out)"
            status=1
        fi
    done
    reports=$(cat "$logs"/report.* 2>/dev/null | grep -cE "(ERROR|WARNING): (Address|Leak|Thread)Sanitizer" || true)
    echo "sanitize: $sanitizer: $reports report(s) not covered by the suppressions"
    if [ "$reports" -ne 0 ]; then
        grep -hE "SUMMARY: " "$logs"/report.* | sort | uniq -c | sort -rn | head -20
        status=1
    fi
    grep -hA20 -E "Suppressions used|ThreadSanitizer: Matched" "$logs"/report.* 2>/dev/null | head -40 || true
done
if [ "$status" -eq 0 ]; then
    echo "sanitize: all clean"
else
    echo "sanitize: FAILED"
fi
exit "$status"
