#!/usr/bin/env bash
# Builds bench_step (Release) and times a training step of the core and of
# PyTorch on the same configurations, data and thread counts, in one run, then
# prints the table of docs/performance.md. A benchmark, not a test.
#
#   bench/run_bench.sh [BUILD_DIR]        (default: build-bench in the source tree)
#
# Environment: ROUNDS (default 3) rounds of every process, the table taking
# medians over them; CONFIGS (default all: default large vocab200 vocab20000)
# the configurations to run; QUICK=1 runs one round of few steps (a smoke run, figures
# not for quoting); PYTHON (default /usr/bin/python3, Debian's python3-torch).
# Each core process measures the Eigen GEMM peak on its own thread count
# between its timed repeats; the table's last lines print each configuration's
# "ACHIEVED / TWO-CORE GEMM PEAK". The figures, and how to read them:
# docs/performance.md.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${1:-$SRC/build-bench}"
PYTHON="${PYTHON:-/usr/bin/python3}"
OUT="$BUILD/bench-results"
mkdir -p "$OUT"

# ---------------------------------------------------------------- build
if [[ ! -f "$BUILD/build.ninja" && ! -f "$BUILD/Makefile" ]]; then
    cmake -S "$SRC" -B "$BUILD" -G Ninja -DATTNSCOPE_BUILD_GUI=OFF -DCMAKE_BUILD_TYPE=Release
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
    echo "run_bench: $BUILD is a '$build_type' build; benchmarks need Release" >&2
    exit 1
fi
cmake --build "$BUILD" -j2 --target bench_step
BENCH="$BUILD/bench/bench_step"

# ---------------------------------------------------------------- the machine and the BLAS torch uses
echo "== machine"
dirty=""
if [[ -n "$(git -C "$SRC" status --porcelain -- core 2>/dev/null)" ]]; then dirty=" (core/ has uncommitted changes)"; fi
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), checkout at commit $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty"
# the code measured: the commit bench_step was built from (a binary copied in is its own)
echo "bench_step built from commit $("$BENCH" --built-from)"
echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== torch BLAS"
if env | grep -q '^OPENBLAS'; then
    echo "OPENBLAS variables set here (unset for the torch runs only):"
    env | grep '^OPENBLAS' | sed 's/^/  /'
fi
# torch is built with BLAS_INFO=generic: it calls libblas.so.3, which the
# Debian alternatives point at OpenBLAS (pthread build).
"$PYTHON" -c "import torch; print('torch', torch.__version__); print([l.strip() for l in torch.__config__.show().splitlines() if 'BLAS' in l or 'CPU capability' in l])" \
    | sed 's/^/  /'
torch_lib="$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
for so in "$torch_lib"/libtorch_cpu.so /usr/lib/x86_64-linux-gnu/libtorch_cpu.so*; do
    if [[ -e "$so" ]]; then
        echo "  ldd $(basename "$so"): $(ldd "$so" | grep -E 'blas|lapack' | awk '{print $1 " -> " $3}' | tr '\n' ' ')"
        break
    fi
done
update-alternatives --display libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -E 'link currently points' | sed 's/^ */  /' || true

# torch runs without the OPENBLAS_* overrides of this shell (they force
# Haswell kernels and a tiny L2 size here), with the OpenBLAS kernels that
# multiply fastest on this processor: OpenBLAS 0.3.21 does not know every
# processor it runs on (on a Xeon of family 6, model 207 it picks its SSE3
# "Prescott" kernels, a quarter of the speed of its AVX-512 ones), so the
# candidates are timed on a 512^3 product, one thread, and the best is kept.
torch_coretype=""
best_gflops=0
for candidate in "" Cooperlake SkylakeX Haswell; do
    gflops="$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${candidate:+OPENBLAS_CORETYPE=$candidate} "$PYTHON" -c '
import time, torch
torch.set_num_threads(1)
a, b = torch.randn(512, 512), torch.randn(512, 512)
best = 0.0
for _ in range(3):
    t0, n = time.process_time(), 0
    while time.process_time() - t0 < 0.2:
        a @ b
        n += 1
    best = max(best, 2 * 512 ** 3 * n / (time.process_time() - t0) / 1e9)
