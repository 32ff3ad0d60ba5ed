#!/usr/bin/env bash
# Issue #14's comparison: one Fashion-MNIST epoch of KAN [784, 64, 10], k=3, batch 64, at G=5
# and G=20, kan-sweep (`sweep train`, 1 thread, training time from --json) and the PyTorch
# efficient-kan-formulation baseline (2 threads, preloaded tensors) back to back, 3 rounds.
# Prints one line per run and the medians.
#
#   bash benchmarks/grid-size.sh [DATA_PARENT]   (default ../shared/data; needs a release build
#                                                 and `pip install torch==2.13.0+cpu`)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
sweep=.build/release/sweep
[ -x "$sweep" ] || swift build -c release --product sweep
unpreset=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
results="$scratch/results"
for _ in 1 2 3; do
  for grid in 5 20; do
    ours=$("$sweep" train --dataset fashion_mnist --num-epochs 1 --grid-size "$grid" \
      --data-dir "$data" --save-path "$scratch/e.safetensors" --overwrite --json | tail -1 |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])')
    theirs=$("${unpreset[@]}" python3 benchmarks/pytorch_kan_baseline.py \
      --data "$data/fashion-mnist" --threads 2 --grid-size "$grid" | tail -1 |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["epoch_seconds"][0])')
    echo "G=$grid kan-sweep $ours s, pytorch $theirs s"
    echo "$grid $ours $theirs" >> "$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for grid in ("5", "20"):
    ours = statistics.median(float(r[1]) for r in rows if r[0] == grid)
    theirs = statistics.median(float(r[2]) for r in rows if r[0] == grid)
    print(f"median G={grid}: kan-sweep {ours:.2f} s, pytorch {theirs:.2f} s, ratio {theirs / ours:.2f}x")
PY
