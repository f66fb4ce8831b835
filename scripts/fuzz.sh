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
    session) seeds="$build/session-seeds-small"; maxlen=65536 ;;  # sessions of one run, 3 steps: 20-39 KB
    esac
    if [ "$t" = checkpoint ] && [ ! -d "$build/checkpoint-seeds" ]; then
        [ -x "$cli" ] || cmake --build "$build" -j"$jobs" --target attnscope-cli
        mkdir -p "$build/checkpoint-seeds"
        for d in builtin:reviews?n=40 builtin:sensors?n=40; do
            "$cli" train --data "$d" --out "$build/checkpoint-seeds/$(echo "$d" | tr ':?=' '___').safetensors" \
                --steps 1 --dim 8 --heads 2 --ffn 8 >/dev/null 2>&1 || true
        done
    fi
    # Session seeds: one run of 3 steps each and the checkpoint of a 4-wide
    # model (text with a vocabulary of 16, tabular, gated tabular), with
    # 512-byte pages and a rollback journal (sqlite3, when there is one): an
    # input is then 20-39 KB instead of 86-188 KB, and SQLite makes no -shm
    # index for it. One seed keeps its write-ahead log, as the writer leaves it.
    if [ "$t" = session ] && [ ! -d "$build/session-seeds-small" ]; then
        [ -x "$cli" ] || cmake --build "$build" -j"$jobs" --target attnscope-cli
        dir=$build/session-seeds-small
        mkdir -p "$dir"
        "$cli" train --data builtin:reviews?n=40 --session "$dir/reviews.attnscope" --steps 3 --dim 4 --heads 1 --ffn 4 \
            --max-vocab 16 >/dev/null 2>&1 || true
        "$cli" train --data builtin:sensors?n=40 --session "$dir/sensors.attnscope" --steps 3 --dim 4 --heads 1 --ffn 4 \
            >/dev/null 2>&1 || true
        "$cli" train --data builtin:sensors?n=40 --session "$dir/sensors_gated.attnscope" --steps 3 --dim 4 --heads 1 \
            --ffn 4 --mode gated >/dev/null 2>&1 || true
        if command -v sqlite3 >/dev/null; then
            for s in "$dir"/*.attnscope; do
                sqlite3 "$s" "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;" >/dev/null || true
            done
            sqlite3 "$dir/sensors_gated.attnscope" "PRAGMA journal_mode=WAL;" >/dev/null || true
        fi
    fi
    regressions=$root/tests/fuzz/regressions/$t
    [ -d "$regressions" ] || regressions=
    echo "== fuzz_$t: $runs runs"
    # seeds that are directories of files; fixture directories named *.csv are skipped by libFuzzer
    (cd "$build" && ASAN_OPTIONS=detect_leaks=1 "./tests/fuzz/fuzz_$t" -runs="$runs" -max_len=$maxlen \
        -timeout=${FUZZ_TIMEOUT:-60} -rss_limit_mb=2048 -print_final_stats=1 "$corpus" $seeds $regressions) 2>&1 | tee "$build/fuzz_$t.log" | grep -E "^(==|#[0-9]+ +DONE|stat::|SUMMARY|artifact)" || true
done
