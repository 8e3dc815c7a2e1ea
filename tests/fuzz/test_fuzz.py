"""Hostile and careless input, generated with a fixed seed (issue 12).

Every case runs ``napari-seg`` in a worker process under a 3 GiB address-space
limit and a time limit. The contract: no crash, no hang, no traceback, no
exit 0 on invalid input, and one error type per concern, printed as one line.
``pytest --fuzz-full`` runs four times as many generated cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.fuzz._format_cases import dicom_cases, dicom_seg_cases, nrrd_cases
from tests.fuzz._harness import judge, run_cases
from tests.fuzz._model_cases import checkpoint_cases
from tests.fuzz._nifti_cases import nifti_cases
from tests.fuzz._task_cases import dataset_cases, option_cases


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, request):
    scale = 4 if request.config.getoption("--fuzz-full") else 1
    root = tmp_path_factory.mktemp("fuzz")
    rng = np.random.default_rng(20261126)
    cases = (
        nifti_cases(root / "nifti", 500 * scale, rng)
        + checkpoint_cases(root / "ckpt", 200 * scale, rng)
        + dataset_cases(root / "task", 100 * scale, rng)
        + option_cases(root, root / "ckpt" / "base.safetensors")
        + nrrd_cases(root / "nrrd", 200 * scale, rng)
        + dicom_cases(root / "dicom", 200 * scale, rng)
        + dicom_seg_cases(root / "dicomseg", 60 * scale, rng)
    )
    return root, cases, run_cases(cases, root)


@pytest.mark.parametrize(
    "concern", ["nifti", "checkpoint", "dataset", "option", "nrrd", "dicom", "dicomseg"]
)
def test_every_case_keeps_the_contract(outcomes, concern):
    _, cases, results = outcomes
    mine = [c for c in cases if c["concern"] == concern]
    least = {"nifti": 500, "checkpoint": 200, "dataset": 100, "option": 40, "dicomseg": 60}
    assert len(mine) >= least.get(concern, 200)
    broken = []
    for case in mine:
        problem = judge(case, results[case["id"]])
        if problem is None and case.get("flag") and results[case["id"]]["rc"] == 2:
            line = next(ln for ln in results[case["id"]]["stderr"].splitlines() if "error:" in ln)
            argv, flag = case["argv"], case["flag"]
            named = (flag, argv[argv.index(flag) + 1]) if flag in argv else (flag,)
            problem = None if any(n in line for n in named) else f"error names no {named}: {line}"
        if problem:
            broken.append(f"{case['id']}: {problem}")
    assert not broken, f"{len(broken)} of {len(mine)} cases broke the contract:\n" + "\n".join(
        broken[:40]
    )


def test_invalid_inputs_are_really_refused(outcomes):
    """The oracle is not vacuous: most cases are invalid, and each of those failed."""
    _, cases, results = outcomes
    invalid = [c for c in cases if c["must_fail"]]
    assert len(invalid) > 250
    assert all(results[c["id"]]["rc"] == 2 for c in invalid if judge(c, results[c["id"]]) is None)
    valid = [c for c in cases if c["id"].split("-")[2] == "valid"]
    assert valid and all(results[c["id"]]["rc"] == 0 for c in valid), [
        (c["id"], results[c["id"]]["stderr"]) for c in valid if results[c["id"]]["rc"] != 0
    ]


def test_pickle_payload_never_ran(outcomes):
    root, _, _ = outcomes
    assert not (root / "ckpt" / "PWNED").exists()
