"""Virtual patients for the capstone: one deterministic case per trainee.

:func:`virtual_case` turns a trainee's id into a case: a :class:`~needling_sim.Patient`,
the date they were screened, what they want treated and where. The id is hashed
(SHA-256) into the seed of a ``numpy.random.Generator``, so the same id always gives
the same case, on any machine, and different ids give different cases.

Every case is built to exercise the whole course: the patient can be treated in the
end (no keloid history, pregnancy, breastfeeding, infection or open wounds), but
**two** waiting periods with different end dates block treatment on the screening
day (two of: isotretinoin, recent sun, recent retinoids, radiation), and cautions
(skin type, cold sores, blood thinners) come and go.

The capstone builds the case from :func:`needling_sim.grading.student_id`: in a
trainee's kernel their login, in the trusted grader the gradebook's student id (never
the notebook's folder or anything in the trainee's kernel), so answers copied from
someone else's case do not pass. Logins may hold letters of any alphabet (``José``,
``Øyvind``); an id is Unicode-normalised (NFC) first, so the same login typed or stored
in either Unicode form gives the same case.

Teaching model, not clinical advice: the cases are invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from .areas import Area
from .evidence import require_claims
from .parameters import parameter
from .patient import BOOL_FIELDS, DATE_FIELDS, FIELD_LABELS, Concern, Patient
from .waiting import WAITING_WINDOWS

__all__ = [
    "CASE_AGE_RANGE_YEARS",
    "CASE_FIRST_DATE",
    "CASE_PAIRS",
    "VirtualCase",
    "case_seed",
    "check_student_id",
    "virtual_case",
    "virtual_patient",
]

#: Bumping the version changes every case; keep it fixed for a running class.
_CASE_VERSION = "needling-sim-virtual-case-v1"
_STUDENT_ID = re.compile(r"[^\W_][\w.@+-]{0,63}")



def _ordered_pair(low_name: str, high_name: str) -> tuple[int, int]:
    """Two parameters read as an inclusive ``(low, high)`` range; raise if they are out of order."""
    low, high = parameter(low_name).value, parameter(high_name).value
    if low > high:
        raise ValueError(f"parameters.csv: {low_name}={low} is above {high_name}={high}; allowed: low <= high")
    return low, high


#: Adult ages used for cases, inclusive (parameters ``case_age_min_years``,
#: ``case_age_max_years``; inside the intake range ``patient.AGE_RANGE_YEARS``).
CASE_AGE_RANGE_YEARS: tuple[int, int] = _ordered_pair("case_age_min_years", "case_age_max_years")

#: Screening dates fall on one of the ``case_screening_span_days`` days from this date.
CASE_FIRST_DATE = dt.date(2026, 1, 5)
_CASE_SPAN_DAYS: int = parameter("case_screening_span_days").value
_COLD_SORE_P: float = parameter("case_cold_sore_probability").value
_ANTICOAGULANT_P: float = parameter("case_anticoagulant_probability").value

#: What a case asks for, and where: concerns needing collagen induction (1 mm or more
#: by default), on areas the seeds list (face, chest, hands; claims areas.s2, areas.s3).
CASE_PAIRS: tuple[tuple[Concern, Area], ...] = (
    (Concern.ACNE_SCARS, Area.CHEEK),
    (Concern.ACNE_SCARS, Area.FOREHEAD),
    (Concern.SURGICAL_SCARS, Area.CHEEK),
    (Concern.SURGICAL_SCARS, Area.CHEST),
    (Concern.STRETCH_MARKS, Area.CHEST),
    (Concern.WRINKLES, Area.FOREHEAD),
    (Concern.WRINKLES, Area.PERIORAL),
    (Concern.WRINKLES, Area.HANDS),
)
_AREA_SOURCES = require_claims("areas.s2", "areas.s3")

# Waiting periods that block the screening day: screening's own windows (WAITING_WINDOWS,
# lengths from the ledger); each case draws how long ago the event was, in days, so that
# the wait has not yet ended on the screening day.
_WINDOWS = {w.field: w for w in WAITING_WINDOWS}
#: Days before the screening day an event may fall, per date field (inclusive bounds):
#: parameters ``case_<event>_ago_min_days``/``_max_days`` for the long waits, and inside
#: the window itself for the short ones.
_DAYS_AGO = {
    "isotretinoin_last_dose": _ordered_pair("case_isotretinoin_ago_min_days", "case_isotretinoin_ago_max_days"),
    "radiation_last_date": _ordered_pair("case_radiation_ago_min_days", "case_radiation_ago_max_days"),
    "sun_exposure_last": (0, _WINDOWS["sun_exposure_last"].length - 2),
    "retinoid_last_use": (0, _WINDOWS["retinoid_last_use"].length - 1),
}
_WINDOW_FIELDS = tuple(_WINDOWS)


def check_student_id(student_id: object) -> str:
    """Return ``student_id``, Unicode-normalised (NFC), if it is a usable trainee id; else raise.

    An id is 1 to 64 characters: letters (of any alphabet), digits and ``. _ @ + -``,
    starting with a letter or digit (course logins and JupyterHub user names fit).
    Nothing is stripped or lower-cased: ``"Ana"`` and ``"ana"`` are different trainees.

    Examples
    --------
    >>> check_student_id("ana.silva")
    'ana.silva'
    >>> check_student_id("Jose\u0301") == check_student_id("Jos\u00e9") == "Jos\u00e9"
    True
    >>> check_student_id(" ana")
    Traceback (most recent call last):
    ...
    ValueError: student_id=' ana' is not a trainee id; allowed: 1 to 64 letters, digits or ...
    """
    if not isinstance(student_id, str):
        raise TypeError(f"student_id must be a str, got {type(student_id).__name__} {student_id!r}")
    normal = unicodedata.normalize("NFC", student_id)
    if not _STUDENT_ID.fullmatch(normal):
        raise ValueError(
            f"student_id={student_id!r} is not a trainee id; allowed: 1 to 64 letters, digits or "
            ". _ @ + -, starting with a letter or digit (ask your instructor if your login is refused)"
        )
    return normal


def case_seed(student_id: str) -> int:
    """The 64-bit seed of a trainee's case: SHA-256 of a version tag and the id.

    Examples
    --------
    >>> case_seed("ana") == case_seed("ana"), case_seed("ana") == case_seed("Ana")
    (True, False)
    >>> 0 <= case_seed("ana") < 2**64
    True
    """
    student_id = check_student_id(student_id)
    digest = hashlib.sha256(f"{_CASE_VERSION}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class VirtualCase:
    """A trainee's virtual patient.

    Attributes
    ----------
    student_id : str
        The trainee the case belongs to.
    case_id : str
        Eight hex digits naming the case (from the seed), for the trainee to quote.
    patient : Patient
    screening_date : datetime.date
        The day of the first consultation; the intake's dates are all before it.
    concern : Concern
        What they want treated (also the first of ``patient.concerns``).
    area : Area
        Where.
    """

    student_id: str
    case_id: str
    patient: Patient
    screening_date: dt.date
    concern: Concern
    area: Area

    def describe(self) -> str:
        """The case in a few sentences, as a referral note.

        Examples
        --------
        >>> print(virtual_case("ana").describe())  # doctest: +ELLIPSIS
        Case ... for trainee 'ana': a ...-year-old with Fitzpatrick type ... skin wants ... on the ... area. ...
        """
        p = self.patient
        lines = [
            f"Case {self.case_id} for trainee {self.student_id!r}: a {p.age}-year-old with Fitzpatrick "
            f"type {p.fitzpatrick.name} skin wants {self.concern.value.replace('_', ' ')} treated on the "
            f"{self.area.value} area. Seen on {self.screening_date.isoformat()}."
        ]
        for field in DATE_FIELDS:
            value = getattr(p, field)
            if value is not None:
                lines.append(f"{FIELD_LABELS[field]}: {value.isoformat()}.")
        lines += [f"{FIELD_LABELS[field]}." for field in BOOL_FIELDS if getattr(p, field)]
        return " ".join(lines)


def virtual_case(student_id: str) -> VirtualCase:
    """Build the trainee's case; the same id always gives the same case.

    Parameters
    ----------
    student_id : str
        The trainee's course id (see :func:`check_student_id`).

    Returns
    -------
    VirtualCase

    Examples
    --------
    >>> case = virtual_case("ana")
    >>> case == virtual_case("ana"), case == virtual_case("bea")
    (True, False)
    >>> from needling_sim import screen
    >>> result = screen(case.patient, case.screening_date)
    >>> result.verdict.value, len([f for f in result.findings if f.severity == "defer"])
    ('defer', 2)
    """
    student_id = check_student_id(student_id)
    seed = case_seed(student_id)
    rng = np.random.default_rng(seed)
    age = int(rng.integers(CASE_AGE_RANGE_YEARS[0], CASE_AGE_RANGE_YEARS[1] + 1))
    fitzpatrick = int(rng.integers(1, 7))
    concern, area = CASE_PAIRS[int(rng.integers(len(CASE_PAIRS)))]
    screening = CASE_FIRST_DATE + dt.timedelta(days=int(rng.integers(_CASE_SPAN_DAYS)))
    herpes = bool(rng.random() < _COLD_SORE_P)
    anticoagulants = bool(rng.random() < _ANTICOAGULANT_P)
    while True:
        picked = rng.choice(len(_WINDOW_FIELDS), size=2, replace=False)
        first, second = (_WINDOW_FIELDS[int(i)] for i in picked)
        events = {}
        for field in (first, second):
            low, high = _DAYS_AGO[field]
            events[field] = screening - dt.timedelta(days=int(rng.integers(low, high + 1)))
        ends = [_WINDOWS[f].end(d) for f, d in events.items()]
        if ends[0] != ends[1]:
            break
    patient = Patient(
        age=age,
        fitzpatrick=fitzpatrick,
        concerns=(concern,),
        herpes_simplex_history=herpes,
        anticoagulants=anticoagulants,
        **events,
    )
    return VirtualCase(student_id, f"{seed >> 32:08x}", patient, screening, concern, area)


def virtual_patient(student_id: str) -> Patient:
    """The patient of :func:`virtual_case` alone.

    Examples
    --------
    >>> virtual_patient("ana") == virtual_case("ana").patient
    True
    """
    return virtual_case(student_id).patient
