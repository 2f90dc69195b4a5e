"""The patient as the intake form records them, validated strictly.

Nothing is guessed: an unknown field, a wrong type or an impossible value raises
``ValueError`` or ``TypeError`` naming the field, the value and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import IntEnum, StrEnum

import pandas as pd

from ._checks import check_bool, check_choice, check_date, check_int

__all__ = ["AGE_RANGE_YEARS", "BOOL_FIELDS", "DATE_FIELDS", "FIELD_LABELS", "Concern", "Fitzpatrick", "Patient"]

#: Ages accepted at intake, in years. 18 because cosmetic needling of minors needs
#: a guardian's consent outside this course's scope; 110 as an upper plausibility
#: bound. A documented input range, not a clinical claim.
AGE_RANGE_YEARS = (18, 110)


class Fitzpatrick(IntEnum):
    """Fitzpatrick skin phototype, I (always burns) to VI (never burns)."""

    I = 1  # noqa: E741 - the standard Roman numeral
    II = 2
    III = 3
    IV = 4
    V = 5
    VI = 6


class Concern(StrEnum):
    """What the patient wants treated (the seeds' list of indications)."""

    FINE_LINES = "fine_lines"
    WRINKLES = "wrinkles"
    ACNE_SCARS = "acne_scars"
    SURGICAL_SCARS = "surgical_scars"
    STRETCH_MARKS = "stretch_marks"
    HYPERPIGMENTATION = "hyperpigmentation"
    ENLARGED_PORES = "enlarged_pores"
    TEXTURE = "texture"
    ROSACEA = "rosacea"


#: The yes/no intake fields, in the order forms show them.
BOOL_FIELDS = (
    "pregnant",
    "breastfeeding",
    "keloid_history",
    "active_infection",
    "open_wounds",
    "herpes_simplex_history",
    "anticoagulants",
    "metal_allergy",
)
#: The intake fields holding the date of a past event (a last dose, a sunburn).
DATE_FIELDS = (
    "isotretinoin_last_dose",
    "radiation_last_date",
    "sun_exposure_last",
    "retinoid_last_use",
)
#: Every yes/no and date field in words, in form order: a form's checkbox or date label,
#: and a case note's sentence (``"Has had cold sores."``). Forms and notes read this table.
FIELD_LABELS: dict[str, str] = {
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "keloid_history": "Keloids, raised scars or poor wound healing",
    "active_infection": "Active infection or inflammation at the site",
    "open_wounds": "Open cuts, wounds or abrasions at the site",
    "herpes_simplex_history": "Has had cold sores",
    "anticoagulants": "Takes blood thinners",
    "metal_allergy": "Allergic to a metal",
    "isotretinoin_last_dose": "Last isotretinoin dose",
    "radiation_last_date": "Last radiation treatment",
    "sun_exposure_last": "Last sunburn or tanning",
    "retinoid_last_use": "Last retinoid or AHA use",
}
if tuple(FIELD_LABELS) != BOOL_FIELDS + DATE_FIELDS:  # pragma: no cover - a programming error
    raise RuntimeError("FIELD_LABELS needs one label per BOOL_FIELDS and DATE_FIELDS entry, in that order")


@dataclass(frozen=True)
class Patient:
    """A candidate for skin needling, as recorded at intake.

    Parameters
    ----------
    age : int
        Age in whole years, 18 to 110 (``AGE_RANGE_YEARS``).
    fitzpatrick : int
        Fitzpatrick skin type, 1 to 6.
    concerns : sequence of str
        What they want treated; values of :class:`Concern`. Stored as a tuple.
    pregnant, breastfeeding : bool
        Currently pregnant / breastfeeding.
    keloid_history : bool
        Keloids, raised or compounded scars, or poor wound healing.
    active_infection : bool
        Active skin infection or inflammation at the site (a cold-sore outbreak too).
    open_wounds : bool
        Open cuts, wounds or abrasions at the site.
    herpes_simplex_history : bool
        Ever had cold sores (herpes simplex).
    anticoagulants : bool
        Takes blood thinners.
    metal_allergy : bool
        Known allergy to a metal (nickel, chromium, ...): needles are metal (Chu 2021).
    isotretinoin_last_dose, radiation_last_date, sun_exposure_last, retinoid_last_use : datetime.date or None
        Last isotretinoin dose; last radiation treatment; last sunburn or tanning;
        last use of retinoids or AHAs. None when never or not applicable.

    Examples
    --------
    >>> p = Patient(age=34, fitzpatrick=2, concerns=["acne_scars"])
    >>> p.concerns
    (<Concern.ACNE_SCARS: 'acne_scars'>,)
    >>> Patient(age="thirty", fitzpatrick=2)
    Traceback (most recent call last):
    ...
    TypeError: age must be a whole number, got str 'thirty'
    """

    age: int
    fitzpatrick: int
    concerns: tuple[Concern, ...] = ()
    pregnant: bool = False
    breastfeeding: bool = False
    keloid_history: bool = False
    active_infection: bool = False
    open_wounds: bool = False
    herpes_simplex_history: bool = False
    anticoagulants: bool = False
    metal_allergy: bool = False
    isotretinoin_last_dose: dt.date | None = None
    radiation_last_date: dt.date | None = None
    sun_exposure_last: dt.date | None = None
    retinoid_last_use: dt.date | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        age = check_int("age", self.age)
        lo, hi = AGE_RANGE_YEARS
        if not lo <= age <= hi:
            raise ValueError(f"age={age} is outside the accepted range {lo} to {hi} years")
        set_(self, "age", age)

        fitz = check_int("fitzpatrick", self.fitzpatrick)
        if not 1 <= fitz <= 6:
            raise ValueError(f"fitzpatrick={fitz} is not a skin type; allowed: 1 to 6")
        set_(self, "fitzpatrick", Fitzpatrick(fitz))

        concerns = self.concerns
        if isinstance(concerns, (str, bytes)) or not isinstance(concerns, (list, tuple, set, frozenset)):
            raise TypeError(f"concerns must be a list of concern names, got {type(concerns).__name__} {concerns!r}")
        parsed = []
        for i, c in enumerate(concerns):
            concern = check_choice(f"concerns[{i}]", c, Concern, noun="concern")
            if concern not in parsed:
                parsed.append(concern)
        # Keep a set's members in the enum's order so the value is deterministic.
        if isinstance(concerns, (set, frozenset)):
            parsed.sort(key=list(Concern).index)
        set_(self, "concerns", tuple(parsed))

        for name in BOOL_FIELDS:
            set_(self, name, check_bool(name, getattr(self, name)))
        for name in DATE_FIELDS:
            set_(self, name, check_date(name, getattr(self, name), optional=True))

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Names of every intake field, in form order.

        Examples
        --------
        >>> Patient.field_names()[:3]
        ('age', 'fitzpatrick', 'concerns')
        """
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_intake(cls, intake: Mapping) -> Patient:
        """Build a patient from an intake mapping (a form, a dict, a DataFrame row).

        Missing optional fields take their defaults. Dates may be ``datetime.date``
        objects or ISO strings ``"YYYY-MM-DD"``; an empty date (None, empty string,
        NaN or NaT from a spreadsheet) means "never". Nothing else is converted.

        Parameters
        ----------
        intake : Mapping
            Keys are :meth:`field_names`; ``age`` and ``fitzpatrick`` are required.

        Raises
        ------
        ValueError
            Unknown key, missing required key, impossible value, bad date string.
        TypeError
            Not a mapping, or a value of the wrong type (``"yes"`` for a bool).

        Examples
        --------
        >>> p = Patient.from_intake({"age": 40, "fitzpatrick": 5, "concerns": ["wrinkles"],
        ...                          "retinoid_last_use": "2026-03-01"})
        >>> p.retinoid_last_use
        datetime.date(2026, 3, 1)
        >>> Patient.from_intake({"age": 40, "fitzpatrick": 5, "smoker": True})
        Traceback (most recent call last):
        ...
        ValueError: unknown intake field 'smoker'; allowed: age, fitzpatrick, concerns, pregnant,
        breastfeeding, keloid_history, active_infection, open_wounds, herpes_simplex_history, anticoagulants,
        metal_allergy, isotretinoin_last_dose, radiation_last_date, sun_exposure_last, retinoid_last_use
        """
        if not isinstance(intake, Mapping):
            # pandas Series is not a Mapping but has .to_dict(); accept it explicitly.
            to_dict = getattr(intake, "to_dict", None)
            if to_dict is None:
                raise TypeError(f"intake must be a mapping of field names to values, got {type(intake).__name__}")
            intake = to_dict()
        allowed = cls.field_names()
        values = {}
        for key, value in intake.items():
            if key not in allowed:
                raise ValueError(f"unknown intake field {key!r}; allowed: {', '.join(allowed)}")
            if key in DATE_FIELDS:
                value = _parse_intake_date(key, value)
            values[key] = value
        for required in ("age", "fitzpatrick"):
            if required not in values:
                raise ValueError(f"intake is missing the required field {required!r}")
        return cls(**values)

    def to_intake(self) -> dict:
        """Return the patient as a plain intake dict (dates as ``datetime.date``).

        Examples
        --------
        >>> Patient(age=30, fitzpatrick=3).to_intake()["fitzpatrick"]
        3
        """
        out = {}
        for name in self.field_names():
            value = getattr(self, name)
            if name == "fitzpatrick":
                value = int(value)
            elif name == "concerns":
                value = [c.value for c in value]
            out[name] = value
        return out


def _parse_intake_date(name: str, value: object) -> dt.date | None:
    if value is None or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):  # a date column read from a sheet
        if value.hour or value.minute or value.second or value.microsecond or value.nanosecond:
            raise ValueError(f"{name}={value!r} carries a time of day; give a date")
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date(name, value)
        except ValueError:
            _bad_date(name, value)
    return value  # type checked by Patient


def _bad_date(name: str, value: str):
    raise ValueError(f"{name}={value!r} is not a date; use the ISO form YYYY-MM-DD")
