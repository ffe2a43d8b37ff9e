"""Shared settings for the crisis_sim test suite.

Hypothesis runs few, deadline-free examples on small ensembles, the same ones on
every run (derandomized), so that the suite stays within a few minutes on two cores
and a failure reproduces; set ``HYPOTHESIS_PROFILE=thorough`` to search harder with
fresh random examples. Figures are drawn off screen (MPLBACKEND=Agg).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.setdefault("MPLBACKEND", "Agg")

settings.register_profile(
    "crisis_sim",
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "crisis_sim"))
