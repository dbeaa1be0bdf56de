"""The host's two states for two-thread runs (docs/performance.md, "Two threads and the host"), told apart by the
cross-core probe `crossvit bench` takes around its runs (`hand_over_us`, the 64 KB hand-over): a few µs in the fast
state, four times that in the slow one. Standard-library Python, shared by perf/targets/run.py and perf/compare.
"""


def slow_above(probes):
    """The hand-over time (µs) above which a run met the slow state: the middle (geometric) of the largest gap between
    consecutive sorted probes, when the upper one is more than twice the lower; None when the probes form one group."""
    probes = sorted(probes)
    gaps = [(b / a, a, b) for a, b in zip(probes, probes[1:]) if a > 0]
    if not gaps or max(gaps)[0] <= 2:
        return None
    _, low, high = max(gaps)
    return (low * high) ** 0.5
