#!/usr/bin/env bash
# Makes docs/lessons.md's pictures: every step of every built-in lesson as a
# 1024 x 768 projector shows it (a 1138 x 854 screen: the window takes 90 %),
# once the steps before it have applied and its training is over, under Xvfb,
# 100 % zoom, with settings of its own (not the user's): in the light theme,
# then one step of each lesson in the dark theme (lesson-NAME-K-dark.png).
#   scripts/lesson_screenshots.sh [OUT_DIR]      (default docs/images)
#   LESSONS="negation" STEPS="3 4" scripts/lesson_screenshots.sh   (some of them, light)
#   DARK="negation:3" scripts/lesson_screenshots.sh                 (and these in the dark theme; "" none)
#   LESSONS="" scripts/lesson_screenshots.sh                        (the dark set alone)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
out="${1:-$root/docs/images}"
mkdir -p "$out"
[ -x "$build_dir/app/attnscope" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope
settings="$(mktemp -d)"
trap 'rm -rf "$settings"' EXIT

# shoot NAME STEP THEME FILE
shoot() {
    rm -rf "${settings:?}"/*
    XDG_CONFIG_HOME="$settings" XDG_DATA_HOME="$settings" \
        xvfb-run -a -s "-screen 0 1138x854x24" "$build_dir/app/attnscope" --theme "$3" --zoom 100 \
        --lesson "$1" --lesson-step "$2" --screenshot "$4"
    echo "screenshot: wrote $4"
}

for name in ${LESSONS-cue-words negation attention-modes is-attention-explanation}; do
    for step in ${STEPS-1 2 3 4}; do
        shoot "$name" "$step" light "$out/lesson-$name-$step.png"
    done
done
# The dark set: a step of each lesson, each a view of its own.
for pair in ${DARK-cue-words:3 negation:3 attention-modes:4 is-attention-explanation:3}; do
    shoot "${pair%%:*}" "${pair##*:}" dark "$out/lesson-${pair%%:*}-${pair##*:}-dark.png"
done
