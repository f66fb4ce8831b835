#!/usr/bin/env bash
# Opens every dataset in tests/data, and the hostile files issue 10 names
# (made here), in the window: `attnscope --screenshot` loads the file, trains
# 20 steps when it loads, and writes a picture of the window whether it
# loaded or not. A file passes when the window exits 0 (loaded) or 1 (the
# error on screen) and the picture exists; a crash, a sanitizer report, a
# hang (120 s) or a missing picture fails.
#   scripts/open_all.sh [BUILD]      BUILD default build/ (its app/attnscope, app/attnscope-cli)
# SHOTS=DIR keeps the pictures (N.png, in the order the files are listed).
# Without AddressSanitizer the window runs under a 4 GB address-space limit
# (ulimit -v 4194304). An ASan build cannot start under ulimit -v (it
# reserves terabytes of shadow address space), so it gets ASan's own 4 GB
# caps instead: any allocation over 4 GB or a resident set over 4 GB is a
# fatal report, and ATTNSCOPE_MEMORY_BUDGET gives it the budget the window
# takes from ulimit -v (half of it, 2 GiB). Why and the figures:
# docs/testing.md.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
app="$build/app/attnscope"
cli="$build/app/attnscope-cli"
[ -x "$app" ] && [ -x "$cli" ] || { echo "open_all: build $app and $cli first" >&2; exit 2; }

asan=0
# (not `nm | grep -q`: under pipefail, nm's SIGPIPE after grep's first match
# made the pipeline fail, and an ASan build ran under ulimit -v and aborted)
case "$(nm -D "$app" 2>/dev/null)" in *__asan_*) asan=1 ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/made" "$work/shots" "$work/logs" ${SHOTS:+"$SHOTS"}
made="$work/made"

# --- the hostile files of issue 10, made at run time (small on disk) ---
python3 - "$made" <<'EOF'
import os, sys
d = sys.argv[1]
def w(name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
cols = 20000
rows = "".join(",".join(str(((i * 7919 + j * 104729) % 1000) / 1000) for j in range(cols)) + ("," + ("a" if i % 2 else "b")) + "\n" for i in range(6))
w("wide_20000_columns.csv", ",".join(f"f{j}" for j in range(cols)) + ",label\n" + rows)
w("wide_10000_features.jsonl", "".join(
    '{"features": {' + ", ".join(f'"f{j}": {((i * 7919 + j * 104729) % 1000) / 1000}' for j in range(10000))
    + '}, "labels": {"label": "' + ("a" if i % 2 else "b") + '"}}\n' for i in range(6)))
tasks = 10000
w("tasks_10000.csv", "text," + ",".join(f"t{k}" for k in range(tasks)) + "\n" + "".join(
    f"word{i} other{i % 3}," + ",".join("x" if (i + k) % 2 else "y" for k in range(tasks)) + "\n" for i in range(8)))
w("column_name_1mb.csv", "text," + "n" * (1 << 20) + "\n" + "".join(f"w{i} v{i % 5},{'ab'[i % 2]}\n" for i in range(40)))
w("classes_100000.csv", "text,label\n" + "".join(f"w{i % 97} u{i % 13},c{i}\n" for i in range(100000)))
w("extreme_values.csv", "x,y,label\n3.4e38,1,a\n-3.4e38,2,b\n3.4e38,3,a\n-3.4e38,4,b\n")
EOF
ln -s /dev/zero "$made/link_to_dev_zero.jsonl"
mkfifo "$made/fifo.csv"
truncate -s 1G "$made/sparse_1gb.jsonl"
# checkpoints: a good one, one with a NaN weight, one cut short
"$cli" train --data 'builtin:reviews?n=60' --steps 2 --dim 8 --heads 2 --ffn 8 \
    --out "$made/good.safetensors" >/dev/null 2>&1 || { echo "open_all: could not make a checkpoint" >&2; exit 2; }
python3 - "$made" <<'EOF'
import json, math, os, struct, sys
d = sys.argv[1]
raw = open(os.path.join(d, "good.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
name = next(k for k, v in header.items() if k != "__metadata__" and v["dtype"] == "F32")
begin = 8 + n + header[name]["data_offsets"][0]
poisoned = bytearray(raw)
poisoned[begin + 4:begin + 8] = struct.pack("<f", math.nan)
open(os.path.join(d, "nan_weight.safetensors"), "wb").write(poisoned)
open(os.path.join(d, "truncated.safetensors"), "wb").write(raw[:len(raw) // 2])
EOF

# --- open each one ---
inputs=()
while IFS= read -r f; do inputs+=("--data:$f"); done < <(find "$root/tests/data" -type f \( -name '*.csv' -o -name '*.tsv' -o -name '*.jsonl' \) | sort)
for f in "$made"/*; do
    case "$f" in
    *.safetensors) inputs+=("--checkpoint:$f") ;;  # with the data the good one was trained on
    *) inputs+=("--data:$f") ;;
    esac
done

export QT_QPA_PLATFORM=offscreen
export ASAN_OPTIONS="detect_leaks=1:exitcode=23:hard_rss_limit_mb=4096:max_allocation_size_mb=4096:allocator_may_return_null=0"
# Under ulimit -v 4194304 the window's memory budget is half of it, 2 GiB
# (core/memorybudget.cpp); ASan's run gets the same budget, which it cannot
# read from a limit. Without it the budget was half the machine's memory, so
# a 10,000-feature table started an 8 GB attention buffer that ASan's 4 GB
# cap turned into a fatal report.
[ "$asan" = 1 ] && export ATTNSCOPE_MEMORY_BUDGET=${ATTNSCOPE_MEMORY_BUDGET:-2147483648}
failed=0
loaded=0
refused=0
start=$(date +%s)
i=0
for entry in "${inputs[@]}"; do
    flag="${entry%%:*}"
    file="${entry#*:}"
    i=$((i + 1))
    shot="${SHOTS:-$work/shots}/$i.png"
    log="$work/logs/$i.log"
    args=("$flag" "$file" --screenshot "$shot" --after-steps 20)
    [ "$flag" = --checkpoint ] && args+=(--data 'builtin:reviews?n=60')
    if [ "$asan" = 1 ]; then
        timeout 300 "$app" "${args[@]}" >"$log" 2>&1
    else
        (ulimit -v 4194304; timeout 120 "$app" "${args[@]}") >"$log" 2>&1
    fi
    code=$?
    name="${file#"$root"/}"
    name="${name#"$made"/}"
    if { [ "$code" = 0 ] || [ "$code" = 1 ]; } && [ -s "$shot" ] && ! grep -q "Sanitizer" "$log"; then
        [ "$code" = 0 ] && loaded=$((loaded + 1)) || refused=$((refused + 1))
        printf 'ok    %-3s %s\n' "$code" "$name"
    else
        failed=$((failed + 1))
        printf 'FAIL  %-3s %s (picture %s)\n' "$code" "$name" "$([ -s "$shot" ] && echo written || echo missing)"
        tail -n 20 "$log" | sed 's/^/      /'
    fi
done
echo "open_all: ${#inputs[@]} files, $loaded loaded, $refused refused with the error shown, $failed failed ($(( $(date +%s) - start )) s, $([ "$asan" = 1 ] && echo 'AddressSanitizer, 4 GB caps' || echo 'ulimit -v 4194304'))"
[ "$failed" = 0 ]
