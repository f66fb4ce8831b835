#!/bin/sh
# Builds the libFuzzer targets (tests/fuzz) with clang and AddressSanitizer
# and runs each for a fixed number of iterations.
#   scripts/fuzz.sh [RUNS] [TARGET...]     RUNS default 1000000; targets csv jsonl checkpoint attentionfile session
# Seeds: the test fixtures; new corpus entries go to build-fuzz/corpus/<target>;
# a crash leaves crash-* in build-fuzz/ (copy it to tests/fuzz/regressions/<target>/).
# FUZZ_TIMEOUT (seconds, default 60) is the time one input may take: on a
# shared two-core machine under load 17, a whole process stalled for 25 s
# on a 3-byte CSV that runs in 2 ms alone, and 10 s reported that as a hang.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
runs=${1:-1000000}
[ $# -gt 0 ] && shift
targets=${*:-csv jsonl checkpoint attentionfile session}
jobs=${JOBS:-2}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_FUZZ=ON \
    -DATTNSCOPE_SANITIZE=fuzzer-no-link,address >/dev/null
for t in $targets; do
    cmake --build "$build" -j"$jobs" --target "fuzz_$t"
done
cli=${ATTNSCOPE_CLI:-$build/app/attnscope-cli}

for t in $targets; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus"
    maxlen=4096
    case $t in
    csv) seeds="$root/tests/data/csv $root/resources/datasets" ;;
    jsonl) seeds="$root/tests/data/jsonl" ;;
    checkpoint) seeds="$build/checkpoint-seeds"; maxlen=32768 ;;  # the seed checkpoints are 6-12 KB
    attentionfile) seeds="$root/tests/data/attention"; maxlen=8192 ;;  # JSON, .npy and .npz fixtures of 0.1-2.3 KB
    session) seeds="$build/session-seeds"; maxlen=262144 ;;  # sessions of a few steps: 86-188 KB
    esac
    if [ "$t" = checkpoint ] && [ ! -d "$build/checkpoint-seeds" ]; then
        [ -x "$cli" ] || cmake --build "$build" -j"$jobs" --target attnscope-cli
        mkdir -p "$build/checkpoint-seeds"
        for d in builtin:reviews?n=40 builtin:sensors?n=40; do
            "$cli" train --data "$d" --out "$build/checkpoint-seeds/$(echo "$d" | tr ':?=' '___').safetensors" \
                --steps 1 --dim 8 --heads 2 --ffn 8 >/dev/null 2>&1 || true
        done
    fi
    if [ "$t" = session ] && [ ! -d "$build/session-seeds" ]; then
        [ -x "$cli" ] || cmake --build "$build" -j"$jobs" --target attnscope-cli
        mkdir -p "$build/session-seeds"
        for d in builtin:reviews?n=40 builtin:sensors?n=40; do
            seed=$build/session-seeds/$(echo "$d" | tr ':?=' '___').attnscope
            "$cli" train --data "$d" --session "$seed" --steps 3 --dim 8 --heads 2 --ffn 8 >/dev/null 2>&1 || true
            "$cli" train --data "$d" --session "$seed" --steps 2 --dim 8 --heads 2 --ffn 8 --mode gated >/dev/null 2>&1 || true
        done
    fi
    regressions=$root/tests/fuzz/regressions/$t
    [ -d "$regressions" ] || regressions=
    echo "== fuzz_$t: $runs runs"
    # seeds that are directories of files; fixture directories named *.csv are skipped by libFuzzer
    (cd "$build" && ASAN_OPTIONS=detect_leaks=1 "./tests/fuzz/fuzz_$t" -runs="$runs" -max_len=$maxlen \
        -timeout=${FUZZ_TIMEOUT:-60} -rss_limit_mb=2048 -print_final_stats=1 "$corpus" $seeds $regressions) 2>&1 | tee "$build/fuzz_$t.log" | grep -E "^(==|#[0-9]+ +DONE|stat::|SUMMARY|artifact)" || true
done
