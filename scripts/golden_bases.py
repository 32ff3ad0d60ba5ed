"""Golden outputs for BasisKANTests, computed with numpy in float64 straight from the published
formulas (FastKAN: ZiyaoLi/fast-kan fastkan/fastkan.py; ChebyKAN: SynodicMonth/ChebyKAN
ChebyKANLayer.py, the cos(d·arccos(tanh x)) form), independently of kan-sweep's code.

Every tensor element k (0-based, row-major) of the t-th tensor of the network (in kan-sweep's
declaration order) is 0.25·sin(1.3·(k + 1) + t); input element j is 0.9·cos(0.5·j + 0.3).
Run: python3 scripts/golden_bases.py
"""
import numpy as np


def value(count, t):
    return 0.25 * np.sin(1.3 * (np.arange(count) + 1) + t)


def inputs(batch, width):
    return (0.9 * np.cos(0.5 * np.arange(batch * width) + 0.3)).reshape(batch, width)


def fastkan(widths, centers, lower, upper, x):
    # Per layer, kan-sweep declares: layernorm.weight, layernorm.bias, spline_linear.weight,
    # base_linear.weight, base_linear.bias (parameters); rbf.grid is a buffer.
    t = 0
    for i, o in zip(widths, widths[1:]):
        gamma = 1 + value(i, t); t += 1
        beta = value(i, t); t += 1
        spline = value(o * i * centers, t).reshape(o, i * centers); t += 1
        base_w = value(o * i, t).reshape(o, i); t += 1
        base_b = value(o, t); t += 1
        grid = np.linspace(lower, upper, centers)
        h = (upper - lower) / (centers - 1)
        mean = x.mean(axis=1, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=1, keepdims=True)
        xn = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
        phi = np.exp(-(((xn[..., None] - grid) / h) ** 2)).reshape(x.shape[0], i * centers)
        silu = x / (1 + np.exp(-x))
        x = phi @ spline.T + silu @ base_w.T + base_b
    return x


def chebykan(widths, degree, x):
    t = 0
    for i, o in zip(widths, widths[1:]):
        coeffs = value(i * o * (degree + 1), t).reshape(i, o, degree + 1); t += 1
        u = np.tanh(x)
        cheb = np.cos(np.arange(degree + 1) * np.arccos(u)[..., None])
        x = np.einsum("bid,iod->bo", cheb, coeffs)
    return x


np.set_printoptions(precision=10)
print("fastkan [3, 4, 2] G5 [-2, 2]:", fastkan([3, 4, 2], 5, -2.0, 2.0, inputs(3, 3)).ravel().tolist())
print("chebykan [3, 4, 2] D4:", chebykan([3, 4, 2], 4, inputs(3, 3)).ravel().tolist())
