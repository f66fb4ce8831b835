#!/usr/bin/env bash
# Makes docs/lessons.md's pictures: every step of every built-in lesson as a
# 1024 x 768 projector shows it (a 1138 x 854 screen: the window takes 90 %),
# once the steps before it have applied and its training is over, under Xvfb,
# light theme, 100 % zoom, with settings of its own (not the user's).
#   scripts/lesson_screenshots.sh [OUT_DIR]      (default docs/images)
#   LESSONS="negation" STEPS="3 4" scripts/lesson_screenshots.sh   (some of them)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
out="${1:-$root/docs/images}"
mkdir -p "$out"
[ -x "$build_dir/app/attnscope" ] || cmake --build "$build_dir" -j "${JOBS:-2}" --target attnscope
settings="$(mktemp -d)"
trap 'rm -rf "$settings"' EXIT

for name in ${LESSONS:-cue-words negation attention-modes is-attention-explanation}; do
    for step in ${STEPS:-1 2 3 4}; do
        rm -rf "${settings:?}"/*
        XDG_CONFIG_HOME="$settings" XDG_DATA_HOME="$settings" \
            xvfb-run -a -s "-screen 0 1138x854x24" "$build_dir/app/attnscope" --theme light --zoom 100 \
            --lesson "$name" --lesson-step "$step" --screenshot "$out/lesson-$name-$step.png"
        echo "screenshot: wrote $out/lesson-$name-$step.png"
    done
done
