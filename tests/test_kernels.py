"""The compiled kernels: numpy's summation order, edge cases, and how they are compiled.

The oracles are independent formulations (numpy's own sum, ``np.quantile``, ``np.std``,
the plan formula :func:`crisis_sim.model.plans.hold_then` over the wait axis), never the
kernel's loops retyped. Bit-identity of whole runs with the numpy step is checked by
``benchmarks/identical_tables.py`` and ``benchmarks/bench_step.py``. Each kernel's own
source, run as plain Python, must also give what its compiled code gives: what a reader
sees is what runs (and line coverage, which cannot see into compiled code, sees it).
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

from crisis_sim import CrisisModel, Params
from crisis_sim.model import alliance, bargaining, compiled, concessions, plans, russia, west
from crisis_sim.model.alliance import pairwise_sum, sort_with
from crisis_sim.model.compiled import larger as bigger
from crisis_sim.model.compiled import wide_product
from crisis_sim.model.domain import Action
from crisis_sim.model.params import with_values
from crisis_sim.scenario.files import load_scenario


@compiled.kernel("void(float64[:, ::1], float64[::1])")
def _row_sums(rows: np.ndarray, totals: np.ndarray) -> None:
    """Each row's :func:`pairwise_sum`, compiled (a test kernel)."""
    for row in range(rows.shape[0]):
        totals[row] = pairwise_sum(rows[row])


@compiled.kernel("float64(float64, float64)")
def _bigger_of(first: float, second: float) -> float:
    """The larger number, through a helper imported under another name (a test kernel)."""
    return bigger(first, second)


@compiled.kernel("void(uint64[::1], uint64[::1], uint64[:, ::1])")
def _wide_products(first: np.ndarray, second: np.ndarray, out: np.ndarray) -> None:
    """Each pair's 128-bit product as (high, low) words, compiled (a test kernel)."""
    for index in range(first.shape[0]):
        out[0, index], out[1, index] = wide_product(first[index], second[index])


def test_the_128_bit_product_is_the_product_of_pythons_integers():
    top = 2**64 - 1
    words = [0, 1, 2, 3, 2**32 - 1, 2**32, 2**63, top - 1, top, 0xD2E7470EE14C6C93]
    rng = np.random.default_rng(5)
    pairs = [(a, b) for a in words for b in words] + [
        (int(a), int(b)) for a, b in rng.integers(0, top, size=(200, 2), dtype=np.uint64)
    ]
    first = np.array([a for a, _ in pairs], dtype=np.uint64)
    second = np.array([b for _, b in pairs], dtype=np.uint64)
    out = np.zeros((2, len(pairs)), dtype=np.uint64)
    _wide_products(first, second, out)
    for index, (a, b) in enumerate(pairs):
        assert (int(out[0, index]) << 64) | int(out[1, index]) == a * b
    # By hand: (2^64 - 1)^2 = 2^128 - 2^65 + 1, so the high word is 2^64 - 2, the low 1.
    assert wide_product(np.uint64(top), np.uint64(top)) == (top - 1, 1)


def test_a_kernel_may_call_a_helper_imported_under_another_name():
    assert _bigger_of(1.0, 2.0) == 2.0
    assert np.isnan(_bigger_of(np.nan, 2.0))


@pytest.mark.parametrize("members", [1, 7, 8, 9, 30, 129, 300])
def test_pairwise_sum_adds_in_numpys_order_to_the_bit(members):
    rng = np.random.default_rng(members)
    rows = rng.normal(size=(50, members)) * 10.0 ** rng.integers(-8, 8, size=(50, members))
    totals = np.empty(50)
    _row_sums(rows, totals)
    # numpy reduces along contiguous memory: the (members, R) view of world-major rows.
    np.testing.assert_array_equal(totals, rows.T.sum(axis=0))
    in_python = np.empty(50)
    _row_sums.__wrapped__(rows, in_python)  # the source as plain Python: the same bits
    np.testing.assert_array_equal(in_python, totals)


def test_numpys_order_is_not_plain_left_to_right_so_the_check_above_can_fail():
    rows = np.random.default_rng(1).normal(size=(200, 30)) * 1e6
    left_to_right = np.zeros(200)
    for member in range(30):
        left_to_right = left_to_right + rows[:, member]
    assert np.any(left_to_right != rows.T.sum(axis=0))


@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_cohesion_and_consensus_agree_with_numpys_std_and_linear_quantile(engine, monkeypatch):
    if engine == "python":
        for name in ("_cohesions", "_column_quantiles"):
            monkeypatch.setattr(alliance, name, getattr(alliance, name).__wrapped__)
    rng = np.random.default_rng(3)
    willingness = rng.uniform(0.0, 1.0, size=(30, 400))
    cohesion = alliance.alliance_cohesion(willingness)
    expected = np.clip(1.0 - 2.0 * willingness.std(axis=0), 0.0, 1.0)
    np.testing.assert_allclose(cohesion, expected, rtol=0, atol=1e-12)
    quantile = rng.uniform(0.0, 1.0, size=400)
    level = alliance.column_quantile(willingness, quantile)
    linear = [np.quantile(willingness[:, r], quantile[r]) for r in range(400)]
    np.testing.assert_allclose(level, linear, rtol=0, atol=1e-12)


