"""Ready-made tables the exercises show: a clinic's intake sheet screened, plans compared.

The exercises ask trainees to *read* these tables and type what they conclude; the code that
builds them lives here, where it is tested, instead of in the notebooks.

Teaching model, not clinical advice.

Examples
--------
>>> import datetime as dt
>>> from needling_sim import Patient
>>> table = plan_comparison([(3, 0.5, 42)], Patient(age=40, fitzpatrick=2, concerns=["wrinkles"]),
...                         start=dt.date(2026, 3, 2), area="cheek", policy="six_weeks")
>>> table[["sessions", "depth_mm", "interval_days", "passes"]].to_dict("records")
[{'sessions': 3, 'depth_mm': 0.5, 'interval_days': 42, 'passes': True}]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .outcome import simulate
from .patient import Patient
from .plan_checks import check_plan, plan_passes
from .plans import plan_course
from .screening import screen

__all__ = ["BOOKKEEPING_COLUMNS", "plan_comparison", "read_intake_sheet", "screening_table"]

#: Columns of an intake sheet that are the clinic's bookkeeping, not intake fields.
BOOKKEEPING_COLUMNS = ("patient_id", "screening_date")


def read_intake_sheet(path: str | Path) -> pd.DataFrame:
    """Read a clinic's intake sheet (CSV): ``concerns`` split on ``;``, ``screening_date`` as dates.

    Raises
    ------
    ValueError
        If a bookkeeping column is missing (the message names it).
    """
    sheet = pd.read_csv(path, dtype={"patient_id": str})
    missing = [column for column in BOOKKEEPING_COLUMNS if column not in sheet.columns]
    if missing:
        raise ValueError(f"intake sheet {path}: missing column(s) {missing}; it needs {list(BOOKKEEPING_COLUMNS)}")
    sheet["concerns"] = sheet["concerns"].apply(lambda text: text.split(";") if isinstance(text, str) else [])
    sheet["screening_date"] = pd.to_datetime(sheet["screening_date"]).dt.date
    return sheet


def screening_table(sheet: pd.DataFrame, policy: str) -> pd.DataFrame:
    """Every finding of every person on ``sheet``, screened on their own date under an isotretinoin ``policy``.

    One row per finding (a person with none gets one row, "(no findings)"), indexed by patient
    and screening date, with the rule, its severity, the date a wait ends and the claim ids.
    """
    rows = []
    for _, row in sheet.iterrows():
        patient = Patient.from_intake(row.drop(list(BOOKKEEPING_COLUMNS)))
        result = screen(patient, on=row["screening_date"], isotretinoin_policy=policy)
        for finding in result.findings or [None]:
            rows.append({
                "patient": row["patient_id"],
                "screened": row["screening_date"],
                "rule": finding.rule if finding else "(no findings)",
                "severity": finding.severity.value if finding else "",
                "until": finding.until if finding and finding.until else "",
                "sources": ", ".join(finding.sources) if finding else "",
            })
    return pd.DataFrame(rows).set_index(["patient", "screened"])


def plan_comparison(plans: Iterable[tuple[int, float, int]], patient: Patient, *, start: dt.date, area: str,
                    policy: str) -> pd.DataFrame:
    """One row per ``(sessions, depth_mm, interval_days)`` plan: the model's summary and the clinic's check.

    ``improvement_6m`` is read 6 months after the first session, ``improvement_6m_after_last``
    6 months after the last (when the course's review falls); ``worst finding`` is the most
    severe finding of the plan check under the spacing ``policy``.
    """
    rows = []
    for sessions, depth_mm, interval_days in plans:
        plan = plan_course(start, sessions, interval_days, depth_mm, area)
        summary = simulate(plan, patient).summary
        findings = check_plan(plan, patient, policy)
        worst = max(findings, key=lambda finding: finding.severity.rank)
        rows.append({
            "sessions": sessions,
            "depth_mm": depth_mm,
            "interval_days": interval_days,
            "improvement_6m": round(summary.improvement_6m, 4),
            "improvement_6m_after_last": round(summary.improvement_6m_after_last, 4),
            "risk": round(summary.risk, 4),
            "reinjured_sessions": summary.reinjured_sessions,
            "passes": plan_passes(findings),
            "worst finding": f"{worst.severity.value}: {worst.rule}",
        })
    return pd.DataFrame(rows)
