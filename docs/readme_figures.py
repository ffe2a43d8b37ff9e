"""Draw the figures the README shows, from the bundled scenarios.

Run: .venv/bin/python docs/readme_figures.py  (about 20 s); writes docs/figures/*.png
and prints the outcome table and the comparison quoted in the README.
"""

from pathlib import Path

import matplotlib.pyplot as plt

from crisis_sim.analysis import statistics as analysis
from crisis_sim.ensemble import runner as ensemble
from crisis_sim.plots import figures as plots

COMPARED = ("baseline", "us_exercise_limits", "missile_moratorium", "arms_control_package")

FOLDER = Path(__file__).parent / "figures"


def main() -> None:
    """Run the scenarios at their own seed and number of worlds; save the README figures."""
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
    runs, table = analysis.compare_scenarios(COMPARED, progress=False)
    for name, figure in (
        ("comparison_forest", plots.forest(table)),
        ("comparison_outcomes", plots.outcome_probabilities(runs)),
    ):
        figure.savefig(FOLDER / f"{name}.png", dpi=110)
        plt.close(figure)
    print()
    print(analysis.format_comparison(table))


if __name__ == "__main__":
    main()
