"""Compiled kernels: rules that loop over worlds, compiled by numba once and cached.

A kernel is an ordinary Python function in the module of its mechanism (its docstring
and source say what it does, and :func:`inspect.getsource` shows it), decorated with
:func:`kernel` and an explicit numba signature. Nothing is compiled, and numba is not
even imported, until a kernel is first called: ``import crisis_sim`` stays cheap. The
first call compiles it (or loads it from numba's on-disk cache, see below) with
``nopython`` mode, strict IEEE arithmetic (no ``fastmath``: results are the same to
the bit as the numpy code they replaced, summation order included) and numpy's error
model (a division by zero gives ``inf`` or ``nan``, as in numpy, not an exception).

A kernel may call helpers marked with :func:`helper`, of its own module or imported by
name from another (:func:`larger` and :func:`at_world` here serve every kernel): they
are compiled with it. A helper of numbers is inlined into it unless it calls itself (an
inlined helper costs no call, and no count of references to the arrays it is passed);
a helper that loops over the worlds itself, or that measured faster called than inlined,
is marked ``helper(inline=False)``. One helper, :func:`wide_product`, is compiled to
machine code that numba's subset of Python cannot express (a 128-bit product); in
Python it computes the same with Python's integers. Numba's
cache checks only the file of the function it compiled, so the name each kernel is
cached under carries a fingerprint of this module and of the module of every helper
it reaches (:func:`_fingerprint`): a change to any of them compiles the kernel again
instead of loading stale code.

How a kernel is written to be fast (measured, ``benchmarks/README.md``): the worlds in
the innermost loop, over rows of (..., R) tables, so that each loop reads a few rows in
order and the compiler can vectorise it; a branch the same for every world (``plain``
in :func:`crisis_sim.model.west._offers`) outside the loop over worlds, not inside it,
where the compiler may compute ``exp`` or ``pow`` in every world to remove the branch;
for the same reason, ``exp`` needed in some worlds only is computed over a list of those
worlds, not behind a branch (the chance of acceptance in ``_offers``). A loop over
worlds that reads many tables at once, one world at a time, can be slower than numpy.

Where the compiled code goes: numba caches each kernel next to its source, in the
package's ``__pycache__``; if that is not writable (an installed package), in the
user's cache folder; ``NUMBA_CACHE_DIR`` overrides both. If no place is writable the
kernel is compiled in memory for each process, silently.

Transcendental functions (``exp``, ``pow``) are the C library's everywhere in the
model: in a kernel (numba calls the C library), and between kernels through compiled
loops made by :func:`elementwise` (:func:`exp` and :func:`power` here), never numpy's
own. numpy picks its code for these by the CPU it runs
on: its AVX-512 ``exp`` and ``pow`` differ from its AVX2 ones (and from the C
library's) in the last bit for about 5% of inputs, so results computed with them
depended on the machine. The C library's are the same on every x86-64 machine with
AVX2 and FMA (Intel from Haswell, 2013, AMD from Excavator, 2015) running glibc 2.28 or
later (2018-);
elsewhere (an older CPU, macOS, Windows, another C library) the last bits of
continuous values may differ, which changed no outcome in the checks of
``benchmarks/identical_tables.py``. Intel's SVML, which numba would otherwise use to
vectorise these functions when it is installed, is turned off before numba is imported
for the same reason. Powers of a number over the plans' waits are products, not
``pow`` (:func:`crisis_sim.model.plans.wait_powers`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, overload

import numpy as np

_HELPER = "__crisis_sim_helper__"


@overload
def helper[F: Callable[..., Any]](rule: F, /) -> F: ...


@overload
def helper[F: Callable[..., Any]](*, inline: bool) -> Callable[[F], F]: ...


def helper[F: Callable[..., Any]](
    rule: F | None = None, /, *, inline: bool = True
) -> F | Callable[[F], F]:
    """Mark ``rule`` as a helper kernels may call; it stays a Python function here.

    A helper of numbers (``@helper``) is inlined where it is called. One that loops over
    the worlds itself is compiled once and called (``@helper(inline=False)``): inlining
    it gains nothing and costs compile time for each place it is called. So is a helper
    whose kernel measured faster calling it than inlining it (numba's inlining is of
    its own code, before LLVM's optimisations).
    """

    def mark(found: F) -> F:
        setattr(found, _HELPER, "always" if inline else "never")
        return found

    return mark if rule is None else mark(rule)


@helper
def larger(first: float, second: float) -> float:
    """``numpy.maximum`` of two numbers: the larger, NaN if either is NaN."""
    return first if (first >= second) | (first != first) else second


@helper
def smaller(first: float, second: float) -> float:
    """``numpy.minimum`` of two numbers: the smaller, NaN if either is NaN."""
    return first if (first <= second) | (first != first) else second


@helper
def at_world(values: np.ndarray, world: int) -> float:
    """A value in ``world``: one number for all worlds, or one per world."""
    return values[0] if values.shape[0] == 1 else values[world]


_MACHINE_CODE = "__crisis_sim_machine_code__"

_WORD = (1 << 64) - 1


def wide_product(first: np.uint64, second: np.uint64) -> tuple[np.uint64, np.uint64]:
    """The high and low 64 bits of the 128-bit product of two 64-bit words.

    A helper whose compiled version is one 128-bit multiply of the CPU (LLVM's ``mul``
    of ``i128``; :func:`_wide_product_code`): numba has no 128-bit integer, and building
    the product from four 32-bit ones took 2.4 times as long in the random-number
    kernel. Here, in Python, it is the product of Python's integers.
    """
    product = int(first) * int(second)
    return np.uint64(product >> 64), np.uint64(product & _WORD)


def _wide_product_code() -> Any:
    """:func:`wide_product` as a numba intrinsic: LLVM code for the 128-bit product."""
    from llvmlite import ir
    from numba.core import types as numba_types
    from numba.extending import intrinsic

    word, double_word = ir.IntType(64), ir.IntType(128)

    @intrinsic
    def wide_product(typing_context: Any, first: Any, second: Any) -> Any:
        signature = numba_types.UniTuple(numba_types.uint64, 2)(
            numba_types.uint64, numba_types.uint64
        )

        def generate(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
            product = builder.mul(
                builder.zext(arguments[0], double_word), builder.zext(arguments[1], double_word)
            )
            high = builder.trunc(builder.lshr(product, ir.Constant(double_word, 64)), word)
            low = builder.trunc(product, word)
            return context.make_tuple(builder, signature.return_type, (high, low))

        return signature, generate

    return wide_product


setattr(wide_product, _HELPER, "always")
setattr(wide_product, _MACHINE_CODE, _wide_product_code)


@functools.cache
def _numba() -> types.ModuleType:
    if "numba" not in sys.modules:
        os.environ.setdefault("NUMBA_DISABLE_INTEL_SVML", "1")
    import numba

    return numba


def per_world(value: np.ndarray | float, size: int = 1) -> np.ndarray:
    """A value as the kernels read it: a writable C-contiguous float array of one value or (R,).

    ``size`` R broadcasts a number to every world (for values a kernel reads per world:
    a one-value array is read as the same value everywhere, :func:`at_world`).
    """
    array = np.asarray(value, dtype=float).reshape(-1)
    if array.shape[0] < size:
        array = np.broadcast_to(array, (size,))
    if array.flags.writeable and array.flags.c_contiguous:
        return array
    return np.ascontiguousarray(array).copy()


COMPACT_SHARE = 0.8
"""The share of worlds in crisis below which Russia's values and the West's offers skip the rest.

Below it, they are computed for the worlds still in crisis alone (their inputs gathered
by :func:`in_rows` and :func:`columns_of`, their results spread back by :func:`spread`
and :func:`with_rows`, all through the compiled :func:`_gather` and :func:`_scatter`);
above it, for every world, which costs less than gathering. What they would be in the
other worlds is read by nothing: the crisis is over there, Russia no longer chooses and
the West no longer offers. Either way every world gets the same numbers to the bit
(``tests/test_kernels.py``, ``benchmarks/identical_tables.py``). A setting of speed
(``benchmarks/README.md``), not of the model. The West's offers gained nothing this way
while numpy's indexing gathered their issue tables (135-146 against 140-144 ns a
world-week); gathered by :func:`_gather`, five times as fast, they gain about 20.
"""


def crisis_rows(active: np.ndarray, explain: bool) -> np.ndarray | None:
    """The worlds still in crisis, where few enough are to compute in them alone; else None.

    None also when an event log is kept (``explain``: it tells of every world) and for a
    single world. See :data:`COMPACT_SHARE`.
    """
    size = active.shape[0]
    if explain or size < 2:
        return None
    rows = np.flatnonzero(active)
    return rows if rows.shape[0] < COMPACT_SHARE * size else None


def in_rows(value: np.ndarray | float, rows: np.ndarray | None, size: int = 1) -> np.ndarray:
    """A value as the kernels read it (:func:`per_world`), in the worlds ``rows`` only.

    ``rows`` None: every world, as ``per_world(value, size)`` gives it. Otherwise a value
    of one number stays one number (broadcast to the rows where ``size`` > 1, as
    ``per_world`` broadcasts it to every world), and a value per world is taken at
    ``rows``.
    """
    if rows is None:
        return per_world(value, size)
    array = per_world(value)
    if array.shape[0] == 1:
        return per_world(value, rows.shape[0] if size > 1 else 1)
    return columns_of(array, rows)


def columns_of(table: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """A (..., 1) or (..., R) table, C-contiguous, in the worlds ``rows`` only (None: all).

    A copy where ``rows`` are taken (the caller may write into it); ``table`` itself, or
    a contiguous copy of it, otherwise. The rows are taken by the compiled :func:`_gather`
    (numpy's ``table[..., rows]`` took five times as long, ``benchmarks/README.md``).
    """
    table = np.ascontiguousarray(table)
    if rows is None or table.shape[-1] == 1:
        return table
    lines = math.prod(table.shape[:-1])
    taken = np.empty((*table.shape[:-1], rows.shape[0]), dtype=table.dtype)
    _gather(table.reshape(lines, table.shape[-1]), rows, taken.reshape(lines, rows.shape[0]))
    return taken


def with_rows(table: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A copy of the (..., R) ``table`` whose worlds ``rows`` hold the (..., n) ``values``."""
    updated = np.array(table, order="C")
    _scatter(_rows_of(values, updated.dtype), rows, updated.reshape(-1, updated.shape[-1]))
    return updated


def spread(values: np.ndarray, rows: np.ndarray, size: int, fill: float | bool) -> np.ndarray:
    """(..., n) values of the worlds ``rows`` as a (..., ``size``) table, ``fill`` elsewhere.

    The values are put in place by the compiled :func:`_scatter`.
    """
    full = np.full((*values.shape[:-1], size), fill, dtype=values.dtype)
    _scatter(_rows_of(values, full.dtype), rows, full.reshape(-1, size))
    return full


def _rows_of(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(..., n) ``values`` as a C-contiguous (rows, n) table of ``dtype``, for :func:`_scatter`."""
    array = np.ascontiguousarray(values, dtype=dtype)
    return array.reshape(math.prod(array.shape[:-1]), array.shape[-1])


_HELPERS: dict[Callable[..., Any], Any] = {}
"""The compiled helpers, by their Python function."""


def _helper_dispatcher(rule: Callable[..., Any]) -> Any:
    """The compiled version of a helper, typed when the first kernel using it compiles.

    It needs no cache of its own: a cached kernel holds the helpers it calls. A helper
    may call itself (it is registered before its own names are bound).
    """
    found = _HELPERS.get(rule)
    if found is None and hasattr(rule, _MACHINE_CODE):
        found = _HELPERS[rule] = getattr(rule, _MACHINE_CODE)()
    if found is None:
        names = dict(rule.__globals__)
        inline = "never" if _calls_itself(rule) else getattr(rule, _HELPER)
        found = _HELPERS[rule] = _numba().njit(error_model="numpy", inline=inline)(
            _function(rule, names)
        )
        _bind_helpers(rule, names)
    return found


def _calls_itself(rule: Callable[..., Any]) -> bool:
    """Whether ``rule`` calls itself (numba cannot inline it into itself)."""
    return rule.__name__ in rule.__code__.co_names


def _helpers_of(rule: Callable[..., Any]) -> Iterator[tuple[str, Callable[..., Any]]]:
    """The helpers ``rule`` calls, each with the name it has in ``rule``'s globals."""
    for name in rule.__code__.co_names:
        value = rule.__globals__.get(name)
        if callable(value) and getattr(value, _HELPER, False):
            yield name, value


def _fingerprint(rule: Callable[..., Any]) -> str:
    """A digest of the sources the compiled ``rule`` depends on (16 hexadecimal digits).

    The files of this module, of ``rule``'s module and of the module of every helper it
    reaches, directly or through other helpers.
    """
    files = {Path(__file__), Path(rule.__code__.co_filename)}
    seen: set[Callable[..., Any]] = set()
    waiting = [rule]
    while waiting:
        for _, found in _helpers_of(waiting.pop()):
            if found not in seen:
                seen.add(found)
                waiting.append(found)
                files.add(Path(found.__code__.co_filename))
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _function(rule: Callable[..., Any], names: dict[str, Any]) -> types.FunctionType:
    """``rule``'s code with the globals ``names``."""
    bound = types.FunctionType(
        rule.__code__, names, rule.__name__, rule.__defaults__, rule.__closure__
    )
    bound.__qualname__ = rule.__qualname__
    bound.__module__ = rule.__module__
    return bound


def _bind_helpers(rule: Callable[..., Any], names: dict[str, Any]) -> None:
    """Replace, in ``names``, each helper ``rule`` calls by its compiled version."""
    for name, found in _helpers_of(rule):
        names[name] = _helper_dispatcher(found)


def _bind(rule: Callable[..., Any]) -> types.FunctionType:
    """``rule`` with its helpers replaced by their compiled versions in its globals."""
    names = dict(rule.__globals__)
    _bind_helpers(rule, names)
    return _function(rule, names)


def _njit(bound: types.FunctionType, signature: str | list[str]) -> Any:
    """``bound`` compiled by numba for ``signature``, cached on disk where numba can write."""
    numba = _numba()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", numba.NumbaWarning)
        try:
            return numba.njit(signature, cache=True, nogil=True, error_model="numpy")(bound)
        except RuntimeError:
            # No writable cache folder ("cannot cache function"): compile in memory.
            return numba.njit(signature, cache=False, nogil=True, error_model="numpy")(bound)


def _compile(rule: Callable[..., Any], signature: str | list[str]) -> Callable[..., Any]:
    """Compile ``rule`` for ``signature``, cached on disk where numba can write.

    Numba names the cache files after the function's qualified name, which here ends in
    the :func:`_fingerprint` of its sources.
    """
    bound = _bind(rule)
    bound.__qualname__ = f"{rule.__qualname__}.v{_fingerprint(rule)}"
    return _njit(bound, signature)


def _element(*values: float) -> float:
    """The rule an elementwise loop applies: each loop's copy binds its own rule here."""
    raise TypeError("an elementwise loop is called through elementwise(), which binds its rule")


def _each_of_1(first: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` the rule of element ``i`` (a one-value array counts for every ``i``)."""
    for index in range(out.shape[0]):
        out[index] = _element(at_world(first, index))


def _each_of_2(first: np.ndarray, second: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` the rule of elements ``i``, as :func:`_each_of_1`."""
    for index in range(out.shape[0]):
        out[index] = _element(at_world(first, index), at_world(second, index))


def _each_of_3(first: np.ndarray, second: np.ndarray, third: np.ndarray, out: np.ndarray) -> None:
    """``out[i]`` the rule of elements ``i``, as :func:`_each_of_1`."""
    for index in range(out.shape[0]):
        out[index] = _element(
            at_world(first, index), at_world(second, index), at_world(third, index)
        )


def _each_of_5(
    first: np.ndarray,
    second: np.ndarray,
    third: np.ndarray,
    fourth: np.ndarray,
    fifth: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[i]`` the rule of elements ``i``, as :func:`_each_of_1`."""
    for index in range(out.shape[0]):
        out[index] = _element(
            at_world(first, index),
            at_world(second, index),
            at_world(third, index),
            at_world(fourth, index),
            at_world(fifth, index),
        )


_EACH_OF: dict[int, Callable[..., None]] = {
    1: _each_of_1,
    2: _each_of_2,
    3: _each_of_3,
    5: _each_of_5,
}
"""The loop over elements for a rule of each number of arguments :func:`elementwise` takes."""


def _arity(signature: str) -> int:
    """The number of arguments of an elementwise ``signature``, checked: numbers in and out."""
    arguments = signature.removeprefix("float64(").removesuffix(")").split(",")
    count = len(arguments)
    if signature != f"float64({', '.join(['float64'] * count)})" or count not in _EACH_OF:
        raise ValueError(
            f"elementwise signature {signature!r}: expected float64 of "
            f"{', '.join(map(str, _EACH_OF))} float64 arguments"
        )
    return count


def _compile_elementwise(rule: Callable[..., Any], signature: str) -> Callable[..., Any]:
    """``rule`` applied to each element of arrays that broadcast, compiled and cached.

    The loop of :data:`_EACH_OF` for its number of arguments, with ``rule`` (and the
    helpers it calls) compiled into it, cached on disk where numba can write under a
    name that carries the :func:`_fingerprint` of its sources, as a kernel's. Numba's
    own ufuncs (``numba.vectorize``) build their loop anew in each process (about 40 ms
    each, measured): this loop is read from the cache.
    """
    count = _arity(signature)
    template = _EACH_OF[count]
    names = dict(template.__globals__)
    _bind_helpers(template, names)
    names["_element"] = _helper_dispatcher(rule)
    loop = _function(template, names)
    loop.__qualname__ = f"{template.__name__}.{rule.__qualname__}.v{_fingerprint(rule)}"
    each = _njit(loop, f"void({', '.join(['float64[::1]'] * (count + 1))})")

    def apply(*values: Any) -> Any:
        arrays = [np.asarray(value, dtype=float) for value in values]
        shape = np.broadcast_shapes(*(array.shape for array in arrays))
        if not math.prod(shape):
            return np.empty(shape)
        flat = [
            per_world(
                array if array.size == 1 or array.shape == shape else np.broadcast_to(array, shape)
            )
            for array in arrays
        ]
        out = np.empty(shape)
        each(*flat, out.reshape(-1))
        return out if out.ndim else out[()]

    apply.stats = each.stats  # type: ignore[attr-defined]
    return apply


def _lazy[F: Callable[..., Any]](
    rule: F, build: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> F:
    """``rule``, compiled by ``build`` when first called (or by :func:`load_kernels`)."""
    compiled: Callable[..., Any] | None = None

    def load() -> Callable[..., Any]:
        nonlocal compiled
        if compiled is None:
            compiled = build(rule)
        return compiled

    @functools.wraps(rule)
    def run(*args: Any) -> Any:
        return (compiled or load())(*args)

    vars(run).pop(_HELPER, None)
    _LOADERS.append(load)
    return run  # type: ignore[return-value]


Elementwise = Callable[..., Any]
"""A rule applied to each element: it takes numbers or arrays, and gives a number or an array."""


def elementwise(signature: str) -> Callable[[Callable[..., float]], Elementwise]:
    """Apply the decorated rule of numbers to each element of arrays, compiled when first called.

    The result broadcasts its arguments as numpy does and is an array of their shape (a
    number for numbers); ``signature`` is ``float64`` of 1, 2, 3 or 5 ``float64``
    arguments. The rule keeps its name, docstring and source (``rule.__wrapped__`` is
    the Python function) and is marked a :func:`helper`: one rule for the kernels and
    for numpy code. Like a kernel, it raises no floating-point warnings (NaN and inf go
    on as in numpy).

    Raises:
        ValueError: For a signature of other types or another number of arguments.
    """
    _arity(signature)

    def make(rule: Callable[..., float]) -> Elementwise:
        if not getattr(rule, _HELPER, False):
            setattr(rule, _HELPER, "always")
        return _lazy(rule, lambda bound: _compile_elementwise(bound, signature))

    return make


def kernel[F: Callable[..., Any]](signature: str | list[str]) -> Callable[[F], F]:
    """Compile the decorated rule with numba for ``signature`` when it is first called.

    A list of signatures compiles the rule for each (numba picks the one of the
    arguments' types when it is called).

    The rule keeps its name, docstring and source; ``rule.__wrapped__`` is the Python
    function itself (for reading, not for running: it is slow).
    """
    return lambda rule: _lazy(rule, lambda bound: _compile(bound, signature))


_LOADERS: list[Callable[[], Callable[..., Any]]] = []
"""How to compile (or load from the cache) each kernel and elementwise rule defined so far."""


def load_kernels(on_compile: Callable[[bool], None] | None = None) -> int:
    """Compile, or load from numba's cache, every kernel and elementwise rule imported so far.

    Kernels are otherwise loaded when first called; a process pool's server calls this
    once so that the workers it forks share the compiled code instead of each loading
    its own (see :mod:`crisis_sim.ensemble.worker`). ``on_compile`` is called once, as
    soon as a kernel had to be compiled rather than read from the cache (the first run
    on a machine, or after the model's code changed: the rest then take seconds), with
    whether the compiled code is cached for later processes. Returns the number loaded.
    """
    for load in _LOADERS:
        loaded = load()
        stats = getattr(loaded, "stats", None)
        if on_compile is not None and stats is not None and sum(stats.cache_misses.values()):
            on_compile(stats.cache_path is not None)
            on_compile = None
    return len(_LOADERS)


@elementwise("float64(float64)")
def exp(value: float) -> float:
    """``e`` to the power ``value``, the C library's (elementwise; see the module docstring)."""
    return math.exp(value)


@elementwise("float64(float64, float64)")
def power(base: float, exponent: float) -> float:
    """``base`` to the power ``exponent``, the C library's ``pow`` (elementwise).

    An integer exponent counts as the float it is: numba's ``**`` with an integer
    would multiply instead, and numpy's ``**`` is its own per-CPU code.
    """
    return base**exponent


_TABLE_TYPES = ("float64", "int64", "boolean")
"""The types of the tables :func:`_gather` and :func:`_scatter` move (all the model's)."""


@kernel([f"void({kind}[:, ::1], int64[::1], {kind}[:, ::1])" for kind in _TABLE_TYPES])
def _gather(table: np.ndarray, rows: np.ndarray, taken: np.ndarray) -> None:
    """``taken[:, j] = table[:, rows[j]]`` of (k, R) ``table`` and (k, n) ``taken``."""
    for line in range(table.shape[0]):
        source, target = table[line], taken[line]
        for place in range(rows.shape[0]):
            target[place] = source[rows[place]]


@kernel([f"void({kind}[:, ::1], int64[::1], {kind}[:, ::1])" for kind in _TABLE_TYPES])
def _scatter(values: np.ndarray, rows: np.ndarray, table: np.ndarray) -> None:
    """``table[:, rows[j]] = values[:, j]`` of (k, n) ``values`` and (k, R) ``table``."""
    for line in range(table.shape[0]):
        source, target = values[line], table[line]
        for place in range(rows.shape[0]):
            target[rows[place]] = source[place]