def _decide(willingness, outside, live=None, cap=None):
    """The consensus kernel on (R, members) tables: cohesion, consensus, participation."""
    size, members = willingness.shape
    voices = np.where(outside, np.inf, willingness)
    voices.sort(axis=1)
    gdp = np.full(members, 1.0 / members)
    out = [np.full(size, -7.0) for _ in range(3)]
    alliance._decide(
        np.ascontiguousarray(willingness),
        voices,
        gdp,
        np.array([0.1]),
        np.array([0.5]),
        True,
        np.ascontiguousarray(outside),
        cap is not None,
        np.array([np.inf]) if cap is None else cap,
        np.ones(size, dtype=bool) if live is None else live,
        *out,
    )
    return out


def test_members_standing_aside_have_no_voice_and_none_inside_agrees_on_nothing():
    rng = np.random.default_rng(5)
    willingness = rng.uniform(0.2, 0.9, size=(3, 30))
    outside = np.zeros((3, 30), dtype=bool)
    outside[1, :20] = True
    outside[2, :] = True
    cohesion, consensus, participation = _decide(willingness, outside)
    inside = willingness[1, 20:]
    assert cohesion[1] == pytest.approx(1.0 - 2.0 * inside.std(), abs=1e-12)
    quantile = 0.1 + 0.4 * cohesion[1]
    assert consensus[1] == pytest.approx(np.quantile(inside, quantile), abs=1e-12)
    assert participation[1] == pytest.approx(inside.sum() / 30, abs=1e-12)
    assert (consensus[2], participation[2], cohesion[2]) == (0.0, 0.0, 1.0)


def test_a_veto_caps_the_consensus_and_ended_worlds_keep_their_values():
    willingness = np.random.default_rng(6).uniform(0.3, 0.9, size=(2, 30))
    outside = np.zeros((2, 30), dtype=bool)
    free = _decide(willingness, outside)[1]
    capped = _decide(willingness, outside, cap=np.array([0.05, 0.05]))[1]
    np.testing.assert_array_equal(capped, [0.05, 0.05])
    assert np.all(free > 0.05)
    kept = _decide(willingness, outside, live=np.array([True, False]))
    assert [values[1] for values in kept] == [-7.0, -7.0, -7.0]


def test_a_missing_willingness_spreads_to_cohesion_instead_of_passing_for_a_number():
    willingness = np.full((1, 30), 0.5)
    willingness[0, 4] = np.nan
    cohesion, _, participation = _decide(willingness, np.zeros((1, 30), dtype=bool))
    assert np.isnan(cohesion[0]) and np.isnan(participation[0])


def test_one_world_alone_settles_the_allies_as_in_a_batch():
    alone = CrisisModel(replications=1, seed=4, first_replication=3).run()
    batch = CrisisModel(replications=5, seed=4).run()
    alone_table, batch_table = alone.nato.member_willingness, batch.nato.member_willingness
    np.testing.assert_array_equal(alone_table[0], batch_table[3])
    assert alone.nato.consensus[0] == batch.nato.consensus[3]


def test_russias_hold_and_invasion_values_are_the_plans_of_hold_then():
    model = CrisisModel(replications=300, seed=8, event_log=False)
    for _ in range(4):
        model.step()
    russia = model.russia
    prospects = russia.prospects()
    values = russia.type_values(np.ones(300, dtype=bool), prospects)
    p = model.p.russia
    aspiration = russia.aspiration(np.ones(300, dtype=bool))
    rung = russia.rung
    here = np.clip(rung - 1, 0, 2)
    war_later = prospects.status_quo + aspiration * prospects.war_gain - prospects.war_cost
    holds = []
    for index in range(3):
        to_cross = prospects.threshold * (3 - index)
        final = war_later - to_cross
        strike = plans.hold_then(prospects.flows[index], final, p.discount, plans.WAITS)
        holds.append(np.maximum(strike.max(axis=0), prospects.forever[index]))
    # Holding here is worth at least its best strike plan and its hold for ever.
    columns = np.arange(300)
    assert np.all(values.utilities[Action.HOLD] >= np.stack(holds)[here, columns] - 1e-12)
    invade = (
        prospects.status_quo
        + aspiration * prospects.war_gain_now
        - prospects.war_cost_now
        - prospects.threshold * (4 - rung)
    )
    np.testing.assert_allclose(values.utilities[Action.INVADE], invade, rtol=0, atol=1e-12)
    assert np.all(values.war_plan >= invade)
    assert values.available[Action.DE_ESCALATE].tolist() == (rung >= 2).tolist()


