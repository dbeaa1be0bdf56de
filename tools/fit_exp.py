"""Derives the polynomials of ExpOperator and Exp2Operator (src/CrossVit.Runtime/Kernels/).

After the reduction x = n + r with n an integer (for e^x, Cody-Waite's x = n*ln2 + r with n the nearest integer, so
|r| <= ln2/2; for 2^x, n = floor(x), so 0 <= r < 1), the power is evaluated as 1 + r*q(r) with q of degree 5: one
Horner chain of six multiply-adds.
q is a minimax fit of the relative error, by weighted least squares with Lawson's reweighting towards the minimax.
Prints, per base, the coefficients as C# float literals, the fit's worst relative error, and that of a float32
simulation (every multiply-add rounded once, like the kernel's FMAs) against float64 on a fine grid.
Needs numpy: python3 tools/fit_exp.py
"""
import math

import numpy as np

DEGREE = 5
# base: (the reduced argument's interval).
BASES = {"e (ExpOperator)": (math.e, (-math.log(2) / 2, math.log(2) / 2)), "2 (Exp2Operator)": (2.0, (0.0, 1.0))}


def fit(base, interval, nodes=4000, iterations=200):
    low, high = interval
    r = (low + high) / 2 + (high - low) / 2 * np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes)
    r = r[r != 0]
    target = base ** r
    # 1 + r*q(r) = base^r  <=>  r^(j+1) columns against base^r - 1, relative to base^r.
    columns = np.stack([r ** (j + 1) for j in range(DEGREE + 1)], 1) / target[:, None]
    rhs = (target - 1) / target
    weights, best = np.ones(len(r)), None
    for _ in range(iterations):
        q, *_ = np.linalg.lstsq(columns * weights[:, None], rhs * weights, rcond=None)
        error = np.abs(1 + r * np.polyval(q[::-1], r) - target) / target
        if best is None or error.max() < best[0]:
            best = (error.max(), q)
        weights = weights * np.sqrt(error) + 1e-300
        weights /= weights.max()
    return best


def simulate(q, r, base):
    """The kernel's chain in float32: p = q5; p = p*r + q_j ...; p = p*r + 1, each step rounded once."""
    r32 = r.astype(np.float32).astype(np.float64)
    p = np.full_like(r32, np.float32(q[-1]), dtype=np.float64)
    for c in list(q[:-1][::-1]) + [1.0]:
        p = (p * r32 + np.float64(np.float32(c))).astype(np.float32).astype(np.float64)
    return np.abs(p - base ** r32) / base ** r32


def main():
    for name, (base, interval) in BASES.items():
        error, q = fit(base, interval)
        print(f"base {name}:")
        for j, c in enumerate(q):
            print(f"q{j} = {np.float32(c).item():.10e}f")
        grid = np.linspace(*interval, 200001)
        print(f"fit's worst relative error {error:.3e}; float32 chain's worst {simulate(q, grid, base).max():.3e}")


if __name__ == "__main__":
    main()
