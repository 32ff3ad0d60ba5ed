"""Golden L-BFGS iterates for LBFGSTests: torch.optim.LBFGS (float32) with the settings of
pykan's `fit` (lr 1, history 10, strong-Wolfe line search, max_iter 20) on Rosenbrock's function
f(x, y) = 100(y − x²)² + (1 − x)² from (−1.2, 1).
Run: pip install torch==2.13.0+cpu; python3 scripts/golden_lbfgs.py
"""
import torch

x = torch.tensor([-1.2, 1.0], dtype=torch.float32, requires_grad=True)
optimizer = torch.optim.LBFGS([x], lr=1, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
    loss.backward()
    return loss


for step in range(3):
    loss = optimizer.step(closure)
    state = optimizer.state[x]
    print(f"step {step + 1}: start loss {loss.item():.9g} x {x.detach().tolist()} "
          f"n_iter {state['n_iter']} func_evals {state['func_evals']}")
