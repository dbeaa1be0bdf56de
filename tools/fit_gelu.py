"""Derives GeluOperator's coefficients (src/CrossVit.Runtime/Kernels/Activations.cs).

gelu(x) = max(x, 0) - h(|x|) with h(a) = a * Phi(-a) = a/2 * erfc(a / sqrt 2) for either sign of x.
h is fitted as a * P(v) / Q(v), v = min(a, A) - C, P of degree 6, Q of degree 7 with Q's constant 1: a rational
minimax fit of h's absolute error on [0, A], by linearised least squares (Sanathanan-Koerner) with Lawson's
reweighting towards the minimax. Centring at C keeps the float Horner sums from cancelling. Past A, h < 6e-8 and
the clamp makes h(a) = h(A), so huge |x| still give max(x, 0) up to that.

Prints the coefficients as C# float literals, and the fit's and a float32 simulation's worst gelu error on the unit
test's grid (every 2^-12 step in [-20, 20]); the simulation rounds every multiply and add separately where the kernel
fuses them, so it only approximates the kernel's error (the unit tests measure that). Needs numpy:
/usr/bin/python3 tools/fit_gelu.py
"""
import math

import numpy as np

A, C, P_DEGREE, Q_DEGREE = 5.6, 2.0, 6, 7


def h(a):
    return 0.5 * a * math.erfc(a / math.sqrt(2))


def fit(nodes=6000, iterations=300):
    a = A * (0.5 + 0.5 * np.cos(np.pi * (np.arange(nodes) + 0.5) / nodes))
    v = a - C
    target = np.array([h(t) for t in a])
    weights, q_previous, best = np.ones(nodes), np.ones(nodes), None
    for _ in range(iterations):
        # a·P(v) − target·(Q(v) − 1) = target, scaled by 1/Q_previous (Sanathanan–Koerner) and the Lawson weights.
        columns = [a * v**j for j in range(P_DEGREE + 1)] + [-target * v**j for j in range(1, Q_DEGREE + 1)]
        scale = weights / q_previous
        solution, *_ = np.linalg.lstsq(np.stack(columns, 1) * scale[:, None], target * scale, rcond=None)
        p, q = solution[: P_DEGREE + 1], np.concatenate([[1.0], solution[P_DEGREE + 1 :]])
        q_previous = np.polyval(q[::-1], v)
        error = target - a * np.polyval(p[::-1], v) / q_previous
        if best is None or np.abs(error).max() < best[0]:
            best = (np.abs(error).max(), p, q)
        weights = weights * np.sqrt(np.abs(error)) + 1e-300
        weights *= nodes / weights.sum()
    return best


def float32_gelu(x, p, q):
    f = np.float32
    a = np.minimum(np.abs(x), f(A))
    v = (a - f(C)).astype(f)
    p_sum, q_sum = np.full_like(v, p[-1]), np.full_like(v, q[-1])
    for c in p[-2::-1]:
        p_sum = (p_sum * v + c).astype(f)
    for c in q[-2::-1]:
        q_sum = (q_sum * v + c).astype(f)
    return (np.maximum(x, f(0)) - ((a * p_sum).astype(f) / q_sum).astype(f)).astype(f)


def main():
    worst_fit, p, q = fit()
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    print("P (v^0 first):", ", ".join("%.9ef" % c for c in p32))
    print("Q (v^0 first):", ", ".join("%.9ef" % c for c in q32))
    x = (np.arange(-20 * 4096, 20 * 4096 + 1) / 4096.0).astype(np.float32)
    exact = np.array([0.5 * float(t) * math.erfc(-float(t) / math.sqrt(2)) for t in x])
    error = np.abs(float32_gelu(x, p32, q32).astype(np.float64) - exact)
    print("fit: worst |h error| %.2e; float32 simulation: worst |gelu error| %.2e at x = %g" % (worst_fit, error.max(), x[error.argmax()]))


if __name__ == "__main__":
    main()
