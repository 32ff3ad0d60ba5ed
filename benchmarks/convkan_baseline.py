"""convkan on PyTorch CPU: the reference for `sweep train --use-kan-convolution` (BENCHMARKS.md).

Trains convkan's README model (convkan 0.0.1.2 from PyPI, `pip install --no-deps convkan==0.0.1.2`,
on torch 2.13.0+cpu) the way its README does: ConvKAN(1,32,3,pad 1) > LayerNorm2D(32) >
ConvKAN(32,32,3,stride 2,pad 1) > LayerNorm2D(32) > ConvKAN(32,10,3,stride 2,pad 1) >
AdaptiveAvgPool2d(1) > Flatten, AdamW lr 1e-2 (PyTorch's default weight decay 0.01), batch 128,
shuffled, pixels/255 normalized with mean 0.1307 and std 0.3081. It is a benchmark, not part of
the test suite.

    python3 benchmarks/convkan_baseline.py --data ../shared/data/mnist --threads 2 --epochs 1 \
        [--train-limit 6400] [--test-limit 10000] [--seed 0]

Prints one JSON line per epoch: seconds, seconds per step, test accuracy, peak RSS.
"""

import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn

from convkan import ConvKAN, LayerNorm2D


def read_idx(path):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def model():
    """convkan's README model."""
    return nn.Sequential(
        ConvKAN(1, 32, padding=1, kernel_size=3, stride=1),
        LayerNorm2D(32),
        ConvKAN(32, 32, padding=1, kernel_size=3, stride=2),
        LayerNorm2D(32),
        ConvKAN(32, 10, padding=1, kernel_size=3, stride=2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )


def normalized(images):
    # ToTensor() then Normalize((0.1307,), (0.3081,)), as convkan's README.
    pixels = torch.from_numpy(images.astype(np.float32)).div_(255).unsqueeze(1)
    return (pixels - 0.1307) / 0.3081


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder of the four IDX .gz files")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--test-limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))[: args.train_limit]
    train_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))[: args.train_limit]
    test_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))[: args.test_limit]
    test_y = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))[: args.test_limit]
    train_x, test_x = normalized(train_x), normalized(test_x)
    train_y = torch.from_numpy(train_y.astype(np.int64))
    test_y = torch.from_numpy(test_y.astype(np.int64))

    network = model()
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(network.parameters(), lr=1e-2)
    batch = 128
    for epoch in range(1, args.epochs + 1):
        network.train()
        order = torch.randperm(len(train_y))
        start = time.perf_counter()
        steps = 0
        for first in range(0, len(order), batch):
            rows = order[first: first + batch]
            optimizer.zero_grad()
            loss = criterion(network(train_x[rows]), train_y[rows])
            loss.backward()
            optimizer.step()
            steps += 1
        seconds = time.perf_counter() - start
        network.eval()
        correct = 0
        with torch.no_grad():
            for first in range(0, len(test_y), batch):
                logits = network(test_x[first: first + batch])
                correct += int((logits.argmax(1) == test_y[first: first + batch]).sum())
        print(json.dumps({
            "epoch": epoch, "seed": args.seed, "train_samples": len(train_y),
            "seconds": seconds, "seconds_per_step": seconds / steps,
            "test_accuracy": correct / len(test_y), "test_samples": len(test_y),
            "threads": args.threads, "torch": torch.__version__,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }), flush=True)


if __name__ == "__main__":
    main()
