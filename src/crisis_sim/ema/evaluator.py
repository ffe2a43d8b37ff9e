"""A batched EMA evaluator: each policy's experiments as one vectorised model.

EMA Workbench hands an evaluator a whole design at once
(``BaseEvaluator.evaluate_experiments(experiments, callback)``), and in ``optimize`` a
whole generation of platypus solutions. :class:`BatchedEvaluator` groups the
experiments by model and policy, runs each group through its adapter's ``evaluate``
(for :class:`~crisis_sim.ema.adapter.ExperimentAdapter`, the group's scenarios as one
model of many worlds; for :class:`~crisis_sim.ema.adapter.PolicyAdapter`, the policy
over its parameter sets), and reports every experiment to EMA's callback as a plain
evaluator would. The worlds an experiment runs depend only on its scenario (and the
seed), never on the group it ran in, so the outcomes equal those of EMA's
``SequentialEvaluator`` on the same models, experiment for experiment.

Groups run on the package's executors: ``local`` (this process), ``processes`` (a
pool of worker processes, started when the evaluator is entered and ended when it
is left, and with the main process), or ``dask`` (a private local cluster, or a
scheduler's address).
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, ExitStack, closing
from typing import Any

from ema_workbench.em_framework.evaluators import BaseEvaluator, Samplers
from ema_workbench.em_framework.points import Experiment
from ema_workbench.em_framework.samplers import AbstractSampler
from ema_workbench.em_framework.util import determine_objects

from crisis_sim.ema.adapter import Adapter, CrisisSimModel, ScenarioValues, scenario_design
from crisis_sim.ensemble.limits import EXECUTORS, MAX_WORKERS
from crisis_sim.ensemble.pool import exit_with, process_context

__all__ = ["BatchedEvaluator"]

Task = tuple[Adapter, dict[str, Any], list[ScenarioValues]]
"""One group's work: the adapter, the policy's lever values, its scenarios."""


def run_group(task: Task) -> list[dict[str, Any]]:
    """The raw outcomes of one group (a worker's unit of work)."""
    adapter, policy, scenarios = task
    return adapter.evaluate(policy, scenarios)


class BatchedEvaluator(BaseEvaluator):
    """Runs each policy's experiments as one vectorised model (module docstring).

    Use it as EMA's evaluators are used: ``with BatchedEvaluator(model) as evaluator:
    evaluator.perform_experiments(...)`` or ``evaluator.optimize(...)``.

    Args:
        msis: One or more :class:`~crisis_sim.ema.adapter.CrisisSimModel`.
        executor: ``local``, ``processes`` or ``dask``.
        workers: Worker processes (``processes``; ``dask`` without a scheduler).
        scheduler: A Dask scheduler's address (``tcp://HOST:PORT``) for ``dask``.
        on_group: Called with the number of experiments of each group as it finishes
            (for a progress bar).

    Raises:
        TypeError: If a model is not a ``CrisisSimModel``.
        ValueError: For an unknown executor or a number of workers out of range.
    """

    def __init__(
        self,
        msis: CrisisSimModel | Sequence[CrisisSimModel],
        *,
        executor: str = "local",
        workers: int = 1,
        scheduler: str | None = None,
        on_group: Callable[[int], object] | None = None,
    ) -> None:
        """Check the models and the executor; nothing starts before ``initialize``."""
        super().__init__(msis)
        for model in self._msis:
            if not isinstance(model, CrisisSimModel):
                raise TypeError(
                    f"{model} is not a CrisisSimModel: the batched evaluator runs those"
                )
        if executor not in EXECUTORS:
            raise ValueError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(f"workers must be from 1 to {MAX_WORKERS}, got {workers}")
        if executor == "local" and workers > 1:
            executor = "processes"
        self.executor, self.workers, self.scheduler = executor, workers, scheduler
        self.on_group = on_group
        self.groups_run = 0
        """Groups (vectorised models) run so far."""
        self._stack: ExitStack | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    def initialize(self) -> None:
        """Start the worker processes or connect to the Dask cluster."""
        self._stack = ExitStack()
        if self.executor == "processes":
            pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=process_context("crisis_sim.ema.adapter"),
                initializer=exit_with,
                initargs=(os.getpid(),),
            )
            self._pool = pool
            self._stack.callback(pool.shutdown, wait=True, cancel_futures=True)
        elif self.executor == "dask":
            self._client = self._stack.enter_context(self._dask_session())

    def _dask_session(self) -> AbstractContextManager[Any]:
        try:
            from crisis_sim.ensemble.dask_cluster import connect, private_client
        except ImportError:
            raise RuntimeError(
                "the dask executor needs Dask distributed: pip install 'crisis-sim[dask]'"
            ) from None
        if self.scheduler is None:
            return private_client(self.workers)
        return closing(connect(self.scheduler))

    def finalize(self) -> None:
        """Stop the worker processes or close the Dask client."""
        if self._stack is not None:
            self._stack.close()
        self._stack, self._pool, self._client = None, None, None

    def perform_experiments(
        self,
        scenarios: Any = 0,
        policies: Any = 0,
        *,
        uncertainty_sampling: AbstractSampler | Samplers = Samplers.LHS,
        uncertainty_sampling_kwargs: dict[str, Any] | None = None,
        uncertainty_union: bool = False,
        **kwargs: Any,
    ) -> Any:
        """EMA's ``perform_experiments``, with sampled scenarios named 0..n-1.

        Given a number of scenarios, EMA would name the ones it samples from a counter
        that runs on through the session, and scenario ``j`` runs world block ``j``:
        sampled here by :func:`~crisis_sim.ema.adapter.scenario_design`, the same call
        meets the same worlds whatever ran before it. Everything else is EMA's.
        """
        if isinstance(scenarios, numbers.Integral) and not isinstance(scenarios, bool):
            if int(scenarios) > 0:
                sampler = (
                    uncertainty_sampling
                    if isinstance(uncertainty_sampling, AbstractSampler)
                    else uncertainty_sampling.value
                )
                parameters = determine_objects(self._msis, "uncertainties", union=uncertainty_union)
                scenarios = scenario_design(
                    list(parameters),
                    int(scenarios),
                    sampler=sampler,
                    **(uncertainty_sampling_kwargs or {}),
                )
        return super().perform_experiments(
            scenarios=scenarios,
            policies=policies,
            uncertainty_sampling=uncertainty_sampling,
            uncertainty_sampling_kwargs=uncertainty_sampling_kwargs,
            uncertainty_union=uncertainty_union,
            **kwargs,
        )

    def evaluate_experiments(
        self, experiments: Iterable[Experiment], callback: Callable, **kwargs: Any
    ) -> None:
        """Run the experiments grouped by model and policy, and report each to ``callback``."""
        models = {model.name: model for model in self._msis}
        groups: dict[tuple[str, object], list[Experiment]] = {}
        for experiment in experiments:
            key = (experiment.model_name, experiment.policy.name)
            groups.setdefault(key, []).append(experiment)
        tasks = [self._task(models[name], members) for (name, _), members in groups.items()]
        for (name, _), members, raw in zip(groups, groups.values(), self._map(tasks), strict=True):
            model = models[name]
            for experiment, outcomes in zip(members, raw, strict=True):
                callback(experiment, model.process(outcomes))
            self.groups_run += 1
            if self.on_group is not None:
                self.on_group(len(members))

    @staticmethod
    def _task(model: CrisisSimModel, members: list[Experiment]) -> Task:
        policy = members[0].policy
        levers = {lever.name: policy[lever.name] for lever in model.levers if lever.name in policy}
        scenarios = [
            (
                e.scenario.name,
                {u.name: e.scenario[u.name] for u in model.uncertainties if u.name in e.scenario},
            )
            for e in members
        ]
        return model.adapter, levers, scenarios

    def _map(self, tasks: list[Task]) -> Iterator[list[dict[str, Any]]]:
        """Each task's raw outcomes, in the tasks' order."""
        if self._pool is None and self._client is None:
            if self.executor != "local":
                raise RuntimeError("enter the evaluator (with BatchedEvaluator(...) as e:) first")
            for task in tasks:
                yield run_group(task)
            return
        futures: list[Future[Any]] | list[Any]
        if self._pool is not None:
            futures = [self._pool.submit(run_group, task) for task in tasks]
        else:
            futures = [self._client.submit(run_group, task, pure=False) for task in tasks]
        for future in futures:
            yield future.result()
