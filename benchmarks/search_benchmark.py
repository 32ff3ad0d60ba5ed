#!/usr/bin/env python3
"""Search benchmark (issue #13): the full grid against random + hyperband and bayes + hyperband.

One search space of 48 configurations on a Fashion-MNIST subset (learning rate x grid_size x
spline_order x hidden width, 8 epochs, 10 % of the training subset held out for validation).
The grid runs all 48; random + hyperband and bayes + hyperband run 16 configurations each with
hyperband (min_iter 1, eta 3), once per sampler seed (the sampler is seeded by the sweep's name).
For each run it prints the best validation accuracy, the test accuracy of the configuration it
picks (best mean validation accuracy among completed configurations) and the epochs it trained.

Usage (after `swift build -c release`):
    python3 benchmarks/search_benchmark.py [--seeds 3] [--workers 2] [--data-dir DIR]
"""
import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile

SPACE = """
  dataset: {value: fashion_mnist}
  train_limit: {value: 10000}
  test_limit: {value: 2000}
  epochs: {value: 8}
  batch_size: {value: 64}
  learning_rate: {values: [0.001, 0.003, 0.01]}
  grid_size: {values: [3, 5, 8, 12]}
  spline_order: {values: [2, 3]}
  hidden_layers: {values: [[16], [32]]}
"""

HEADER = {
    "grid": "method: grid",
    "random": "method: random\nrun_cap: 16\nearly_terminate: {type: hyperband, min_iter: 1, eta: 3}",
    "bayes": "method: bayes\nrun_cap: 16\nearly_terminate: {type: hyperband, min_iter: 1, eta: 3}",
}


def run(sweep, text, folder, args):
    path = os.path.join(folder, sweep + ".yaml")
    with open(path, "w") as handle:
        handle.write(f"name: {sweep}\nmetric: {{name: val_accuracy, goal: maximize}}\n{text}\nparameters:{SPACE}")
    db = os.path.join(folder, "sweeps.sqlite")
    command = [args.sweep, "run", path, "--db", db, "--plain", "--workers", str(args.workers)]
    if args.data_dir:
        command += ["--data-dir", args.data_dir]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return summarize(db, sweep)


def summarize(db, sweep):
    connection = sqlite3.connect(db)
    rows = connection.execute(
        """SELECT t.id, t.state, t.configuration FROM trial t JOIN sweep s ON s.id = t.sweep_id
           WHERE s.name = ?""", (sweep,)).fetchall()
    epochs = 0
    best_val = 0.0
    picked = None
    for trial_id, state, configuration in rows:
        metrics = dict(((epoch, name), value) for epoch, name, value in connection.execute(
            "SELECT epoch, name, value FROM metric WHERE trial_id = ?", (trial_id,)))
        last = max((epoch for epoch, _ in metrics), default=0)
        epochs += last
        val = metrics.get((last, "val_accuracy"))
        if val is None:
            continue
        best_val = max(best_val, val)
        if state == "completed" and (picked is None or val > picked[0]):
            picked = (val, metrics.get((last, "test_accuracy")))
    return {"configurations": len(rows), "epochs": epochs, "best_val": best_val,
            "picked_test": picked[1] if picked else float("nan")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir")
    parser.add_argument("--sweep", default=os.path.join(os.path.dirname(__file__), "..", ".build", "release", "sweep"))
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kan-search-benchmark-")
    results = {"grid": [run("grid", HEADER["grid"], folder, args)]}
    for method in ("random", "bayes"):
        results[method] = [run(f"{method}-hb-s{seed}", HEADER[method], folder, args)
                           for seed in range(args.seeds)]
    grid = results["grid"][0]
    print(f"store: {folder}/sweeps.sqlite")
    print("| search | sampler seed | configurations | epochs trained | % of grid epochs | best val_accuracy | gap to grid (points) | test_accuracy of its pick |")
    print("|---|---|---|---|---|---|---|---|")
    for method, runs in results.items():
        for seed, result in enumerate(runs):
            gap = 100 * (grid["best_val"] - result["best_val"])
            print(f"| {method} | {seed if method != 'grid' else '—'} | {result['configurations']} | {result['epochs']} | "
                  f"{100 * result['epochs'] / grid['epochs']:.1f} | {result['best_val']:.4f} | {gap:.2f} | {result['picked_test']:.4f} |")
    for method in ("random", "bayes"):
        runs = results[method]
        gap = statistics.median(100 * (grid["best_val"] - r["best_val"]) for r in runs)
        share = statistics.median(100 * r["epochs"] / grid["epochs"] for r in runs)
        print(f"{method} + hyperband, median over {len(runs)} sampler seeds: gap {gap:.2f} points, "
              f"{share:.1f} % of the grid's epochs")


if __name__ == "__main__":
    sys.exit(main())
