#!/usr/bin/env bash
# Kills attnscope-cli with kill -9 while it writes a session, N times (50 by
# default) at random moments, then opens every file it left: does it open
# (attnscope-cli session list, and SQLite's integrity check), and how many
# steps did the kill lose? The metrics CSV of the same run is the witness:
# the CLI writes each step's row to it with write(2) one step behind, and
# the page cache keeps what a killed process wrote, so its last row is the
# last step (or the one before) the run took. The session commits at most
# half a second after a transaction's first write (docs/session.md).
#   scripts/kill_session.sh [N]        (BUILD_DIR, DATA, OUT_DIR to change)
# Prints one line per kill and a summary; exit status 1 when a file did not open.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
cli="$build_dir/app/attnscope-cli"
count="${1:-50}"
data="${DATA:-builtin:reviews}"
out="${OUT_DIR:-$(mktemp -d)}"
mkdir -p "$out"
[ -x "$cli" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope-cli
command -v python3 >/dev/null || { echo "kill_session.sh: needs python3 (its sqlite3 module)" >&2; exit 2; }

opened=0
failed=0
lost_max=0
lost_sum=0
lost_runs=0
rate_sum=0
for i in $(seq 1 "$count"); do
    file="$out/kill$i.attnscope"
    csv="$out/kill$i.csv"
    rm -f "$file" "$file-wal" "$file-shm" "$csv"
    # Long enough never to end; killed between 1.5 and 5 s after its start
    # (loading and the first steps take about one).
    "$cli" train --data "$data" --steps 1000000 --out "$out/kill$i.safetensors" --session "$file" \
        --run-name "killed $i" --metrics "$csv" --keep-every 500 --json >/dev/null 2>"$out/kill$i.err" &
    pid=$!
    start=$(date +%s.%N)
    sleep "$(python3 -c "import random; print(round(random.uniform(1.5, 5.0), 3))")"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    elapsed=$(python3 -c "import time; print(round($(date +%s.%N) - $start, 2))")

    # Opens as a session (the reader AttnScope uses), and SQLite finds it whole.
    if "$cli" session list "$file" --json >"$out/kill$i.json" 2>"$out/kill$i.list.err"; then
        ok=yes
    else
        ok=no
    fi
    read -r integrity session_step csv_step checkpoint <<<"$(python3 - "$file" "$csv" <<'PY'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
integrity = db.execute("PRAGMA integrity_check").fetchone()[0].replace(" ", "_")
step = db.execute("SELECT coalesce(max(step), 0) FROM steps").fetchone()[0]
ckpt = db.execute("SELECT coalesce(max(step), 0) FROM checkpoints").fetchone()[0]
rows = list(csv.reader(open(sys.argv[2])))
last = int(rows[-1][0]) if len(rows) > 1 and rows[-1] and rows[-1][0].isdigit() else 0
print(integrity, step, last, ckpt)
PY
)"
    if [ "$ok" = yes ] && [ "$integrity" = ok ]; then
        opened=$((opened + 1))
    else
        failed=$((failed + 1))
    fi
    lost=$((csv_step > session_step ? csv_step - session_step : 0))
    [ "$lost" -gt "$lost_max" ] && lost_max=$lost
    lost_sum=$((lost_sum + lost))
    lost_runs=$((lost_runs + 1))
    # The run's speed: the steps the CSV saw over the time it trained (less a second of start).
    rate=$(python3 -c "print(round($csv_step / max(0.5, $elapsed - 1.0)))")
    rate_sum=$((rate_sum + rate))
    printf 'kill %2d after %5.2f s: opens %s, integrity %s, steps in the session %6d, in the CSV %6d, lost %4d, last checkpoint %6d\n' \
        "$i" "$elapsed" "$ok" "$integrity" "$session_step" "$csv_step" "$lost" "$checkpoint"
done

python3 - "$count" "$opened" "$lost_max" "$lost_sum" "$lost_runs" "$rate_sum" <<'PY'
import sys
count, opened, lost_max, lost_sum, runs, rate_sum = map(int, sys.argv[1:])
rate = rate_sum / max(1, runs)
print(f"{opened} of {count} files opened whole; steps lost: at most {lost_max}, mean {lost_sum / max(1, runs):.1f} "
      f"(at about {rate:.0f} steps/s: at most {lost_max / max(1.0, rate):.2f} s, mean {lost_sum / max(1, runs) / max(1.0, rate):.2f} s)")
PY
echo "files in $out"
[ "$failed" -eq 0 ]
