"""Paired statistics for model comparisons: bootstrap CI, Wilcoxon test and a cautious verdict.

Pure numpy/scipy (no torch). Scores come per case and per seed (training run).
The confidence interval of the mean difference challenger - baseline comes from a
two-level bootstrap: each resample draws the cases (the same ones for both
models: they are paired) and, independently per model, the seeds, so both the
case-to-case spread and the run-to-run spread of training widen it. With one
seed per model it is the ordinary paired percentile bootstrap over cases. The
verdict says "no difference" unless the 95 % CI excludes 0. The Wilcoxon
signed-rank test (scipy) on the seed-averaged per-case differences is reported
beside it; it ignores the seeds' spread.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "MIN_CASES",
    "bootstrap_ci",
    "hierarchical_bootstrap_ci",
    "paired_comparison",
    "time_to_target",
    "verdict",
]


def _check_resampling(level: float, n_resamples: int) -> None:
    """The checks every bootstrap here shares: a level in (0, 1), at least one resample."""
    if not 0 < level < 1:
        raise ValueError(f"level {level}: choose a number between 0 and 1")
    if n_resamples < 1:
        raise ValueError(f"n_resamples {n_resamples}: need at least 1")


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    *,
    level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of the mean of ``values``.

    Parameters
    ----------
    values : array-like, shape (n,)
        Paired differences (one per case); NaNs are refused.
    level : float
        Confidence level in (0, 1).
    n_resamples : int
        Bootstrap resamples (cases drawn with replacement).
    seed : int
        Seed of the resampling (same seed, same interval).

    Returns
    -------
    (low, high) : tuple of float
        ``(nan, nan)`` for fewer than 2 values.

    Raises
    ------
    ValueError
        NaN values, a level outside (0, 1) or fewer than 1 resample.
    """
    x = np.asarray(values, dtype=np.float64).ravel()
    _check_resampling(level, n_resamples)
    if np.isnan(x).any():
        raise ValueError("bootstrap_ci: values contain NaN")
    if x.size < 2:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_resamples, x.size))
    means = x[idx].mean(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return (float(low), float(high))


def hierarchical_bootstrap_ci(
    challenger: np.ndarray,
    baseline: np.ndarray,
    *,
    level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile CI of ``mean(challenger) - mean(baseline)``, resampling cases and seeds.

    Parameters
    ----------
    challenger, baseline : numpy.ndarray, shape (seeds_a, n) and (seeds_b, n)
        Scores per seed (row) and case (column); the columns are the same cases.

    Returns
    -------
    (low, high) : tuple of float
        ``(nan, nan)`` for fewer than 2 cases.

    Raises
    ------
    ValueError
        NaN scores, different case counts, a level outside (0, 1) or fewer than 1 resample.
    """
    a, b = np.atleast_2d(np.asarray(challenger, float)), np.atleast_2d(np.asarray(baseline, float))
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"hierarchical_bootstrap_ci: {a.shape[1]} vs {b.shape[1]} cases")
    _check_resampling(level, n_resamples)
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("hierarchical_bootstrap_ci: scores contain NaN")
    n = a.shape[1]
    if n < 2:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    cases = rng.integers(0, n, size=(n_resamples, 1, n))
    means = []
    for m in (a, b):
        runs = rng.integers(0, m.shape[0], size=(n_resamples, m.shape[0]))
        picked = np.take_along_axis(
            m[runs], np.broadcast_to(cases, (n_resamples, m.shape[0], n)), 2
        )
        means.append(picked.mean(axis=(1, 2)))
    alpha = (1 - level) / 2
    low, high = np.quantile(means[0] - means[1], [alpha, 1 - alpha])
    return (float(low), float(high))


def _wilcoxon_p(diff: np.ndarray) -> float:
    """Two-sided Wilcoxon signed-rank p-value (scipy); NaN when undefined (all zero, n < 2)."""
    from scipy.stats import wilcoxon

    if diff.size < 2 or not np.any(diff != 0):
        return math.nan
    return float(wilcoxon(diff, zero_method="wilcox", alternative="two-sided").pvalue)


#: Fewest paired cases for which a bootstrap CI is trusted (below it the resamples
#: cannot show the spread: with 2 cases the CI is just the two differences).
MIN_CASES = 5


def verdict(
    ci: tuple[float, float], *, challenger: str, baseline: str, n_cases: int = MIN_CASES
) -> str:
    """One honest sentence: "no difference" unless the CI of challenger - baseline excludes 0.

    With fewer than :data:`MIN_CASES` cases, or no CI, the verdict is "no difference shown".
    """
    low, high = ci
    if n_cases < MIN_CASES or not (math.isfinite(low) and math.isfinite(high)):
        return (
            f"no difference shown between {challenger} and {baseline} ({n_cases} "
            f"case{'s' if n_cases != 1 else ''}: a CI needs >= {MIN_CASES})"
        )
    if low > 0:
        return f"{challenger} is better than {baseline} (95 % CI of the Dice difference > 0)"
    if high < 0:
        return f"{challenger} is worse than {baseline} (95 % CI of the Dice difference < 0)"
    return f"no difference between {challenger} and {baseline} (95 % CI includes 0)"


def paired_comparison(
    challenger: Mapping[str, float | Sequence[float]],
    baseline: Mapping[str, float | Sequence[float]],
    *,
    names: tuple[str, str] = ("challenger", "baseline"),
    level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired difference ``challenger - baseline`` over the cases both scored.

    Parameters
    ----------
    challenger, baseline : mapping of case name to a score or to one score per seed
        Every case of one model has the same number of seeds.
    names : (str, str)
        Model names for the verdict.

    Returns
    -------
    dict
        ``n_cases``, ``seeds`` (per model), ``mean_difference``, ``ci`` (low, high;
        :func:`hierarchical_bootstrap_ci`), ``wilcoxon_p`` (on the seed-averaged
        per-case differences) and ``verdict``.

    Raises
    ------
    ValueError
        The two share no case, or a model's cases have different numbers of seeds.
    """
    cases = sorted(set(challenger) & set(baseline))
    if not cases:
        raise ValueError("paired_comparison: the two models share no scored case")

    def matrix(scores: Mapping[str, float | Sequence[float]], who: str) -> np.ndarray:
        rows = [np.atleast_1d(np.asarray(scores[c], dtype=float)) for c in cases]
        if len({r.size for r in rows}) != 1:
            raise ValueError(f"paired_comparison: {who}'s cases have different numbers of seeds")
        return np.stack(rows, axis=1)  # (seeds, cases)

    a, b = matrix(challenger, names[0]), matrix(baseline, names[1])
    diff = a.mean(axis=0) - b.mean(axis=0)
    ci = hierarchical_bootstrap_ci(a, b, level=level, n_resamples=n_resamples, seed=seed)
    return {
        "challenger": names[0],
        "baseline": names[1],
        "n_cases": len(cases),
        "seeds": [a.shape[0], b.shape[0]],
        "mean_difference": float(diff.mean()),
        "ci": [ci[0], ci[1]],
        "ci_level": level,
        "wilcoxon_p": _wilcoxon_p(diff),
        "verdict": verdict(ci, challenger=names[0], baseline=names[1], n_cases=len(cases)),
    }


def time_to_target(times: Sequence[float], scores: Sequence[float | None], target: float) -> float:
    """First time (or step) at which ``scores`` reach ``target``; NaN when never."""
    for t, s in zip(times, scores, strict=True):
        if s is not None and s >= target:
            return float(t)
    return math.nan
