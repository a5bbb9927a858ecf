"""Write generated documents: `write-docs.py FILE=MODULE:FUNCTION ...` (see `make docs`).

Each function returns the whole document; the tests compare the committed files with it.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(pairs: list[str]) -> int:
    for pair in pairs:
        target, _, function = pair.partition("=")
        module, _, name = function.partition(":")
        if not target or not module or not name:
            print(f"write-docs: expected FILE=MODULE:FUNCTION, got {pair!r}", file=sys.stderr)
            return 2
        text = getattr(importlib.import_module(module), name)()
        path = Path(target)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            print(f"unchanged {target}")
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
