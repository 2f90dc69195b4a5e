"""The teaching model's parameters, read from ``data/parameters.csv``.

Every field of :class:`ModelParams` is one row of the parameter table
(:func:`needling_sim.parameters.parameter`), named like the field: its default
``value``, its ``unit``, the ``low`` and ``high`` bounds a caller may set it to, and
the ``claim_id`` of the ledger claim it comes from. The class retypes none of these:
defaults, bounds and sources are all read from the table, so changing a row changes
the model, its checks and its citations at once. Teaching model, not clinical advice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from ._checks import check_less, check_parameter
from .evidence import require_claims
from .parameters import parameter

__all__ = ["MULTIPLIERS", "PARAM_SOURCES", "ModelParams", "default_params", "median_multipliers"]


def _default(name: str) -> float:
    """The table's value for ``name``, as the float a field holds."""
    return float(parameter(name).value)


@dataclass(frozen=True)
class ModelParams:
    """Parameters of the teaching model: defaults, bounds and claims from ``parameters.csv``.

    Rates are per day. Use ``dataclasses.replace(ModelParams(), ...)`` to explore; a
    value outside the table's bounds raises, naming the field, the value and the
    bounds. :attr:`SOURCES` maps each field to the claim id its table row cites.

    Examples
    --------
    >>> from needling_sim.parameters import parameter
    >>> p = ModelParams()
    >>> p.inflammation_half_life_days == parameter("inflammation_half_life_days").value
    True
    >>> ModelParams.SOURCES["growth_factor_half_life_days"]
    'model.growth_factor_half_life'
    >>> ModelParams(fibroblast_clearance_per_day=-1)
    Traceback (most recent call last):
    ...
    ValueError: fibroblast_clearance_per_day=-1.0 per day is not allowed; allowed: ... at least 0 per day ...
    """

    injury_gain: float = _default("injury_gain")
    inflammation_half_life_days: float = _default("inflammation_half_life_days")
    growth_factor_half_life_days: float = _default("growth_factor_half_life_days")
    redness_threshold: float = _default("redness_threshold")
    fibroblast_gain_per_day: float = _default("fibroblast_gain_per_day")
    fibroblast_clearance_per_day: float = _default("fibroblast_clearance_per_day")
    collagen_synthesis_per_day: float = _default("collagen_synthesis_per_day")
    collagen_capacity: float = _default("collagen_capacity")
    maturation_days: float = _default("maturation_days")
    collagen_half_life_days: float = _default("collagen_half_life_days")
    type_iii_weight: float = _default("type_iii_weight")
    fragile_full_days: float = _default("fragile_full_days")
    fragile_end_days: float = _default("fragile_end_days")
    reinjury_inflammation_boost: float = _default("reinjury_inflammation_boost")
    reinjury_collagen_damage: float = _default("reinjury_collagen_damage")
    reinjury_fibroblast_loss: float = _default("reinjury_fibroblast_loss")
    risk_per_inflammation: float = _default("risk_per_inflammation")
    risk_per_reinjury: float = _default("risk_per_reinjury")
    risk_per_depth_excess: float = _default("risk_per_depth_excess")
    risk_multiplier_dark_skin: float = _default("risk_multiplier_dark_skin")
    risk_multiplier_keloid: float = _default("risk_multiplier_keloid")
    age_reference_years: float = _default("age_reference_years")
    age_halving_years: float = _default("age_halving_years")
    sigma_injury_gain: float = _default("sigma_injury_gain")
    sigma_inflammation_decay: float = _default("sigma_inflammation_decay")
    sigma_fibroblast_gain: float = _default("sigma_fibroblast_gain")
    sigma_fibroblast_clearance: float = _default("sigma_fibroblast_clearance")
    sigma_collagen_synthesis: float = _default("sigma_collagen_synthesis")

    #: Field name -> claim id, read from the table's ``claim_id`` column (set below the class).
    SOURCES: ClassVar[dict[str, str]]

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, check_parameter(f.name, getattr(self, f.name)))
        check_less("fragile_full_days", self.fragile_full_days, "fragile_end_days", self.fragile_end_days)


ModelParams.SOURCES = {f.name: parameter(f.name).claim_id for f in fields(ModelParams)}

#: Each model parameter and the claim id behind it (the table's ``claim_id`` column).
PARAM_SOURCES: dict[str, str] = dict(ModelParams.SOURCES)
require_claims(*PARAM_SOURCES.values())

_DEFAULT = ModelParams()


def default_params() -> ModelParams:
    """The default parameters: every field at its table value (one shared frozen instance).

    Examples
    --------
    >>> default_params() == ModelParams()
    True
    """
    return _DEFAULT


#: The rates a cohort varies, each by a lognormal multiplier ``exp(sigma * z)``, in the
#: order :func:`needling_sim.cohort.simulate_cohort` draws them, with the field holding the sigma.
MULTIPLIERS: dict[str, str] = {
    "injury_gain": "sigma_injury_gain",
    "inflammation_decay": "sigma_inflammation_decay",
    "fibroblast_gain": "sigma_fibroblast_gain",
    "fibroblast_clearance": "sigma_fibroblast_clearance",
    "collagen_synthesis": "sigma_collagen_synthesis",
}


def median_multipliers() -> dict[str, float]:
    """The cohort's random multipliers for the median patient: all exactly 1.

    :func:`~needling_sim.cohort.simulate_cohort` draws each multiplier as
    ``exp(sigma * z)`` with ``z`` standard normal, so the median patient (``z = 0``)
    is the reference patient of :func:`~needling_sim.outcome.simulate`;
    ``simulate_cohort(..., median_patient=True)`` uses these.

    Examples
    --------
    >>> median_multipliers()["collagen_synthesis"]
    1.0
    >>> list(median_multipliers()) == list(MULTIPLIERS)
    True
    """
    return dict.fromkeys(MULTIPLIERS, 1.0)
