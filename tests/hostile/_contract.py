"""The hostile-input contract: one error line (or a correct result), no input byte changed.

``run_cli`` runs ``napari-seg`` in this process (fast) after hashing every file under
the given folders, and checks afterwards that none changed; ``run_capped`` runs it in a
subprocess under an address-space limit (``resource.setrlimit``), as the fuzz harness.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import resource
import subprocess
import sys
from pathlib import Path

import napari_seg.cli as cli

#: The memory a hostile input may cost (the issue's "memory under 4 GB").
CAP_BYTES = 4 * 1024**3


def hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under ``roots`` (followed links are hashed as files)."""
    out = {}
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def check_one_line(rc: int, err: str) -> str:
    """The error line of a refused command (asserting the contract)."""
    assert rc == 2, f"exit {rc}: {err!r}"
    assert "Traceback" not in err and "unexpected" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "error:" in lines[0], lines
    return lines[0]


def run_cli(argv: list[str], *inputs: Path, refused: bool = True) -> tuple[int, str, str]:
    """``napari-seg ARGV`` in-process; inputs under ``inputs`` must keep every byte.

    With ``refused`` the command must end with exactly one error line and exit 2.
    """
    before = hashes(*inputs)
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = cli.main([str(a) for a in argv])
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 2
    assert hashes(*inputs) == before, "an input file changed"
    if refused:
        check_one_line(rc, err.getvalue())
    return rc, out.getvalue(), err.getvalue()


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def _python_capped(args: list[str], *, cwd: Path, timeout: float, display: bool = False):
    """``python -c ARGS`` under :data:`CAP_BYTES`, this tree's napari_seg first on the path.

    ``display`` keeps ``DISPLAY`` (for ``snapshot``), which is otherwise removed so
    nothing opens a window.
    """
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
    if not display:
        env.pop("DISPLAY", None)
    src = str(Path(cli.__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", *args],
        preexec_fn=_cap,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_capped(
    argv: list[str],
    *inputs: Path,
    cwd: Path,
    timeout: float = 120,
    prelude: str = "",
    display: bool = False,
):
    """``napari-seg ARGV`` in a subprocess limited to :data:`CAP_BYTES` of address space.

    ``prelude`` is Python run before the command (to switch a guard off and reach the
    code behind it); ``display`` keeps ``DISPLAY`` (for ``snapshot``), which is otherwise
    removed so nothing opens a window.
    """
    before = hashes(*inputs)
    code = f"{prelude}\nimport sys\nfrom napari_seg.cli import main\nsys.exit(main(sys.argv[1:]))"
    proc = _python_capped([code, *map(str, argv)], cwd=cwd, timeout=timeout, display=display)
    assert proc.returncode >= 0, f"killed by signal {-proc.returncode}: {proc.stderr[-500:]}"
    assert hashes(*inputs) == before, "an input file changed"
    return proc


def one_error_line(proc) -> str:
    """The single error line of a capped run that was refused (exit 2), asserting it."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr[-1500:]
    assert "error:" in lines[0] and "Traceback" not in proc.stderr, lines
    return lines[0]


#: Runs each ``[argv, [input roots]]`` of ``argv[1]`` (JSON) with ``napari-seg``'s ``main``
#: in turn, hashing the inputs before and after; prints ``[rc, out, err, changed]`` each.
_MANY = """
import contextlib, hashlib, io, json, pathlib, sys
from napari_seg.cli import main

def digest(roots):
    out = {}
    for r in map(pathlib.Path, roots):
        for f in [r] if r.is_file() else sorted(p for p in r.rglob("*") if p.is_file()):
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out

results = []
for argv, roots in json.loads(sys.argv[1]):
    before, err, out = digest(roots), io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
    results.append([rc, out.getvalue(), err.getvalue(), digest(roots) != before])
sys.stdout.write(json.dumps(results))
"""


def run_capped_many(cases: list[tuple[list, list[Path]]], *, cwd: Path, timeout: float = 600):
    """Many ``napari-seg`` commands, one after another in ONE subprocess under the cap.

    Cheaper than a process each (the imports are paid once). Returns ``[rc, stdout,
    stderr, inputs_changed]`` per case, in order.
    """
    import json

    payload = json.dumps(
        [[[str(a) for a in argv], [str(r) for r in roots]] for argv, roots in cases]
    )
    proc = _python_capped([_MANY, payload], cwd=cwd, timeout=timeout)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-1500:]}"
    return json.loads(proc.stdout), proc.stderr
