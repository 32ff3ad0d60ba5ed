"""PyTorch CPU baseline for `BENCHMARKS.md`: one MNIST epoch of a KAN [784, 64, 10], G=5, k=3.

The model follows efficient-kan's formulation (B-spline basis expansion, then two F.linear calls,
autograd backward, torch.optim.AdamW), written here from the description, not copied. It is a
benchmark, not part of the test suite.

    python3 benchmarks/pytorch_kan_baseline.py --data ../shared/data/mnist --threads 2 [--grid-size 20]

Prints one JSON line: seconds for the training epoch, samples/s, test accuracy, peak RSS.

`--loader tensors` (default) slices preloaded uint8 arrays per batch: the model's cost alone.
`--loader dataloader` feeds batches the way efficient-kan's MNIST example does: a
`torch.utils.data.DataLoader` (batch 64, shuffled) over a per-sample dataset that converts each
image to a float tensor in [0, 1] and normalizes it with mean 0.5 and std 0.5, and reads
`loss.item()` every step for the progress bar. (torchvision is not installed here, so the
per-sample PIL conversion of the example is left out: this is a lower bound of the example's time.)
"""

import argparse
import gzip
import json
import math
import os
import resource
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(os.path.join(folder, stem))


class SplineLayer(torch.nn.Module):
    """y = SiLU(x) W_baseᵀ + B(x) (W_spline ⊙ scaler)ᵀ with Cox–de Boor bases B."""

    def __init__(self, inputs, outputs, grid_size=5, order=3, low=-1.0, high=1.0):
        super().__init__()
        step = (high - low) / grid_size
        knots = torch.arange(-order, grid_size + order + 1, dtype=torch.float32) * step + low
        self.register_buffer("grid", knots.expand(inputs, -1).contiguous())
        self.order = order
        self.base_weight = torch.nn.Parameter(torch.empty(outputs, inputs))
        self.spline_weight = torch.nn.Parameter(torch.empty(outputs, inputs, grid_size + order))
        self.spline_scaler = torch.nn.Parameter(torch.empty(outputs, inputs))
        torch.nn.init.kaiming_uniform_(self.base_weight, a=math.sqrt(5))
        torch.nn.init.kaiming_uniform_(self.spline_scaler, a=math.sqrt(5))
        torch.nn.init.uniform_(self.spline_weight, -0.01, 0.01)

    def bases(self, x):
        g = self.grid
        x = x.unsqueeze(-1)
        b = ((x >= g[:, :-1]) & (x < g[:, 1:])).to(x.dtype)
        for r in range(1, self.order + 1):
            left = (x - g[:, : -(r + 1)]) / (g[:, r:-1] - g[:, : -(r + 1)])
            right = (g[:, r + 1:] - x) / (g[:, r + 1:] - g[:, 1:-r])
            b = left * b[:, :, :-1] + right * b[:, :, 1:]
        return b

    def forward(self, x):
        base = F.linear(F.silu(x), self.base_weight)
        scaled = self.spline_weight * self.spline_scaler.unsqueeze(-1)
        spline = F.linear(self.bases(x).reshape(x.shape[0], -1), scaled.reshape(scaled.shape[0], -1))
        return base + spline


class PerSampleImages(torch.utils.data.Dataset):
    """Each item converted on access, like torchvision's ToTensor + Normalize((0.5,), (0.5,))."""

    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = torch.from_numpy(self.images[index].astype(np.float32)).div(255).unsqueeze(0)
        return (image - 0.5) / 0.5, int(self.labels[index])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/mnist")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--loader", choices=["tensors", "dataloader"], default="tensors")
    parser.add_argument("--grid-size", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    train_x = read_idx(find(args.data, "train-images-idx3-ubyte")).reshape(-1, 784)
    train_y = read_idx(find(args.data, "train-labels-idx1-ubyte")).astype(np.int64)
    test_x = read_idx(find(args.data, "t10k-images-idx3-ubyte")).reshape(-1, 784)
    test_y = read_idx(find(args.data, "t10k-labels-idx1-ubyte")).astype(np.int64)

    def normalize(batch):
        return torch.from_numpy(batch.astype(np.float32)) / 255 * 2 - 1

    model = torch.nn.Sequential(
        SplineLayer(784, 64, grid_size=args.grid_size), SplineLayer(64, 10, grid_size=args.grid_size))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    generator = np.random.default_rng(0)
    epoch_seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        if args.loader == "dataloader":
            loader = torch.utils.data.DataLoader(
                PerSampleImages(train_x.reshape(-1, 28, 28), train_y),
                batch_size=args.batch_size, shuffle=True)
            for images, labels in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(images.view(-1, 784)), labels)
                loss.backward()
                optimizer.step()
                loss.item()
        else:
            order = generator.permutation(len(train_x))
            for first in range(0, len(order), args.batch_size):
                rows = order[first: first + args.batch_size]
                x = normalize(train_x[rows])
                y = torch.from_numpy(train_y[rows])
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
        epoch_seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        correct = 0
        for first in range(0, len(test_x), 1000):
            logits = model(normalize(test_x[first: first + 1000]))
            correct += int((logits.argmax(1).numpy() == test_y[first: first + 1000]).sum())
    print(json.dumps({
        "torch": torch.__version__, "threads": args.threads, "loader": args.loader, "epoch_seconds": epoch_seconds,
        "samples_per_second": len(train_x) / min(epoch_seconds), "test_accuracy": correct / len(test_x),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
