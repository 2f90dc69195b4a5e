"""Areas: dermis thickness from the ledger, the thinner figure, depth limits and sizes."""

import pytest

from needling_sim import Area, area_info
from needling_sim.areas import AREAS, DEPTH_STEP_MM, parse_area
from needling_sim.evidence import claim
from needling_sim.parameters import parameter


def test_every_area_has_info_citing_its_dermis_claim():
    assert set(AREAS) == set(Area)
    expected = {
        "periorbital": "dermis.meng2022_eyelid",
        "forehead": "dermis.meng2022_forehead",
        "cheek": "dermis.meng2022_cheek",
        "neck": "dermis.meng2022_neck",
        "nose": "dermis.nose_assumed",
        "perioral": "dermis.perioral_assumed",
        "chest": "dermis.chest_assumed",
        "back": "dermis.back_assumed",
        "hands": "dermis.hands_assumed",
    }
    for name, cid in expected.items():
        info = area_info(name)
        assert info.sources[0] == cid
        c = claim(cid)
        # The thinner (safer) figure is the typical thickness.
        assert info.dermis_mm == c.value_low
        assert info.dermis_range_mm == (c.value_low, c.value_high)


def test_periorbital_uses_the_womens_thinner_figure():
    assert area_info("periorbital").dermis_mm == 0.58


def test_depth_limit_is_epidermis_plus_dermis():
    cheek = area_info("cheek")
    assert cheek.depth_limit_mm == pytest.approx(0.17 + 0.87)
    assert cheek.depth_limit_mm >= 1.0  # 1 mm on the cheek is within the skin
    assert area_info("periorbital").depth_limit_mm < 1.0


@pytest.mark.parametrize(
    ("area", "cap"),
    [("periorbital", 0.5), ("cheek", 0.75), ("forehead", 0.75), ("nose", 1.0), ("back", 2.0), ("chest", 1.0)],
)
def test_recommended_cap_stays_within_the_dermis_in_cartridge_steps(area, cap):
    info = area_info(area)
    assert info.recommended_max_depth_mm == cap
    assert info.recommended_max_depth_mm <= info.dermis_mm
    assert info.recommended_max_depth_mm % DEPTH_STEP_MM == pytest.approx(0)


def test_procedure_minutes_scale_with_size_within_the_seed_range():
    minutes = {a: AREAS[a].procedure_minutes for a in Area}
    assert all(30 <= m <= 60 for m in minutes.values())
    assert minutes[Area.BACK] > minutes[Area.CHEEK] > minutes[Area.PERIORBITAL]
    assert AREAS[Area.CHEEK].numbing_minutes == (45.0, 60.0)


def test_face_flag():
    assert {a for a, i in AREAS.items() if i.face} == {"forehead", "cheek", "periorbital", "perioral", "nose"}


def test_area_parsing_rejects_unknown_and_wrong_types():
    assert parse_area(Area.NECK) is Area.NECK
    with pytest.raises(ValueError, match="area='knee'.*allowed: forehead"):
        area_info("knee")
    with pytest.raises(TypeError, match="area must be an area name"):
        area_info(3)


def test_sizes_and_the_depth_step_equal_the_table():
    for area, info in AREAS.items():
        row = parameter(f"relative_size_{area.value}")
        assert info.relative_size == row.value and row.claim_id == "area.relative_size_assumed"
        assert "area.relative_size_assumed" in info.sources
    step = parameter("depth_step_mm")
    assert DEPTH_STEP_MM == step.value == claim(step.claim_id).value_low == claim(step.claim_id).value_high


def test_the_size_claim_does_not_retype_the_sizes():
    statement = claim("area.relative_size_assumed").statement
    assert not any(str(parameter(f"relative_size_{a.value}").value) in statement for a in Area if a != Area.BACK)
