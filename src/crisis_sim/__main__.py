"""``python -m crisis_sim``: the ``crisis-sim`` command line, for when its script is not on PATH."""

import sys

from crisis_sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