print(f"{best:.1f}")' 2>/dev/null || echo 0)"
    echo "  OpenBLAS kernels ${candidate:-(its own choice)}: $gflops GFLOP per CPU second, 512^3, 1 thread"
    if awk -v a="$gflops" -v b="$best_gflops" 'BEGIN { exit !(a > b) }'; then
        best_gflops="$gflops"
        torch_coretype="$candidate"
    fi
done
echo "torch runs with OPENBLAS_CORETYPE=${torch_coretype:-(unset)}"
run_torch() {
    (
        unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
        if [[ -n "$torch_coretype" ]]; then export OPENBLAS_CORETYPE="$torch_coretype"; fi
        "$PYTHON" "$SRC/bench/torch_step.py" "$@"
    )
}

# ---------------------------------------------------------------- the runs
# name | model flags | timing flags (steps per repeat, repeats, warm-up).
# ROUNDS rounds, each running every configuration's core and torch processes
# one after the other, so that a change in the machine's load hits both; the
# table takes each figure's median over the rounds.
ROUNDS="${ROUNDS:-3}"
if [[ "${QUICK:-0}" == 1 ]]; then
    ROUNDS=1
    default_timing="--steps 5 --repeats 3 --warmup 2"
    large_timing="--steps 1 --repeats 1 --warmup 1"
    vocab_timing="--steps 10 --repeats 3 --warmup 20 --no-peak"
else
    default_timing="--steps 20 --repeats 5 --warmup 5"
    large_timing="--steps 2 --repeats 3 --warmup 1"
    # warm-up: enough steps for the lazy rows' states to settle as in a long run
    vocab_timing="--steps 50 --repeats 5 --warmup 200 --no-peak"
fi
# The vocabulary pair: one corpus of 8,192 texts of 4 to 32 words, drawn with
# Zipf frequencies over 20,000 words as a real vocabulary's are, batches of 32
# in order; once with its 20,000 words, once hashed to 200 (MODEL.md's lesson
# model: no encoder layer, d 64).
corpus="--dim 64 --heads 4 --layers 0 --ffn 256 --len 32 --batch 32 --tasks 3 --classes 2,4,2 --samples 8192 --words 20000 --zipf 1 --min-real 4"
configs=(
    "default|--dim 64 --heads 4 --layers 1 --ffn 256 --len 32 --batch 32 --tasks 3 --classes 2,4,2|$default_timing"
    "large|--dim 256 --heads 8 --layers 2 --ffn 1024 --len 128 --batch 32 --tasks 3 --classes 2,4,2|$large_timing"
    "vocab200|$corpus --vocab 200|$vocab_timing"
    "vocab20000|$corpus --vocab 20000|$vocab_timing"
)
# CONFIGS="large vocab200 vocab20000" runs only those (default: all four)
if [[ -n "${CONFIGS:-}" ]]; then
    chosen=()
    for entry in "${configs[@]}"; do
        if [[ " $CONFIGS " == *" ${entry%%|*} "* ]]; then chosen+=("$entry"); fi
    done
    configs=("${chosen[@]}")
fi

rm -f "$OUT"/*.json
for round in $(seq 1 "$ROUNDS"); do
    for entry in "${configs[@]}"; do
        IFS='|' read -r name model timing <<<"$entry"
        echo "== round $round/$ROUNDS, $name: $model $timing (load $(cut -d' ' -f1 /proc/loadavg))"
        # shellcheck disable=SC2086
        {
            "$BENCH" $model $timing --threads 1 --json >"$OUT/$name-core-1-r$round.json"
            "$BENCH" $model $timing --threads 2 --json >"$OUT/$name-core-2-r$round.json"
            run_torch $model ${timing/--no-peak/} --threads 1,2 --json >"$OUT/$name-torch-r$round.json"
        }
    done
done
echo "load after the runs: $(cut -d' ' -f1-3 /proc/loadavg); ${SECONDS} s since the script started"
echo

# ---------------------------------------------------------------- the table
"$PYTHON" "$SRC/bench/bench_table.py" "$OUT" "$ROUNDS" "${configs[@]%%|*}" | tee "$OUT/table.md"
