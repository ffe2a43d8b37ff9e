"""Write ``docs/DATA_DICTIONARY.md``, the data dictionary of a result folder, from the code.

Usage, from the repository root::

    .venv/bin/python docs/build_data_dictionary.py            # rewrite it
    .venv/bin/python docs/build_data_dictionary.py --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crisis_sim.ensemble.results import data_dictionary

DICTIONARY_MD = Path(__file__).resolve().with_name("DATA_DICTIONARY.md")


def main(argv: list[str] | None = None) -> int:
    """Rewrite (or, with ``--check``, verify) docs/DATA_DICTIONARY.md."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = data_dictionary()
    current = DICTIONARY_MD.read_text(encoding="utf-8") if DICTIONARY_MD.is_file() else ""
    if args.check:
        if current != text:
            print(f"{DICTIONARY_MD} is stale: run docs/build_data_dictionary.py", file=sys.stderr)
            return 1
        return 0
    if current != text:
        DICTIONARY_MD.write_text(text, encoding="utf-8")
        print(f"{DICTIONARY_MD}: updated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
