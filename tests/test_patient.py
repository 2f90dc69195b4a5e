"""Patient intake: strict validation, nothing guessed."""

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from needling_sim import Concern, Fitzpatrick, Patient


def test_keywords_build_an_immutable_patient():
    p = Patient(age=40, fitzpatrick=3, concerns=["wrinkles", "texture"], pregnant=False)
    assert p.fitzpatrick is Fitzpatrick.III
    assert p.concerns == (Concern.WRINKLES, Concern.TEXTURE)
    with pytest.raises(AttributeError):
        p.age = 41  # type: ignore[misc]


def test_defaults_are_false_and_none():
    p = Patient(age=18, fitzpatrick=1)
    assert not any(getattr(p, f) for f in ("pregnant", "breastfeeding", "keloid_history", "active_infection",
                                           "open_wounds", "herpes_simplex_history", "anticoagulants"))
    assert p.isotretinoin_last_dose is None and p.retinoid_last_use is None
    assert p.concerns == ()


def test_concerns_from_a_set_are_ordered_and_duplicates_dropped():
    assert Patient(age=30, fitzpatrick=2, concerns={"rosacea", "fine_lines"}).concerns == (
        Concern.FINE_LINES, Concern.ROSACEA)
    assert Patient(age=30, fitzpatrick=2, concerns=["texture", "texture"]).concerns == (Concern.TEXTURE,)


@pytest.mark.parametrize(
    ("intake", "error", "field"),
    [
        ({"age": "thirty", "fitzpatrick": 2}, TypeError, "age"),
        ({"age": 30.0, "fitzpatrick": 2}, TypeError, "age"),
        ({"age": True, "fitzpatrick": 2}, TypeError, "age"),
        ({"age": 17, "fitzpatrick": 2}, ValueError, "age"),
        ({"age": 111, "fitzpatrick": 2}, ValueError, "age"),
        ({"age": 30, "fitzpatrick": 0}, ValueError, "fitzpatrick"),
        ({"age": 30, "fitzpatrick": 7}, ValueError, "fitzpatrick"),
        ({"age": 30, "fitzpatrick": "IV"}, TypeError, "fitzpatrick"),
        ({"age": 30, "fitzpatrick": 2, "concerns": ["freckles"]}, ValueError, "concerns"),
        ({"age": 30, "fitzpatrick": 2, "concerns": "acne_scars"}, TypeError, "concerns"),
        ({"age": 30, "fitzpatrick": 2, "concerns": [3]}, TypeError, "concerns"),
        ({"age": 30, "fitzpatrick": 2, "pregnant": "yes"}, TypeError, "pregnant"),
        ({"age": 30, "fitzpatrick": 2, "anticoagulants": 1}, TypeError, "anticoagulants"),
        ({"age": 30, "fitzpatrick": 2, "smoker": True}, ValueError, "smoker"),
        ({"fitzpatrick": 2}, ValueError, "age"),
        ({"age": 30}, ValueError, "fitzpatrick"),
        ({"age": 30, "fitzpatrick": 2, "isotretinoin_last_dose": "last spring"}, ValueError,
         "isotretinoin_last_dose"),
        ({"age": 30, "fitzpatrick": 2, "isotretinoin_last_dose": "2026-13-01"}, ValueError,
         "isotretinoin_last_dose"),
        ({"age": 30, "fitzpatrick": 2, "radiation_last_date": 20260101}, TypeError, "radiation_last_date"),
        ({"age": 30, "fitzpatrick": 2, "sun_exposure_last": dt.datetime(2026, 1, 1, 12)}, TypeError,
         "sun_exposure_last"),
        ({"age": 30, "fitzpatrick": 2, "sun_exposure_last": pd.Timestamp("2026-01-01 10:00")}, ValueError,
         "sun_exposure_last"),
    ],
)
def test_bad_intake_names_the_field(intake, error, field):
    with pytest.raises(error, match=field):
        Patient.from_intake(intake)


def test_intake_accepts_iso_dates_blanks_and_spreadsheet_types():
    row = pd.Series({"age": np.int64(50), "fitzpatrick": np.int64(4), "pregnant": np.bool_(False),
                     "retinoid_last_use": pd.Timestamp("2026-02-03"), "radiation_last_date": math.nan,
                     "sun_exposure_last": pd.NaT, "isotretinoin_last_dose": ""})
    p = Patient.from_intake(row)
    assert p.age == 50 and isinstance(p.age, int)
    assert p.retinoid_last_use == dt.date(2026, 2, 3)
    assert p.radiation_last_date is None and p.sun_exposure_last is None and p.isotretinoin_last_dose is None
    assert Patient.from_intake({"age": 30, "fitzpatrick": 1, "sun_exposure_last": "2026-05-06"}).sun_exposure_last \
        == dt.date(2026, 5, 6)


def test_intake_rejects_non_mappings():
    with pytest.raises(TypeError, match="mapping"):
        Patient.from_intake([("age", 30)])


def test_to_intake_round_trips():
    p = Patient(age=61, fitzpatrick=6, concerns=["acne_scars"], herpes_simplex_history=True,
                isotretinoin_last_dose=dt.date(2025, 12, 1))
    assert Patient.from_intake(p.to_intake()) == p


def test_numpy_and_pandas_values_are_recognised_by_type_not_by_name():
    assert Patient(age=30, fitzpatrick=2, pregnant=np.bool_(True)).pregnant is True
    assert Patient.from_intake({"age": 30, "fitzpatrick": 2, "sun_exposure_last": pd.NaT}).sun_exposure_last is None

    class Timestamp:  # a look-alike: only pandas' own Timestamp is read as a date
        hour = minute = second = microsecond = nanosecond = 0

        def date(self):
            return dt.date(2026, 1, 1)

    with pytest.raises(TypeError, match="sun_exposure_last must be a datetime.date"):
        Patient.from_intake({"age": 30, "fitzpatrick": 2, "sun_exposure_last": Timestamp()})

    class bool_:  # noqa: N801 - a look-alike of numpy.bool_
        pass

    with pytest.raises(TypeError, match="pregnant must be True or False, got bool_"):
        Patient(age=30, fitzpatrick=2, pregnant=bool_())


def test_every_yes_no_and_date_field_has_one_label_in_form_order():
    from needling_sim.patient import BOOL_FIELDS, DATE_FIELDS, FIELD_LABELS

    assert tuple(FIELD_LABELS) == BOOL_FIELDS + DATE_FIELDS
    labels = list(FIELD_LABELS.values())
    assert len(set(labels)) == len(labels)
    assert all(label[:1].isupper() and not label.endswith(".") for label in labels)
