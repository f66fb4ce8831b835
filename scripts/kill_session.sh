#!/usr/bin/env bash
# Kills the programs that write a session with kill -9, N times each (50 by
# default) at random moments, then opens every file they left: does it open
# (attnscope-cli session list, and SQLite's integrity check), and how many
# steps did the kill lose?
#   cli     attnscope-cli train --session FILE --metrics CSV. The metrics CSV
#           of the same run is the witness: the CLI writes each step's row
#           to it with write(2) one step behind, and the page cache keeps
#           what a killed process wrote, so its last row is the last step
#           (or the one before) the run took.
#   window  attnscope --session FILE --data DATA --start (offscreen, at most
#           --speed steps a second so that the run is still training when it
#           is killed). It has no CSV: the loss is estimated from the file,
#           the run's rate (its steps over the time from the run's row to the
#           file's last write) times the time from that last write to the kill.
# The session commits at most half a second after a transaction's first
# write (docs/session.md).
#   scripts/kill_session.sh [N] [cli|window|both]   (BUILD_DIR, DATA, OUT_DIR, SPEED to change)
# Prints one line per kill and a summary per program; exit status 1 when a file did not open.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
cli="$build_dir/app/attnscope-cli"
app="$build_dir/app/attnscope"
count="${1:-50}"
which="${2:-both}"
data="${DATA:-builtin:reviews}"
speed="${SPEED:-60}"
out="${OUT_DIR:-$(mktemp -d)}"
mkdir -p "$out"
case "$which" in
    cli) programs=(cli) ;;
    window) programs=(window) ;;
    both) programs=(cli window) ;;
    *) echo "kill_session.sh: $which: say cli, window or both" >&2; exit 2 ;;
esac
[ -x "$cli" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope-cli
[[ " ${programs[*]} " != *" window "* ]] || [ -x "$app" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope
command -v python3 >/dev/null || { echo "kill_session.sh: needs python3 (its sqlite3 module)" >&2; exit 2; }
# The window's settings, recovery files and recent files stay in the output directory.
export XDG_CONFIG_HOME="$out/config" XDG_DATA_HOME="$out/data" XDG_CACHE_HOME="$out/cache"

failed=0

# kill_many PROGRAM: N runs of it, each killed; one line each and a summary.
kill_many() {
    local program=$1
    local opened=0 lost_max=0 lost_sum=0 rate_sum=0
    local i file csv pid start elapsed ok integrity session_step witness checkpoint lost rate
    for i in $(seq 1 "$count"); do
        file="$out/$program$i.attnscope"
        csv="$out/$program$i.csv"
        rm -f "$file" "$file-wal" "$file-shm" "$csv"
        if [ "$program" = cli ]; then
            # Long enough never to end; killed between 1.5 and 5 s after its start
            # (loading and the first steps take about one).
            "$cli" train --data "$data" --steps 1000000 --out "$out/$program$i.safetensors" --session "$file" \
                --run-name "killed $i" --metrics "$csv" --keep-every 500 --json >/dev/null 2>"$out/$program$i.err" &
            pid=$!
            start=$(date +%s.%N)
            sleep "$(python3 -c "import random; print(round(random.uniform(1.5, 5.0), 3))")"
        else
            # The window starts in about two seconds (more under load) and
            # trains the data's default run at `speed` steps a second.
            QT_QPA_PLATFORM=offscreen "$app" --session "$file" --data "$data" --start --speed "$speed" \
                >/dev/null 2>"$out/$program$i.err" &
            pid=$!
            start=$(date +%s.%N)
            sleep "$(python3 -c "import random; print(round(random.uniform(3.0, 8.0), 3))")"
        fi
        kill -9 "$pid"
        local killed
        killed=$(date +%s.%N)
        wait "$pid" 2>/dev/null || true
        elapsed=$(python3 -c "print(round($killed - $start, 2))")

        # Opens as a session (the reader AttnScope uses), and SQLite finds it whole.
        if "$cli" session list "$file" --json >"$out/$program$i.json" 2>"$out/$program$i.list.err"; then
            ok=yes
        else
            ok=no
        fi
        read -r integrity session_step witness checkpoint rate <<<"$(python3 - "$file" "$csv" "$killed" <<'PY'
import csv, datetime, os, sqlite3, sys
path, csv_path, killed = sys.argv[1], sys.argv[2], float(sys.argv[3])
# The file's last write (its log's or its own), before it is opened here.
written = max(os.path.getmtime(p) for p in (path, path + "-wal") if os.path.exists(p))
db = sqlite3.connect(path)
integrity = db.execute("PRAGMA integrity_check").fetchone()[0].replace(" ", "_")
step = db.execute("SELECT coalesce(max(step), 0) FROM steps").fetchone()[0]
ckpt = db.execute("SELECT coalesce(max(step), 0) FROM checkpoints").fetchone()[0]
created = db.execute("SELECT min(created) FROM runs").fetchone()[0]
if os.path.exists(csv_path):  # the CLI's witness: its CSV's last step
    rows = list(csv.reader(open(csv_path)))
    last = int(rows[-1][0]) if len(rows) > 1 and rows[-1] and rows[-1][0].isdigit() else 0
    rate = 0
else:  # the window's: its rate times the time from the last write to the kill
    began = datetime.datetime.fromisoformat(created.replace("Z", "+00:00")).timestamp() if created else written
    rate = step / max(0.5, written - began)
    last = step + round(rate * max(0.0, killed - written))
print(integrity, step, last, ckpt, round(rate))
PY
)"
        if [ "$ok" = yes ] && [ "$integrity" = ok ]; then
            opened=$((opened + 1))
        else
            failed=$((failed + 1))
        fi
        lost=$((witness > session_step ? witness - session_step : 0))
        [ "$lost" -gt "$lost_max" ] && lost_max=$lost
        lost_sum=$((lost_sum + lost))
        if [ "$program" = cli ]; then
            # The run's speed: the steps the CSV saw over the time it trained (less a second of start).
            rate=$(python3 -c "print(round($witness / max(0.5, $elapsed - 1.0)))")
        fi
        rate_sum=$((rate_sum + rate))
        printf '%s kill %2d after %5.2f s: opens %s, integrity %s, steps in the session %6d, %s %6d, lost %4d, last checkpoint %6d\n' \
            "$program" "$i" "$elapsed" "$ok" "$integrity" "$session_step" \
            "$([ "$program" = cli ] && echo "in the CSV" || echo "estimated")" "$witness" "$lost" "$checkpoint"
    done
    python3 - "$program" "$count" "$opened" "$lost_max" "$lost_sum" "$rate_sum" <<'PY'
import sys
program = sys.argv[1]
count, opened, lost_max, lost_sum, rate_sum = map(int, sys.argv[2:])
rate = rate_sum / max(1, count)
print(f"{program}: {opened} of {count} files opened whole; steps lost: at most {lost_max}, mean {lost_sum / max(1, count):.1f} "
      f"(at about {rate:.0f} steps/s: at most {lost_max / max(1.0, rate):.2f} s, mean {lost_sum / max(1, count) / max(1.0, rate):.2f} s)")
PY
}

for program in "${programs[@]}"; do
    kill_many "$program"
done
echo "files in $out"
[ "$failed" -eq 0 ]