def test_the_wests_ladders_rise_as_far_as_allowed_and_record_the_shortfall_once():
    # Three worlds: at rung 3 the allies agree to half of what the rung triggers; at
    # rung 4 with a chance of war past both thresholds, the U.S. alone caps sanctions;
    # the third world has ended and keeps its ladders.
    one = np.ones(1)
    threatened = np.array([[0.0] * 3, [0.0] * 3, [0.0] * 3, [2.0] * 3, [3.0] * 3])
    outputs = [np.empty(3) for _ in range(5)]
    west._respond(
        np.array([3, 4, 3]),
        threatened,
        threatened / 2.0,
        np.zeros((5, 3)),
        np.array([0.0, 0.9, 0.0]),
        0.3 * one,
        0.5 * one,
        1.0 * one,
        0.0 * one,
        np.array([1.0 / 3.0, 0.0, 1.0]),
        np.array([True, True, False]),
        np.array([0.0, 0.5, 2.0]),
        np.array([0.0, 0.0, 1.0]),
        np.zeros(3),
        np.array([0.5, 0.0, 0.7]),
        *outputs,
    )
    sanctions, posture, support, unseen, seen = outputs
    np.testing.assert_allclose(sanctions, [1.0, 1.0, 2.0])  # min(2, 3 x 1/3); the U.S. cap 1
    np.testing.assert_allclose(posture, [2.0 / 3.0, 0.0, 1.0])  # min(1, 2 x 1/3); nobody
    np.testing.assert_allclose(support, [0.0, 1.0, 0.0])  # level 1 past the threshold
    # shortfalls: 1 + 1/3 (0.5 seen before), 2 + 1.5; none counted in an ended world
    np.testing.assert_allclose(unseen, [1.0 + 1.0 / 3.0 - 0.5, 3.5, 0.0])
    np.testing.assert_allclose(seen, [1.0 + 1.0 / 3.0, 3.5, 0.7])


def test_the_chance_of_war_the_west_sees_weighs_the_types_and_is_one_at_war():
    risk = np.empty(3)
    west._war_risks(
        np.array([1.0, 1.0, 1.0]),
        np.array([0.0, 0.0, 0.0]),
        np.array([-1.0, -1.0, -1.0]),
        np.array([0.0, 0.0, 0.0]),
        np.array([2.0]),
        np.array([0.25, 0.25, 0.25]),
        np.array([0.1, 0.2, 0.3]),
        np.array([True, False, False]),
        np.array([False, True, False]),
        risk,
    )
    logistic = 1.0 / (1.0 + np.exp(-2.0))
    np.testing.assert_allclose(risk, [0.25 * logistic + 0.75 * (1.0 - logistic), 1.0, 0.3])


def test_the_weeks_of_a_best_plan_are_the_first_wait_that_reaches_the_best():
    # The explain pass finds the wait of the best plan as the first value equal to the
    # best larger() kept (which keeps the first of equal values and the first NaN):
    # what the recurrence "update on a strictly better value, or a first NaN" gives.
    values = [0.2, 0.5, 0.5, -0.0, float("nan"), 0.9]
    for stop in range(1, len(values) + 1):
        best, recurrence = values[0], 0
        for index, value in enumerate(values[:stop]):
            if value > best or (value != value and best == best):
                recurrence = index
            best = bigger(best, value)
        first = next(i for i, v in enumerate(values[:stop]) if russia.is_best(v, best))
        assert first == recurrence
    assert russia.is_best(0.0, -0.0) and not russia.is_best(0.1, float("nan"))


def test_a_kernel_keeps_its_name_docstring_and_source():
    assert alliance._settle_members.__name__ == "_settle_members"
    assert "GDP-weighted mean" in alliance._settle_members.__doc__
    assert "def _settle_members(" in inspect.getsource(alliance._settle_members)


