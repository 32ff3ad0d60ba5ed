#!/usr/bin/env bash
# The issue #6 measurements in one run, in the order BENCHMARKS.md reports them: `sweep bench`
# (1 thread ×5, 2 threads ×3, OpenBLAS's own core choice ×3), one MNIST epoch of kan-sweep and of
# the PyTorch baseline interleaved (×3), peak RSS of `sweep train` on both image sets, and
# `sweep bench-sweep` at four trial sizes (×2). Prints JSON lines and summaries; takes ~6 minutes.
#
#   bash benchmarks/speed-and-memory.sh [DATA_PARENT]   (default ../shared/data; needs a release
#                                                        build and `pip install torch==2.13.0+cpu`)
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-../shared/data}"
sweep=.build/release/sweep
[ -x "$sweep" ] || swift build -c release
unpreset=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

echo "== bench, 1 thread"
for _ in 1 2 3 4 5; do "$sweep" bench --json; done
echo "== bench, 2 threads"
for _ in 1 2 3; do "$sweep" bench --threads 2 --json; done
echo "== bench, 1 thread, OpenBLAS's own core choice"
for _ in 1 2 3; do "${unpreset[@]}" "$sweep" bench --json; done

echo "== one MNIST epoch"
epoch() { "$@" 2>&1 | grep -o "epoch 1/1 train_loss.*" || true; }
for _ in 1 2 3; do
  for threads in 1 2; do
    echo "kan-sweep threads=$threads $(epoch "$sweep" train --dataset mnist --num-epochs 1 \
      --threads "$threads" --data-dir "$data" --save-path "$scratch/epoch.safetensors")"
  done
  echo "kan-sweep threads=1 own-core $(epoch "${unpreset[@]}" "$sweep" train --dataset mnist \
    --num-epochs 1 --threads 1 --data-dir "$data" --save-path "$scratch/epoch.safetensors")"
  for loader in tensors dataloader; do
    echo "pytorch threads=2 $("${unpreset[@]}" python3 benchmarks/pytorch_kan_baseline.py \
      --data "$data/mnist" --threads 2 --loader "$loader" 2>&1 | tail -1)"
  done
done

echo "== peak RSS of sweep train (10 epochs)"
for dataset in mnist fashion_mnist; do
  /usr/bin/time -v "$sweep" train --dataset "$dataset" --data-dir "$data" \
    --save-path "$scratch/train.safetensors" > "$scratch/train.txt" 2> "$scratch/time.txt"
  echo "$dataset $(grep -E 'Maximum resident' "$scratch/time.txt" | tr -s ' \t' ' ')"
  grep -E "epoch 10/10 train_loss" "$scratch/train.txt"
done

echo "== sweep overhead"
for samples in 1000 20000 60000 200000; do
  for _ in 1 2; do "$sweep" bench-sweep --samples "$samples" --json; done
done
