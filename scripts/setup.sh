#!/usr/bin/env bash
# Installs the Debian 12 packages AttnScope needs to build, test and run.
# Idempotent: packages already present are left alone, and apt-get update runs
# only when something is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
    cmake ninja-build g++
    qt6-base-dev qt6-svg-dev libqcustomplot-dev libgl1-mesa-dev
    libqt6sql6-sqlite                    # Qt Sql's SQLite driver: session files (docs/session.md)
    libsqlite3-dev                       # SQLite's own API: a session's curves read fast (docs/session.md)
    libeigen3-dev libopenblas0-pthread
    python3-torch python3-numpy          # the PyTorch reference test and bench/
    python3-sklearn                      # the baselines beside the lessons' figures (docs/wordnet_baseline.py)
    wordnet-base                         # builtin:wordnet, WordNet 3.0's glosses (docs/datasets.md)
    xvfb xauth imagemagick               # headless GUI runs and screenshots
)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for package in "${packages[@]}"; do
    if ! installed "$package"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#packages[@]} packages are installed"
    exit 0
fi

echo "setup: missing packages: ${missing[*]}"
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        run_as_root=(sudo)
    else
        echo "setup: installing packages needs root (or sudo); install these by hand: ${missing[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "setup: apt-get update"
"${run_as_root[@]}" apt-get update
echo "setup: apt-get install ${missing[*]}"
"${run_as_root[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
echo "setup: done"
