"""``python -m crisis_sim``: the ``crisis-sim`` command line, for when its script is not on PATH."""

from crisis_sim.cli import script

if __name__ == "__main__":
    script()
