"""Run fuzz cases in worker processes under an address-space limit and judge them.

A case is a dict: ``id``, ``concern`` (``nifti``, ``checkpoint``, ``dataset``,
``option``), ``argv`` (for ``napari-seg``), ``must_fail`` (the input is invalid,
so exit 0 is a silent wrong result) and ``allowed`` (the error types that may
report it: one per concern).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

WORKER = Path(__file__).with_name("_worker.py")
ADDRESS_SPACE = 3 * 1024**3  # bytes, as `ulimit -v`
STALL_SECONDS = 60  # a case with no outcome after this is a hang


def _limit() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _run_chunk(cases: list[dict], workdir: Path, tag: str) -> dict[str, dict]:
    """Outcomes by case id; restarts after a case that crashed or hung."""
    outcomes: dict[str, dict] = {}
    todo = list(cases)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2", "QT_API": "pyqt6"}
    restart = 0
    while todo:
        cases_file = workdir / f"cases-{tag}-{restart}.json"
        results = workdir / f"results-{tag}-{restart}.jsonl"
        cases_file.write_text(json.dumps(todo))
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(cases_file), str(results)],
            preexec_fn=_limit,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        last_change, size = time.monotonic(), -1
        while proc.poll() is None:
            time.sleep(0.2)
            now = results.stat().st_size if results.exists() else 0
            if now != size:
                last_change, size = time.monotonic(), now
            elif time.monotonic() - last_change > STALL_SECONDS:
                proc.kill()
                proc.wait()
        started = None
        for line in results.read_text().splitlines() if results.exists() else []:
            event = json.loads(line)
            if event.get("start"):
                started = event["id"]
            else:
                outcomes[event["id"]] = event
                started = None
        done = {c["id"] for c in todo if c["id"] in outcomes}
        if started is not None:  # died or stalled inside this case
            rc = "hang" if proc.returncode == -9 else f"crash (signal {-proc.returncode})"
            outcomes[started] = {"id": started, "rc": rc, "errors": [], "stderr": ""}
            done.add(started)
        elif proc.returncode not in (0, None) and not done:
            tail = proc.stderr.read().decode(errors="replace")[-800:] if proc.stderr else ""
            raise RuntimeError(f"fuzz worker failed before its first case: {tail}")
        if proc.stderr:
            proc.stderr.close()
        todo = [c for c in todo if c["id"] not in done]
        restart += 1
    return outcomes


def run_cases(cases: list[dict], workdir: Path, *, workers: int = 2) -> dict[str, dict]:
    """Outcome of every case, ``workers`` processes side by side."""
    import concurrent.futures as cf

    chunks = [cases[i::workers] for i in range(workers)]
    with cf.ThreadPoolExecutor(workers) as pool:
        parts = pool.map(lambda ic: _run_chunk(ic[1], workdir, str(ic[0])), enumerate(chunks))
    out: dict[str, dict] = {}
    for part in parts:
        out.update(part)
    return out


def judge(case: dict, outcome: dict) -> str | None:
    """What is wrong with ``outcome`` (None when it keeps the contract)."""
    rc, errors, stderr = outcome["rc"], outcome["errors"], outcome["stderr"]
    if rc in ("hang", "traceback") or str(rc).startswith("crash"):
        return f"{rc} {errors} {stderr[-300:]!r}"
    if "Traceback" in stderr or "error: unexpected " in stderr:
        return f"traceback in stderr: {stderr[-300:]!r}"
    if rc == 0:
        return "exit 0 on invalid input" if case["must_fail"] else None
    if rc != 2:
        return f"exit {rc}"
    lines = [ln for ln in stderr.splitlines() if "error:" in ln]
    if len(lines) != 1:
        return f"{len(lines)} error lines: {stderr[-300:]!r}"
    if errors and errors[-1] not in case["allowed"]:
        return f"{errors[-1]} reports a {case['concern']} problem (expected {case['allowed']})"
    return None
