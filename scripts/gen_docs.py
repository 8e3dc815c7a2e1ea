"""Write docs/operations.md and docs/glossary.md from the operation registry.

python scripts/gen_docs.py          # write both
python scripts/gen_docs.py --check  # exit 1 if a committed file is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from napari_seg.ops_docs import glossary_markdown, operations_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = {"operations.md": operations_markdown, "glossary.md": glossary_markdown}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for name, make in PAGES.items():
        path, text = DOCS / name, make()
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(f"out of date: {', '.join(stale)} (run python scripts/gen_docs.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
