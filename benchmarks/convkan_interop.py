"""Checkpoints between kan-sweep and convkan, both ways (for BENCHMARKS.md; not a test: it needs
torch==2.13.0+cpu and convkan==0.0.1.2 from PyPI).

    python3 benchmarks/convkan_interop.py --checkpoint ours.safetensors \
        --data ../shared/data/mnist --sweep .build/release/sweep [--test-limit 2000]

1. Loads our `sweep train --use-kan-convolution` checkpoint into convkan's README model with
   `load_state_dict(strict=True)` and evaluates it in PyTorch on the first test images.
2. Writes a convkan model's own `state_dict` (freshly initialized by convkan, seed 0, then the
   same weights as 1 perturbed by PyTorch) with `safetensors.torch.save_file`, no metadata, and
   has `sweep eval` evaluate it.
Prints one JSON line with both accuracies from each side; they must agree.
"""

import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from convkan_baseline import model, read_idx


def accuracy(network, images, labels):
    correct = 0
    with torch.no_grad():
        for first in range(0, len(labels), 128):
            logits = network(images[first: first + 128])
            correct += int((logits.argmax(1) == labels[first: first + 128]).sum())
    return correct / len(labels)


def sweep_eval(sweep, checkpoint, data, limit):
    output = subprocess.run(
        [sweep, "eval", "--checkpoint", checkpoint, "--dataset", "mnist", "--data-dir",
         os.path.dirname(os.path.abspath(data)), "--test-limit", str(limit), "--json"],
        check=True, capture_output=True, text=True).stdout
    return json.loads(output)["accuracy"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--sweep", required=True)
    parser.add_argument("--test-limit", type=int, default=2000)
    args = parser.parse_args()
    torch.set_num_threads(2)
    images = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))[: args.test_limit]
    labels = torch.from_numpy(
        read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))[: args.test_limit]
        .astype(np.int64))
    pixels = (torch.from_numpy(images.astype(np.float32)).div_(255).unsqueeze(1) - 0.1307) / 0.3081

    ours = model()
    ours.load_state_dict(load_file(args.checkpoint), strict=True)
    ours.eval()
    result = {
        "ours_in_pytorch": accuracy(ours, pixels, labels),
        "ours_in_sweep_eval": sweep_eval(args.sweep, args.checkpoint, args.data, args.test_limit),
    }

    torch.manual_seed(0)
    theirs = model()
    # Start from our trained weights so the accuracy is not chance, then move every tensor a
    # little in PyTorch: the file is convkan's own state_dict, written by safetensors.torch.
    theirs.load_state_dict(load_file(args.checkpoint), strict=True)
    with torch.no_grad():
        for name, tensor in theirs.named_parameters():
            tensor.mul_(1 + 0.05 * torch.randn_like(tensor))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "convkan.safetensors")
        save_file({k: v.contiguous() for k, v in theirs.state_dict().items()}, path)
        result["convkan_in_pytorch"] = accuracy(theirs, pixels, labels)
        result["convkan_in_sweep_eval"] = sweep_eval(args.sweep, path, args.data, args.test_limit)
    result["test_images"] = len(labels)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
