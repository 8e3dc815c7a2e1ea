"""The comparison statistics against scipy on known data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from napari_seg.deep.stats import (
    bootstrap_ci,
    hierarchical_bootstrap_ci,
    paired_comparison,
    time_to_target,
    verdict,
)


def test_bootstrap_ci_matches_scipy_percentile_bootstrap():
    x = np.random.default_rng(3).normal(0.02, 0.05, size=30)
    ours = bootstrap_ci(x, n_resamples=20_000, seed=1)
    ref = sps.bootstrap(
        (x,),
        np.mean,
        n_resamples=20_000,
        method="percentile",
        random_state=np.random.default_rng(1),
    ).confidence_interval
    assert ours[0] == pytest.approx(ref.low, abs=2e-3)
    assert ours[1] == pytest.approx(ref.high, abs=2e-3)
    assert ours[0] < x.mean() < ours[1]
    assert bootstrap_ci(x, n_resamples=500, seed=4) == bootstrap_ci(x, n_resamples=500, seed=4)


def test_with_one_seed_the_two_level_bootstrap_is_scipys_paired_bootstrap():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0.82, 0.05, 25), rng.normal(0.80, 0.05, 25)
    ours = hierarchical_bootstrap_ci(a[None], b[None], n_resamples=20_000, seed=2)
    ref = sps.bootstrap(
        (a - b,), np.mean, n_resamples=20_000, method="percentile",
        random_state=np.random.default_rng(2),
    ).confidence_interval  # fmt: skip
    assert ours == pytest.approx((ref.low, ref.high), abs=3e-3)


def test_the_seeds_spread_widens_the_ci():
    rng = np.random.default_rng(1)
    cases = rng.normal(0.8, 0.05, 12)
    steady = np.stack([cases + 0.03] * 3), np.stack([cases] * 3)
    shaky = steady[0] + np.array([[0.3], [0.0], [-0.3]]), steady[1]  # one run fails, one shines
    lo1, hi1 = hierarchical_bootstrap_ci(*steady)
    lo2, hi2 = hierarchical_bootstrap_ci(*shaky)
    assert lo1 == pytest.approx(0.03) and hi1 == pytest.approx(0.03)  # no spread at all
    assert lo2 < 0 < hi2  # same mean difference, but the runs disagree: no difference
    out = paired_comparison(
        {f"c{i}": list(shaky[0][:, i]) for i in range(12)},
        {f"c{i}": list(shaky[1][:, i]) for i in range(12)},
    )
    assert out["seeds"] == [3, 3] and out["verdict"].startswith("no difference")
    assert out["mean_difference"] == pytest.approx(0.03)
    with pytest.raises(ValueError, match="numbers of seeds"):
        paired_comparison({"a": [0.1, 0.2], "b": [0.1]}, {"a": 0.1, "b": 0.1})


def test_wilcoxon_p_is_scipys_and_the_verdict_follows_the_ci():
    base = {f"c{i}": 0.8 for i in range(12)}
    better = {k: v + 0.05 + 0.01 * i for i, (k, v) in enumerate(base.items())}
    out = paired_comparison(better, base, names=("axialunet", "unet"))
    diff = np.array([better[k] - base[k] for k in sorted(base)])
    assert out["wilcoxon_p"] == pytest.approx(sps.wilcoxon(diff).pvalue)
    assert out["ci"][0] > 0 and out["verdict"].startswith("axialunet is better")
    worse = paired_comparison(base, better, names=("axialunet", "unet"))
    assert worse["verdict"].startswith("axialunet is worse") and worse["mean_difference"] < 0


def test_noise_around_zero_is_no_difference():
    rng = np.random.default_rng(0)
    a = {f"c{i}": float(v) for i, v in enumerate(rng.normal(0.8, 0.05, 10))}
    b = {k: v + float(e) for (k, v), e in zip(a.items(), [0.01, -0.01] * 5, strict=True)}
    out = paired_comparison(b, a)
    assert out["ci"][0] < 0 < out["ci"][1]
    assert out["verdict"].startswith("no difference")
    assert math.isnan(paired_comparison({"a": 0.5}, {"a": 0.5})["wilcoxon_p"])
    assert verdict((math.nan, math.nan), challenger="x", baseline="y").startswith("no difference")
    two = paired_comparison({"a": 0.9, "b": 0.8}, {"a": 0.5, "b": 0.4})  # CI [0.4, 0.4]
    assert two["ci"][0] > 0 and two["verdict"].startswith("no difference shown")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_ci([0.1, math.nan])
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci([0.1, 0.2], level=1.5)
    with pytest.raises(ValueError, match="share no"):
        paired_comparison({"a": 1.0}, {"b": 1.0})


def test_time_to_target():
    assert time_to_target([1, 2, 3], [None, 0.5, 0.9], 0.8) == 3.0
    assert math.isnan(time_to_target([1, 2], [0.1, 0.2], 0.8))
