"""A chunk's weekly histograms are numpy.histogram's, to the count, however hostile the values."""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim.ensemble import counting
from crisis_sim.ensemble.results import BINNED, STATE_LABELS


def _hostile(low: float, high: float, bins: int, rng: np.random.Generator) -> np.ndarray:
    """Values on every edge, one ulp either side of it, outside the range, NaN and inf."""
    edges = np.linspace(low, high, bins + 1)
    return np.concatenate(
        [
            edges,
            np.nextafter(edges, -np.inf),
            np.nextafter(edges, np.inf),
            rng.uniform(low - 0.1, high + 0.1, 5000),
            [np.nan, np.inf, -np.inf, low - 1.0, high + 1.0],
        ]
    )


def _week(rng: np.random.Generator) -> dict[str, np.ndarray]:
    values = {name: _hostile(low, high, bins, rng) for name, (low, high, bins) in BINNED.items()}
    values["state"] = rng.choice([0, 1, 2, 100, 101, 104], size=1000)
    return values


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_each_weeks_histograms_are_numpys_and_the_states_are_counted(engine, monkeypatch):
    # The python engine runs the kernel's source as plain Python: what a reader sees
    # is what the compiled code does.
    if engine == "python":
        monkeypatch.setattr(counting, "_count_bins", counting._count_bins.__wrapped__)
    rng = np.random.default_rng(7)
    weeks = [_week(rng) for _ in range(3)]
    counts = counting.WeeklyCounts(horizon=5)
    for values in weeks:
        counts.add(values)
    states, histograms = counts.carried()
    for name, (low, high, bins) in BINNED.items():
        expected = [np.histogram(values[name], bins, range=(low, high))[0] for values in weeks]
        np.testing.assert_array_equal(histograms[name][:3], expected)
        # Weeks after the last one recorded carry it (ended worlds stay where they are).
        np.testing.assert_array_equal(histograms[name][3:], [expected[-1]] * 3)
    assert states.shape == (6, len(STATE_LABELS))
    np.testing.assert_array_equal(states[:3].sum(axis=1), [1000] * 3)


def test_the_rounding_the_corrections_repair_does_happen_so_the_test_above_can_fail():
    # Without the corrections at the edges, the truncated division alone puts some of
    # the hostile values in a neighbouring bin: the comparison above has teeth.
    rng = np.random.default_rng(7)
    missed = 0
    for low, high, bins in BINNED.values():
        values = _hostile(low, high, bins, rng)
        values = values[(values >= low) & (values <= high)]
        edges = np.linspace(low, high, bins + 1)
        naive = np.minimum(((values - low) / (high - low) * bins).astype(int), bins - 1)
        right = np.searchsorted(edges, values, side="right") - 1
        right[values == high] = bins - 1
        missed += int((naive != right).sum())
    assert missed > 0
