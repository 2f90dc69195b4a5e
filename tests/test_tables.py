"""The exercises' ready-made tables: built from the model, one row per finding or plan."""

import datetime as dt
from pathlib import Path

import pytest

from needling_sim import Patient, check_plan, plan_course, plan_passes, screen, simulate
from needling_sim.tables import plan_comparison, read_intake_sheet, screening_table

INTAKE = Path(__file__).resolve().parents[1] / "solutions" / "01_screening" / "intake.csv"


@pytest.fixture(scope="module")
def sheet():
    return read_intake_sheet(INTAKE)


def test_the_sheet_reads_concerns_as_lists_and_dates_as_dates(sheet):
    assert all(isinstance(c, list) for c in sheet["concerns"])
    assert all(type(d) is dt.date for d in sheet["screening_date"])


def test_a_sheet_without_its_bookkeeping_columns_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("age,fitzpatrick,concerns\n30,2,wrinkles\n")
    with pytest.raises(ValueError, match=r"missing column\(s\) \['patient_id', 'screening_date'\]"):
        read_intake_sheet(bad)


def test_screening_table_matches_screen_row_by_row(sheet):
    table = screening_table(sheet, "drug_label").reset_index()
    for _, row in sheet.iterrows():
        patient = Patient.from_intake(row.drop(["patient_id", "screening_date"]))
        result = screen(patient, on=row["screening_date"], isotretinoin_policy="drug_label")
        mine = (table["patient"] == row["patient_id"]) & (table["screened"] == row["screening_date"])
        rules = list(table.loc[mine, "rule"])
        assert rules == ([f.rule for f in result.findings] or ["(no findings)"])


def test_plan_comparison_agrees_with_the_model():
    patient = Patient(age=46, fitzpatrick=3, concerns=["acne_scars"])
    start = dt.date(2026, 3, 2)
    table = plan_comparison([(3, 0.75, 14), (3, 0.75, 42)], patient, start=start, area="cheek", policy="six_weeks")
    for row in table.to_dict("records"):
        plan = plan_course(start, row["sessions"], row["interval_days"], row["depth_mm"], "cheek")
        summary = simulate(plan, patient).summary
        assert row["improvement_6m"] == round(summary.improvement_6m, 4)
        assert row["improvement_6m_after_last"] == round(summary.improvement_6m_after_last, 4)
        assert row["passes"] == plan_passes(check_plan(plan, patient, "six_weeks"))
    assert list(table["passes"]) == [False, True]
