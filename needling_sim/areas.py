"""Treatment areas: how thick the dermis is there and how big the area is.

Each area carries its dermis thickness from the evidence ledger. Where a study
gives a range (Meng et al. 2022 measured women and men separately) the package
uses the **thinner figure**: a needle that is safe for thin skin is safe for
thick skin, not the other way round. The needle-depth limit used by
:func:`needling_sim.check_plan` is the epidermis plus that dermis
(``policy.depth_limit_assumed``): the needle tip may reach the bottom of the
dermis but not pass into the fat below. Recommendations stay shallower still:
within the dermis itself, rounded down to a cartridge step (:data:`DEPTH_STEP_MM`)
(``policy.depth_cap_assumed``).

Teaching model, not clinical advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from ._checks import check_choice
from .evidence import claim, require_claims
from .parameters import parameter

__all__ = ["AREAS", "Area", "AreaInfo", "area_info", "parse_area"]


class Area(StrEnum):
    """A treatment area. Members compare equal to their string values.

    Examples
    --------
    >>> Area("cheek") is Area.CHEEK
    True
    >>> [a.value for a in Area][:3]
    ['forehead', 'cheek', 'periorbital']
    """

    FOREHEAD = "forehead"
    CHEEK = "cheek"
    PERIORBITAL = "periorbital"
    PERIORAL = "perioral"
    NOSE = "nose"
    NECK = "neck"
    CHEST = "chest"
    BACK = "back"
    HANDS = "hands"


_EPIDERMIS_CLAIM = "epidermis.meng2022"
_SIZE_CLAIM = "area.relative_size_assumed"
_PROCEDURE_CLAIMS = require_claims("procedure.s0", "procedure.s4")
_NUMBING_CLAIM = "procedure.numbing"

#: Cartridge step used to round recommended depths down (row ``depth_step_mm`` of
#: ``parameters.csv``, claim ``policy.depth_cap_assumed``).
DEPTH_STEP_MM = parameter("depth_step_mm").value

_DERMIS_CLAIMS = {
    Area.FOREHEAD: "dermis.meng2022_forehead",
    Area.CHEEK: "dermis.meng2022_cheek",
    Area.PERIORBITAL: "dermis.meng2022_eyelid",
    Area.PERIORAL: "dermis.perioral_assumed",
    Area.NOSE: "dermis.nose_assumed",
    Area.NECK: "dermis.meng2022_neck",
    Area.CHEST: "dermis.chest_assumed",
    Area.BACK: "dermis.back_assumed",
    Area.HANDS: "dermis.hands_assumed",
}

_FACE = frozenset({Area.FOREHEAD, Area.CHEEK, Area.PERIORBITAL, Area.PERIORAL, Area.NOSE})


@dataclass(frozen=True)
class AreaInfo:
    """What the package knows about one area.

    Attributes
    ----------
    area : Area
    dermis_mm : float
        Typical dermis thickness: the thinner figure of the cited claim.
    dermis_range_mm : tuple of float
        (low, high) of the cited claim; equal when it gives one figure.
    epidermis_mm : float
        Epidermis above it (the thinner facial figure, ``epidermis.meng2022``;
        assumed for body sites too).
    relative_size : float
        0 to 1; scales the procedure time (row ``relative_size_<area>`` of
        ``parameters.csv``, claim ``area.relative_size_assumed``).
    face : bool
        True for facial sites.
    sources : tuple of str
        Claim ids behind the thickness and size.
    """

    area: Area
    dermis_mm: float
    dermis_range_mm: tuple[float, float]
    epidermis_mm: float
    relative_size: float
    face: bool
    sources: tuple[str, ...]

    @property
    def depth_limit_mm(self) -> float:
        """Deepest needle that keeps its tip inside the dermis: epidermis + dermis.

        Examples
        --------
        >>> round(area_info("cheek").depth_limit_mm, 2)
        1.04
        """
        return self.epidermis_mm + self.dermis_mm

    @property
    def recommended_max_depth_mm(self) -> float:
        """Deepest needle a recommendation uses here: the dermis rounded down to a :data:`DEPTH_STEP_MM` step.

        Examples
        --------
        >>> area_info("periorbital").recommended_max_depth_mm
        0.5
        """
        steps = math.floor(self.dermis_mm / DEPTH_STEP_MM + 1e-9)
        return max(steps, 1) * DEPTH_STEP_MM

    @property
    def procedure_minutes(self) -> float:
        """Needling time for this area, placed by size in the range both seeds give (``procedure.s0``, ``.s4``).

        Examples
        --------
        >>> area_info("back").procedure_minutes
        60.0
        """
        lo = max(claim(c).value_low for c in _PROCEDURE_CLAIMS)
        hi = min(claim(c).value_high for c in _PROCEDURE_CLAIMS)
        return lo + (hi - lo) * self.relative_size

    @property
    def numbing_minutes(self) -> tuple[float, float]:
        """Time the numbing cream adds before the procedure (``procedure.numbing``).

        Examples
        --------
        >>> area_info("cheek").numbing_minutes
        (45.0, 60.0)
        """
        c = claim(_NUMBING_CLAIM)
        return (c.value_low, c.value_high)


def _relative_size(area: Area) -> float:
    """The area's relative size, row ``relative_size_<area>`` of ``parameters.csv``."""
    return float(parameter(f"relative_size_{area.value}").value)


def _build() -> dict[Area, AreaInfo]:
    epidermis = claim(_EPIDERMIS_CLAIM).value_low
    out = {}
    for area in Area:
        cid = _DERMIS_CLAIMS[area]
        c = claim(cid)
        out[area] = AreaInfo(
            area=area,
            dermis_mm=c.value_low,
            dermis_range_mm=(c.value_low, c.value_high),
            epidermis_mm=epidermis,
            relative_size=_relative_size(area),
            face=area in _FACE,
            sources=require_claims(cid, _EPIDERMIS_CLAIM, _SIZE_CLAIM, "policy.depth_limit_assumed"),
        )
    return out


#: Every area's :class:`AreaInfo`, keyed by :class:`Area`.
AREAS: dict[Area, AreaInfo] = _build()


def parse_area(area: object, name: str = "area") -> Area:
    """Return ``area`` as an :class:`Area`, or raise naming the allowed values.

    Examples
    --------
    >>> parse_area("neck")
    <Area.NECK: 'neck'>
    >>> parse_area("knee")
    Traceback (most recent call last):
    ...
    ValueError: area='knee' is not a known area; allowed: forehead, cheek, periorbital, perioral, ...
    """
    return check_choice(name, area, Area, noun="area")


def area_info(area: str | Area) -> AreaInfo:
    """Look up an area's dermis thickness, depth limit and size.

    Parameters
    ----------
    area : str or Area
        One of :class:`Area`'s values.

    Returns
    -------
    AreaInfo

    Examples
    --------
    >>> info = area_info("periorbital")
    >>> info.dermis_mm, info.dermis_range_mm, info.sources[0]
    (0.58, (0.58, 0.67), 'dermis.meng2022_eyelid')
    >>> round(info.depth_limit_mm, 2)
    0.75
    """
    return AREAS[parse_area(area)]
