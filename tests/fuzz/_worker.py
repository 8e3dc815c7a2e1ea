"""Run fuzz cases through ``napari_seg.cli.main`` in one process; one JSON line per event.

Started by :mod:`tests.fuzz._harness` with an address-space limit. Usage::

    python _worker.py CASES.json RESULTS.jsonl

For each case it writes ``{"id", "start": true}`` before and the outcome after,
so a case that kills the process (a crash) or never returns (a hang) is the
one with a start and no outcome.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import time

import napari_seg.cli as cli

CASE_SECONDS = 30


class _Hang(BaseException):  # a BaseException: no ``except Exception`` swallows it
    pass


def _alarm(signum, frame):
    raise _Hang


def main(cases_path: str, results_path: str) -> None:
    with open(cases_path, encoding="utf-8") as f:
        cases = json.load(f)
    seen: list[str] = []
    one_line = cli._one_line

    def recording(exc):  # which exception main() turned into its one line
        seen.append(type(exc).__name__)
        return one_line(exc)

    cli._one_line = recording
    signal.signal(signal.SIGALRM, _alarm)
    with open(results_path, "a", encoding="utf-8") as out:
        for case in cases:
            out.write(json.dumps({"id": case["id"], "start": True}) + "\n")
            out.flush()
            seen.clear()
            err, std = io.StringIO(), io.StringIO()
            t0 = time.perf_counter()
            signal.alarm(CASE_SECONDS)
            try:
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
                    rc = cli.main(case["argv"])
            except SystemExit as exc:  # argparse refused an option
                rc = exc.code if isinstance(exc.code, int) else 2
                seen.append("ArgumentError")
            except _Hang:
                rc = "hang"
            except BaseException as exc:  # escaped main(): a traceback for the user
                rc = "traceback"
                seen.append(type(exc).__name__)
            finally:
                signal.alarm(0)
            out.write(
                json.dumps(
                    {
                        "id": case["id"],
                        "rc": rc,
                        "errors": list(seen),
                        "stderr": err.getvalue()[-2000:],
                        "seconds": round(time.perf_counter() - t0, 3),
                    }
                )
                + "\n"
            )
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