def test_with_no_writable_cache_kernels_and_elementwise_rules_compile_in_memory_quietly(
    monkeypatch,
):
    from numba.core import caching

    def nowhere(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(caching._CacheLocator, "ensure_cache_path", nowhere)

    @compiled.kernel("float64(float64)")
    def doubled(value: float) -> float:
        """Twice ``value``."""
        return 2.0 * value

    @compiled.elementwise("float64(float64)")
    def halved(value: float) -> float:
        """Half ``value``."""
        return 0.5 * value

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert doubled(1.25) == 2.5
        assert halved(np.array([1.0, 3.0])).tolist() == [0.5, 1.5]


RULES = """
from crisis_sim.model.compiled import helper

@helper
def scaled(value: float) -> float:
    \"\"\"A helper in a module of its own.\"\"\"
    return FACTOR * value
"""

CALLER = """
import sys
from crisis_sim.model.compiled import kernel
from rules import scaled

@kernel("float64(float64)")
def run(value: float) -> float:
    \"\"\"A kernel calling a helper of another module.\"\"\"
    return scaled(value)

print(run(1.5))
"""


def _run_caller(folder, cache) -> str:
    import os
    import subprocess
    import sys

    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(folder))
    found = subprocess.run(
        [sys.executable, str(folder / "caller.py")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


@pytest.mark.slow
def test_a_change_to_a_helper_in_another_module_compiles_the_cached_kernel_again(tmp_path):
    # Numba's cache checks only the kernel's own file; the fingerprint in the name a
    # kernel is cached under covers the helpers' modules, so no stale code is loaded.
    (tmp_path / "rules.py").write_text(RULES.replace("FACTOR", "2.0"))
    (tmp_path / "caller.py").write_text(CALLER)
    cache = tmp_path / "cache"
    assert _run_caller(tmp_path, cache) == "3.0"
    assert any(cache.rglob("*.nbi"))
    assert _run_caller(tmp_path, cache) == "3.0"  # from the cache
    (tmp_path / "rules.py").write_text(RULES.replace("FACTOR", "3.0"))
    assert _run_caller(tmp_path, cache) == "4.5"


LOADER = """
from crisis_sim.model.compiled import kernel, load_kernels

@kernel("float64(float64)")
def tripled(value: float) -> float:
    \"\"\"Three times ``value``.\"\"\"
    return 3.0 * value

told = []
load_kernels(on_compile=told.append)
print(told, tripled(0.5))
"""


@pytest.mark.slow
def test_loading_the_kernels_says_once_when_one_had_to_be_compiled_and_not_when_cached(
    tmp_path,
):
    # A machine's first run compiles the kernels (10-30 s for the model's): the runner
    # says so from what load_kernels reports, and says nothing once they are cached.
    (tmp_path / "caller.py").write_text(LOADER)
    cache = tmp_path / "cache"
    assert _run_caller(tmp_path, cache) == "[True] 1.5"
    assert _run_caller(tmp_path, cache) == "[] 1.5"


def test_a_kernels_fingerprint_covers_this_module_its_own_and_its_helpers():
    # Russia's choice calls helpers of its own module, of compiled and of west (the
    # logistic): each of those files is in the fingerprint, and nothing else changes it.
    import hashlib
    from pathlib import Path

    rule = russia._choose.__wrapped__
    files = sorted(Path(module.__file__) for module in (compiled, russia, west))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    assert compiled._fingerprint(rule) == digest.hexdigest()[:16]
    assert compiled._fingerprint(alliance._decide.__wrapped__) != compiled._fingerprint(rule)


KERNELS = {
    alliance: ("_settle_members", "_decide", "_column_quantiles", "_cohesions"),
    bargaining: ("_form", "_worth"),
    compiled: ("_gather", "_scatter"),
    concessions: ("_agreed",),
    plans: ("_wait_powers",),
    russia: ("_outlook", "_plan_values", "_choose"),
    west: ("_offers", "_type_beliefs", "_war_risks", "_respond"),
}
"""Every compiled kernel of the model, by module."""


@pytest.mark.parametrize(
    "name", ["baseline", "ally_blocks_sanctions", "allied_split", "belarus_and_china"]
)
def test_the_kernels_python_source_gives_the_worlds_their_compiled_code_gives(name, monkeypatch):
    # The source a reader sees is the rule: run as plain Python (each kernel's
    # ``__wrapped__``, its helpers as the Python functions they are), it must give every
    # world, week by week, exactly what the compiled kernels give. This also runs each
    # kernel's lines where line coverage can see them.
    scenario = load_scenario(name)
    compiled_run = CrisisModel.from_scenario(scenario, replications=4, seed=11).run()
    for module, names in KERNELS.items():
        for name in names:
            monkeypatch.setattr(module, name, getattr(module, name).__wrapped__)
    python_run = CrisisModel.from_scenario(scenario, replications=4, seed=11).run()
    pd.testing.assert_frame_equal(python_run.outcomes(), compiled_run.outcomes(), check_exact=True)
    np.testing.assert_array_equal(python_run.nato.cohesion, compiled_run.nato.cohesion)
    np.testing.assert_array_equal(
        python_run.nato.member_willingness, compiled_run.nato.member_willingness
    )


def test_the_pools_server_loads_every_kernel_of_the_model_before_it_forks_workers(monkeypatch):
    # The forkserver preloads crisis_sim.ensemble.worker, which has compiled, or read
    # from the cache, every kernel of the model's modules, so the workers share them.
    import multiprocessing.context

    from crisis_sim.ensemble import pool, worker

    preloaded = []
    monkeypatch.setattr(
        multiprocessing.context.ForkServerContext,
        "set_forkserver_preload",
        lambda self, names: preloaded.extend(names),
    )
    assert pool.process_context().get_start_method() == "forkserver"
    assert preloaded == [worker.__name__]
    # The model's seventeen kernels (the allies' update and decision, the quantiles, the
    # cohesions, Russia's outlook, its plan values and its choice, the West's offers, its
    # type belief, the chance of war it sees and its response, the deal, the worth of
    # terms, what is agreed, the plans' wait powers, the gather and scatter of worlds),
    # the runner's weekly histograms and six elementwise rules (exp, power, the force,
    # the chance of winning, the resistance and the deal after some weeks); a test module
    # may have added its own since.
    assert worker.KERNELS >= 24
    assert compiled.load_kernels() == len(compiled._LOADERS) >= worker.KERNELS


# -- the C library's transcendental functions, the same on every machine -----------------


def test_the_models_exp_and_power_are_the_c_librarys_element_by_element():
    import math

    values = np.random.default_rng(2).uniform(-30.0, 30.0, size=2_000)
    assert compiled.exp(values).tolist() == [math.exp(v) for v in values]
    bases, exponents = np.abs(values) / 7.0, np.abs(values[::-1]) / 11.0
    found = compiled.power(bases, exponents).tolist()
    assert found == [b**e for b, e in zip(bases, exponents, strict=True)]
    # An integer exponent counts as the float it is (not as repeated multiplication).
    assert compiled.power(1.1, np.array([3]))[0] == 1.1**3.0


def test_the_logistic_never_overflows_and_agrees_with_its_formula():
    x = np.array([-1e6, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 745.0, 1e6, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            found = west.logistic(x)
    np.testing.assert_allclose(found[2:-2], 1.0 / (1.0 + np.exp(-x[2:-2])), rtol=1e-15)
    assert found[0] == 0.0 and found[-2] == 1.0 and np.isnan(found[-1])


def test_the_logistic_for_one_number_has_the_bits_of_the_logistic_for_arrays():
    # The kernels (Russia's choice, the West's offers) take the logistic one number at a
    # time (west.logistic_of); numpy code takes it over arrays (west.logistic).
    x = np.concatenate(
        [np.random.default_rng(3).normal(0.0, 30.0, 5_000), [-1e6, -0.0, 0.0, 1e6, np.nan]]
    )
    found = np.array([west.logistic_of(float(v)) for v in x])
    np.testing.assert_array_equal(found, west.logistic(x))
    assert found.view(np.int64).tolist() == west.logistic(x).view(np.int64).tolist()


@pytest.mark.parametrize("exponent", [1.0, 0.7, 2.0])
def test_the_kernels_value_a_package_as_issue_utility_does_to_the_bit(exponent):
    # The worth the West judges Russia's acceptance by, and the deal's worth, is
    # bargaining.issue_utility, summed issue by issue (distance_part) and turned into a
    # utility (utility_from_share).
    rng = np.random.default_rng(5)
    gaps, salience = rng.uniform(0.0, 1.0, (6, 400)), rng.uniform(0.0, 1.0, (6, 1))
    expected = bargaining.issue_utility(gaps, salience, exponent)
    plain = exponent == 1.0
    powers = np.array([exponent])
    share = np.empty(400)
    for world in range(400):
        total, weight = -0.0, -0.0
        for issue in range(6):
            total += bargaining.distance_part(
                salience, issue, world, gaps[issue, world], powers, plain
            )
            weight += bargaining.distance_part(salience, issue, world, 1.0, powers, plain)
        share[world] = total / weight
    bargaining.utility_from_share(share, powers, plain)
    assert share.tobytes() == expected.tobytes()


@pytest.mark.parametrize("exponent", [1.0, 2.0, "per world"])
@pytest.mark.parametrize("salience_shape", [(6, 1), (6, 300)])
def test_terms_worth_is_issue_utility_of_the_gaps_to_the_bit(exponent, salience_shape):
    # What is granted, what war could take (the Ukrainian issues whole) and what a
    # partial agreement would add are valued by the kernel _worth: the same bits as
    # issue_utility of 1 - terms, with the whole issues' terms at 1.
    rng = np.random.default_rng(8)
    terms, salience = rng.uniform(0.0, 1.0, (6, 300)), rng.uniform(0.0, 1.0, salience_shape)
    terms[:, :20] = 0.0  # nothing granted in some worlds
    powers = rng.uniform(0.5, 3.0, 300) if exponent == "per world" else exponent
    worth = bargaining.terms_worth(terms, salience, powers)
    assert worth.tobytes() == bargaining.issue_utility(1.0 - terms, salience, powers).tobytes()
    whole = bargaining.UKRAINE_TERMS
    war = bargaining.terms_worth(terms, salience, powers, whole=whole)
    expected = bargaining.issue_utility(1.0 - np.where(whole, 1.0, terms), salience, powers)
    assert war.tobytes() == expected.tobytes()
    assert not np.array_equal(war, worth)
    offered, items = rng.uniform(0.0, 1.0, (6, 300)), bargaining.RECIPROCAL_TERMS
    raised = bargaining.terms_worth(terms, salience, powers, raised=offered, raising=items)
    agreed = np.where(items, np.maximum(terms, offered), terms)
    assert raised.tobytes() == bargaining.issue_utility(1.0 - agreed, salience, powers).tobytes()
    assert not np.array_equal(raised, worth)


@pytest.mark.parametrize("exponent", [1.0, 2.0, "per world"])
def test_the_deals_worth_is_issue_utility_of_the_terms_it_puts_on_the_table(exponent):
    # Six weeks of deals in worlds with Russia's distance exponent at 1, 2 or one per
    # world: the compiled deal's worth is the numpy issue_utility of its terms, to the bit.
    path = "russia.distance_exponent"
    if exponent == "per world":
        model = CrisisModel(replications=9, seed=3, sampled={path: np.linspace(1.0, 3.0, 9)})
    else:
        model = CrisisModel(replications=9, seed=3, params=with_values(Params(), {path: exponent}))
    for _ in range(6):
        model.step()
    deal, p = model.deal, model.p.russia
    expected = bargaining.issue_utility(1.0 - deal.terms, p.salience, p.distance_exponent)
    assert deal.utility.tobytes() == expected.tobytes()
    assert deal.terms.max() > 0.0


def test_an_elementwise_rule_broadcasts_as_numpy_does_and_gives_a_number_for_numbers():
    import math

    column, row = np.array([[1.5], [2.0]]), np.array([0.5, 1.0, 3.0])
    found = compiled.power(column, row)
    assert found.shape == (2, 3)
    assert found.tolist() == [[b**e for e in row.tolist()] for b in column[:, 0].tolist()]
    number = compiled.exp(0.5)
    assert isinstance(number, np.float64) and number == math.exp(0.5)
    assert isinstance(compiled.exp(np.array(0.5)), np.float64)
    strided, read_only = np.arange(10.0)[::2], np.arange(3.0)
    read_only.flags.writeable = False
    assert compiled.exp(strided).tolist() == [math.exp(v) for v in strided.tolist()]
    assert compiled.exp(read_only).tolist() == [math.exp(v) for v in read_only.tolist()]
    assert compiled.power(np.arange(3), 2).tolist() == [0.0, 1.0, 4.0]  # integers as floats
    assert compiled.exp(np.empty((0, 4))).shape == (0, 4)
    with pytest.raises(ValueError, match="broadcast"):
        compiled.power(np.ones(2), np.ones(3))


@pytest.mark.parametrize(
    "signature", ["float64(float64, float64, float64, float64)", "int64(int64)"]
)
def test_an_elementwise_signature_must_be_numbers_of_a_known_count(signature):
    with pytest.raises(ValueError, match="expected float64 of 1, 2, 3, 5 float64 arguments"):
        compiled.elementwise(signature)


@pytest.mark.parametrize(
    ("ufunc", "rule", "arity"),
    [
        (plans.force, plans.force_of, 5),
        (plans.victory_chance, plans.victory_of, 3),
        (plans._resistance_after, plans.resistance_after, 3),
        (plans._deal_after, plans.deal_after, 2),
    ],
)
def test_a_plans_ufunc_is_its_helpers_python_rule_element_by_element(ufunc, rule, arity):
    # The kernels call the helper, numpy code the elementwise loop of it: one rule, to the bit,
    # NaN and the edges of clipping included.
    values = np.random.default_rng(7).uniform(-0.5, 30.0, size=(arity, 500))
    values[0, :5] = [np.nan, 0.0, 1.0, 40.0, -0.0]
    found = ufunc(*values)
    expected = np.array([rule(*column) for column in values.T])
    assert found.tobytes() == expected.tobytes()


def test_the_plans_waits_are_powered_by_eight_products_from_the_waits_themselves():
    first, second, rows = plans.power_plan()
    assert rows.tolist() == list(range(len(plans.WAITS)))
    assert (first < 0).sum() == (second < 0).sum() == 1 and len(first) == len(plans.WAITS)
    # Waits whose halves are not waits need the powers between: 5 = 2 x 3, 3 = 1 x 2.
    first, second, rows = plans.power_plan(np.array([5]))
    assert (first.tolist(), second.tolist(), rows.tolist()) == ([-1, 0, 0, 1], [-1, 0, 1, 2], [3])
    with pytest.raises(ValueError, match="1 or more"):
        plans.power_plan(np.array([0, 2]))


@pytest.mark.parametrize("waits", [plans.WAITS, np.array([5, 7, 11, 13]), np.array([2, 1, 2])])
@pytest.mark.parametrize("base", [0.37, 0.9731, 1.0 - 1e-9, 0.0])
def test_wait_powers_are_within_a_few_ulps_of_pow(base, waits):
    found = plans.wait_powers(np.array([base, base]), waits)
    assert found.shape == (len(waits), 2)
    exact = np.array([base ** float(k) for k in waits])
    np.testing.assert_allclose(found[:, 0], exact, rtol=8 * np.finfo(float).eps, atol=0)
    assert plans.wait_powers(base, waits).shape == (len(waits), 1)


CPU_PROBE = """
import hashlib
import pandas as pd
from crisis_sim import CrisisModel
from crisis_sim.scenario.files import load_scenario

def digest() -> str:
    found = hashlib.sha256()
    for name in ("baseline", "belarus_and_china"):
        model = CrisisModel.from_scenario(load_scenario(name), replications=400, seed=5).run()
        found.update(pd.util.hash_pandas_object(model.outcomes(), index=False).to_numpy())
    return found.hexdigest()

if __name__ == "__main__":
    print(digest())
"""


def test_the_worlds_do_not_depend_on_the_cpu_code_numpy_picks(tmp_path):
    # numpy picks its code for a function by the CPU (AVX-512, AVX2, ...). With every
    # dispatched feature turned off it runs its baseline code, as on an older CPU; the
    # worlds must come out as they do here, to the bit (numpy's own exp and pow did
    # not). On a CPU with nothing beyond numpy's baseline both take the same path.
    import os
    import runpy
    import subprocess
    import sys

    from numpy._core._multiarray_umath import __cpu_dispatch__

    probe = tmp_path / "probe.py"
    probe.write_text(CPU_PROBE, encoding="utf-8")
    env = dict(os.environ, NPY_DISABLE_CPU_FEATURES=" ".join(__cpu_dispatch__))
    done = subprocess.run([sys.executable, str(probe)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == runpy.run_path(str(probe))["digest"]()


# -- Russia valued in the worlds still in crisis alone ---------------------------------------


def _run_with_share(monkeypatch, share: float, scenario: str):
    steps: list[bool] = []
    prospects = russia.Russia.prospects

    def noting(self, *, reuse=False, rows=None):
        steps.append(rows is not None)
        return prospects(self, reuse=reuse, rows=rows)

    with monkeypatch.context() as patch:
        patch.setattr(compiled, "COMPACT_SHARE", share)
        patch.setattr(russia.Russia, "prospects", noting)
        model = CrisisModel.from_scenario(
            load_scenario(scenario), replications=600, seed=21, event_log=False
        ).run()
    west_, us, nato = model.west, model.united_states, model.nato
    state = (west_.war_risk, west_.type_belief, west_.acceptance, west_.offer_step)
    state += (us.offer, nato.offer, model.deal.terms, model.russia.rung)
    return model.outcomes(), model.history_frame(), [a.copy() for a in state], steps


PER_WORLD_ISSUES = """
extends = "{baseline}"
title = "Judgement on the issues"
question = "What if the offers, reservation points and saliences are uncertain?"
description = "Issue tables that differ from world to world (a test)."
brief_ids = ["US-O1"]
{uncertain}
"""

ISSUE_PARAMETERS = (
    ("west.us_reservation.exercises", 0.3, 0.9),
    ("west.nato_offer.inf_missiles", 0.0, 0.3),
    ("west.us_share.exercises", 0.2, 0.8),
    ("west.us_salience.enlargement", 0.2, 1.0),
    ("russia.salience.exercises", 0.2, 1.0),
    ("russia.distance_exponent", 1.0, 2.0),
)
"""Parameters whose tables then hold a value per world, read in the worlds in crisis alone."""


@pytest.fixture(scope="module")
def per_world_issues(tmp_path_factory) -> str:
    """A scenario whose issue tables and distance exponent differ from world to world."""
    from crisis_sim.scenario.files import bundled_scenarios

    uncertain = "".join(
        f'\n[[uncertain]]\nparam = "{path}"\ndistribution = "uniform"\nlow = {low}\nhigh = {high}\n'
        for path, low, high in ISSUE_PARAMETERS
    )
    baseline = next(path for path in bundled_scenarios() if path.stem == "baseline")
    path = tmp_path_factory.mktemp("issues") / "per_world_issues.toml"
    path.write_text(PER_WORLD_ISSUES.format(baseline=baseline.as_posix(), uncertain=uncertain))
    return str(path)


@pytest.mark.parametrize("scenario", ["baseline", "us_exercise_limits", "per_world_issues"])
def test_valuing_only_the_worlds_in_crisis_changes_no_number(monkeypatch, scenario, request):
    if scenario == "per_world_issues":
        scenario = request.getfixturevalue("per_world_issues")
    # Russia's values and the West's offers in the worlds that have ended are read by
    # nothing: computing them there (share 0) or never (share above 1) gives every table
    # and every West state to the bit, and the compact path must really have run.
    every, history, state, full_steps = _run_with_share(monkeypatch, 0.0, scenario)
    some, compact_history, compact_state, compact_steps = _run_with_share(
        monkeypatch, 1.01, scenario
    )
    assert not any(full_steps) and sum(compact_steps) == len(compact_steps) > 20
    pd.testing.assert_frame_equal(every, some)
    pd.testing.assert_frame_equal(history, compact_history)
    for found, expected in zip(compact_state, state, strict=True):
        assert found.tobytes() == expected.tobytes()
    assert every["outcome"].nunique() >= 3  # worlds end in different ways, at different weeks


def test_in_rows_takes_a_value_per_world_at_the_rows_and_keeps_one_number_one():
    rows = np.array([0, 3])
    assert compiled.in_rows(np.arange(5.0), rows).tolist() == [0.0, 3.0]
    assert compiled.in_rows(2.5, rows).tolist() == [2.5]
    assert compiled.in_rows(2.5, rows, 5).tolist() == [2.5, 2.5]
    assert compiled.in_rows(2.5, None, 5).tolist() == [2.5] * 5
    table = np.arange(10.0).reshape(2, 5)
    assert compiled.columns_of(table, rows).tolist() == [[0.0, 3.0], [5.0, 8.0]]
    assert compiled.columns_of(np.ones((2, 1)), rows).shape == (2, 1)
    spread = compiled.spread(np.array([[1.0, 2.0]]), rows, 5, np.nan)
    assert np.isnan(spread[0, [1, 2, 4]]).all() and spread[0, [0, 3]].tolist() == [1.0, 2.0]
    updated = compiled.with_rows(table, rows, np.zeros((2, 2)))
    assert updated.tolist() == [[0, 1, 2, 0, 4], [0, 6, 7, 0, 9]] and table[0, 3] == 3.0


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.bool_])
@pytest.mark.parametrize("shape", [(7,), (3, 7), (2, 3, 7)])
@pytest.mark.parametrize("taken", [[], [6], [0, 2, 3, 6]])
def test_the_compiled_gather_and_scatter_move_what_numpys_indexing_moves(dtype, shape, taken):
    rng = np.random.default_rng(sum(shape) + len(taken))
    table = (rng.uniform(-3.0, 3.0, size=shape) * 10).astype(dtype)
    rows = np.array(taken, dtype=np.int64)
    gathered = compiled.columns_of(table, rows)
    assert gathered.dtype == table.dtype and gathered.flags.c_contiguous
    np.testing.assert_array_equal(gathered, table[..., rows])
    values = np.ascontiguousarray(gathered[..., ::-1])
    fill = dtype(1)
    expected = np.full(shape, fill, dtype=dtype)
    expected[..., rows] = values
    np.testing.assert_array_equal(compiled.spread(values, rows, shape[-1], fill), expected)
    updated = table.copy()
    updated[..., rows] = values
    np.testing.assert_array_equal(compiled.with_rows(table, rows, values), updated)
    # A strided table (a view) is read as the values it shows.
    view = np.repeat(table, 2, axis=-1)[..., ::2]
    np.testing.assert_array_equal(compiled.columns_of(view, rows), table[..., rows])


@compiled.kernel("void(float64[::1], int16[::1])")
def _sort_with(values: np.ndarray, order: np.ndarray) -> None:
    """:func:`crisis_sim.model.alliance.sort_with`, compiled (a test kernel)."""
    sort_with(values, order)


@pytest.mark.parametrize("engine", ["compiled", "python"])
@pytest.mark.parametrize("seed", range(4))
def test_the_allies_voices_sort_as_numpy_sorts_from_any_order_and_carry_their_members(engine, seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(-0.2, 1.2, size=30), 1)  # ties
    values[rng.integers(0, 30, size=3)] = np.inf  # allies standing aside
    if seed % 2:
        values[rng.integers(0, 30, size=2)] = np.nan
    order = rng.permutation(30).astype(np.int16)  # last week's order, whatever it was
    row = values[order]
    (_sort_with if engine == "compiled" else alliance.sort_with)(row, order)
    np.testing.assert_array_equal(row, np.sort(values))
    np.testing.assert_array_equal(row, values[order])  # each place still names its member
    assert sorted(order.tolist()) == list(range(30))


def test_both_types_valued_at_once_have_the_bits_of_each_type_valued_alone():
    model = CrisisModel(replications=400, seed=8, event_log=False)
    for _ in range(18):  # past the weeks in which worlds begin to end
        model.step()
    russia_ = model.russia
    rows = np.flatnonzero(model.active)
    assert 0 < rows.size < 400
    for chosen in (None, rows):
        prospects = russia_.prospects(rows=chosen)
        both = russia_.values_by_type(prospects, explain=True, rows=chosen)
        for values, kind in zip(both, (True, False), strict=True):
            alone = russia_.type_values(np.full(400, kind), prospects, explain=True, rows=chosen)
            for field in russia.TypeValues.__dataclass_fields__:
                found, expected = getattr(values, field), getattr(alone, field)
                assert np.asarray(found).tobytes() == np.asarray(expected).tobytes(), field
    gain = model.deal.partial_gain(model)
    np.testing.assert_array_equal(model.deal.partial_gain(model, rows), gain[rows])


def test_the_war_is_fought_in_the_worlds_at_war_alone_with_their_own_numbers():
    model = CrisisModel.from_scenario(
        load_scenario("baseline"), replications=300, seed=5, event_log=False
    )
    while model.running and model.war.at_war.sum() < 5:
        model.step()
    rows = np.flatnonzero(model.war.at_war)
    assert rows.size >= 5
    everywhere = model.russia.massed_force(2.0)
    assert model.russia.massed_force(2.0, rows).tobytes() == everywhere[rows].tobytes()
    front, peace = model.war.front.copy(), ~model.war.at_war
    model.step()
    assert model.war.front[peace].tobytes() == front[peace].tobytes()  # no war, no front
    assert np.any(model.war.front[rows] != front[rows])


def test_valuing_a_grant_only_where_it_was_made_gives_what_valuing_every_world_gives():
    model = CrisisModel(replications=50, seed=2, event_log=False)
    for _ in range(3):
        model.step()
    concessions_ = model.concessions
    before = concessions_.status_quo_utility.copy()
    due = np.zeros(50, dtype=bool)
    due[[3, 17, 40]] = True
    concessions_.grant(concessions.Issue.EXERCISES, due, 0.6)
    quo, war = concessions_.status_quo_utility.copy(), concessions_.war_utility.copy()
    assert np.all(quo[due] > before[due]) and quo[~due].tobytes() == before[~due].tobytes()
    concessions_._value()
    assert quo.tobytes() == concessions_.status_quo_utility.tobytes()
    assert war.tobytes() == concessions_.war_utility.tobytes()


def test_the_worlds_in_crisis_are_computed_alone_only_when_few_enough_and_no_log_is_kept():
    active = np.array([True, False, True, False, True])  # 60% in crisis
    assert compiled.crisis_rows(active, explain=False).tolist() == [0, 2, 4]
    assert compiled.crisis_rows(active, explain=True) is None  # the event log tells of all
    assert compiled.crisis_rows(np.ones(5, dtype=bool), explain=False) is None
    assert compiled.crisis_rows(np.zeros(1, dtype=bool), explain=False) is None
    assert compiled.crisis_rows(np.zeros(4, dtype=bool), explain=False).tolist() == []
