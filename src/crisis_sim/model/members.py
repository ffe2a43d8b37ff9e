"""NATO's 30 allies of January 2022, from the data table shipped with the package.

The table (``data/nato_members_2022.csv``) gives each ally's Bucharest Nine
membership, land border with Russia, Belarus or Ukraine, defence spending, exposure
to Russian gas, population and GDP, each row with its sources and a flag on every
value that is an estimate; ``data/SOURCES.md`` documents it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

_TABLE = "nato_members_2022.csv"


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One ally's row of the table."""

    iso3: str
    name: str
    bucharest_nine: bool
    border: bool
    defence_spending: float
    """Defence spending in 2021, % of GDP (NATO estimate)."""
    gas_share: float
    """Share of the ally's gas supply from Russia, 0-1."""
    population_millions: float
    gdp_usd_bn: float
    estimates: tuple[str, ...]
    """Columns of this row whose value is an estimate."""
    sources: tuple[str, ...]

    @property
    def frontline(self) -> bool:
        """A Bucharest Nine member or a state bordering Russia, Belarus or Ukraine."""
        return self.bucharest_nine or self.border


def _flag(text: str, column: str, iso3: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(f"{_TABLE}: {iso3}.{column} must be true or false, got {text!r}")
    return text == "true"


@cache
def load_members() -> tuple[MemberRecord, ...]:
    """Read the allies' table shipped with the package, in ``iso3`` order."""
    text = resources.files("crisis_sim.model.data").joinpath(_TABLE).read_text(encoding="utf-8")
    records = []
    for row in csv.DictReader(text.splitlines()):
        iso3 = row["iso3"]
        records.append(
            MemberRecord(
                iso3=iso3,
                name=row["name"],
                bucharest_nine=_flag(row["bucharest_nine"], "bucharest_nine", iso3),
                border=_flag(
                    row["border_russia_belarus_ukraine"], "border_russia_belarus_ukraine", iso3
                ),
                defence_spending=float(row["defence_spending_pct_gdp_2021"]),
                gas_share=float(row["russian_gas_share"]),
                population_millions=float(row["population_millions_2021"]),
                gdp_usd_bn=float(row["gdp_usd_bn_2021"]),
                estimates=tuple(f for f in row["estimate_flags"].split(";") if f),
                sources=tuple(s for s in row["sources"].split(";") if s),
            )
        )
    return tuple(records)


@dataclass(frozen=True, slots=True)
class MemberArrays:
    """The members' traits as column vectors of shape (members, 1), for the vectorised rules."""

    bucharest_nine: np.ndarray
    border: np.ndarray
    frontline: np.ndarray
    defence_spending: np.ndarray
    gas_share: np.ndarray
    gdp_weight: np.ndarray
    """Share of the Alliance's GDP (sums to 1)."""


def member_arrays(records: tuple[MemberRecord, ...]) -> MemberArrays:
    """Stack the records' traits into column vectors."""

    def column(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[:, None]

    gdp = column([r.gdp_usd_bn for r in records])
    return MemberArrays(
        bucharest_nine=column([r.bucharest_nine for r in records]),
        border=column([r.border for r in records]),
        frontline=column([r.frontline for r in records]),
        defence_spending=column([r.defence_spending for r in records]),
        gas_share=column([r.gas_share for r in records]),
        gdp_weight=gdp / gdp.sum(),
    )
