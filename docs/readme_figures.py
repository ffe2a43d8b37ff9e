"""Draw the figures the README shows, from the bundled baseline scenario.

Run: .venv/bin/python docs/readme_figures.py  (about 10 s); writes docs/figures/*.png
and prints the outcome table quoted in the README.
"""

from pathlib import Path

import matplotlib.pyplot as plt

from crisis_sim import analysis, ensemble, plots

FOLDER = Path(__file__).parent / "figures"


def main() -> None:
    """Run the baseline at its own seed and number of worlds; save the README figures."""
    results = ensemble.run("baseline", progress=False)
    FOLDER.mkdir(exist_ok=True)
    for name, draw in (
        ("baseline_outcome_probabilities", plots.outcome_probabilities),
        ("baseline_outcomes_over_time", plots.outcomes_over_time),
    ):
        figure = draw(results)
        figure.savefig(FOLDER / f"{name}.png", dpi=110)
        plt.close(figure)
    print(analysis.format_outcome_table(results.outcome_table()))


if __name__ == "__main__":
    main()
