"""Paired statistics for model comparisons: bootstrap CI, Wilcoxon test and a cautious verdict.

Pure numpy/scipy (no torch): the unit is the case. Each case's score is first
averaged over seeds per model, then the challenger's and the baseline's scores
are paired by case. The verdict says "no difference" unless the bootstrap 95 %
confidence interval of the mean paired difference excludes 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["MIN_CASES", "bootstrap_ci", "paired_comparison", "time_to_target", "verdict"]


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
    if not 0 < level < 1:
        raise ValueError(f"level {level}: choose a number between 0 and 1")
    if n_resamples < 1:
        raise ValueError(f"n_resamples {n_resamples}: need at least 1")
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
    challenger: Mapping[str, float],
    baseline: Mapping[str, float],
    *,
    names: tuple[str, str] = ("challenger", "baseline"),
    level: float = 0.95,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired difference ``challenger - baseline`` over the cases both scored.

    Parameters
    ----------
    challenger, baseline : mapping of case name to score
        One score per case (for example the Dice averaged over seeds).
    names : (str, str)
        Model names for the verdict.

    Returns
    -------
    dict
        ``n_cases``, ``mean_difference``, ``ci`` (low, high), ``wilcoxon_p`` and ``verdict``.

    Raises
    ------
    ValueError
        The two share no case.
    """
    cases = sorted(set(challenger) & set(baseline))
    if not cases:
        raise ValueError("paired_comparison: the two models share no scored case")
    diff = np.array([challenger[c] - baseline[c] for c in cases], dtype=np.float64)
    ci = bootstrap_ci(diff, level=level, n_resamples=n_resamples, seed=seed)
    return {
        "challenger": names[0],
        "baseline": names[1],
        "n_cases": len(cases),
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
