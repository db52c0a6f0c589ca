"""The synthetic service layer sits on the real code list: 38 kab/kota, 666 kecamatan, 8,494
desa/kelurahan, posyandu in every desa, one or two puskesmas per kecamatan."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from demo.reference import build_kabkota, hierarchy_frame, intervention_kabkota, targets
from tests.demo import demo_files as D


@pytest.fixture(scope="module")
def full_scale() -> pd.DataFrame:
    return hierarchy_frame(build_kabkota(seed=1, scale=1.0, min_balita=0))


def test_full_scale_posyandu_count_and_codes(full_scale):
    w = D.wilayah()
    assert 44_000 <= len(full_scale) <= 48_000  # about 46,000 at scale 1
    desa = w[w.tingkat == "desa_kelurahan"]
    assert set(full_scale.kode_desa) == set(desa.kode)  # a posyandu in every desa
    parent = dict(zip(w.kode, w.kode_induk))
    assert (full_scale.kode_desa.map(parent) == full_scale.kode_kecamatan).all()
    assert (full_scale.kode_kecamatan.map(parent) == full_scale.kode_kabkota).all()
    assert full_scale.kode_kabkota.nunique() == 38 and full_scale.kode_kecamatan.nunique() == 666
    # populous desa have more posyandu
    per_desa = full_scale.groupby("kode_desa").size()
    assert per_desa.max() >= 10 and per_desa.min() == 1
    # names are unique within a desa and look like real ones
    assert not full_scale.duplicated(["kode_desa", "posyandu"]).any()
    assert full_scale.posyandu.str.fullmatch(r"[A-Z][a-z]+( [A-Z][a-z]+)?( (\d+|[IVX]+))?").all()


def test_puskesmas_one_or_two_per_kecamatan(full_scale):
    per_kec = full_scale.groupby("kode_kecamatan").puskesmas.nunique()
    assert per_kec.between(1, 2).all()
    assert 900 <= per_kec.sum() <= 973
    assert full_scale.puskesmas.str.startswith("Puskesmas ").all()


def test_small_scale_keeps_a_posyandu_per_desa_and_the_same_names(full_scale, small_demo):
    small = pd.read_csv(small_demo[0] / "hierarchy.csv", dtype=str)
    assert set(small.kode_desa) == set(full_scale.kode_desa)
    assert len(small) < len(full_scale)


def test_intervention_list_is_the_19_above_average_plus_bondowoso():
    kabs = build_kabkota(seed=1, scale=0.001, min_balita=0)
    codes = {k.kode for k in intervention_kabkota(kabs)}
    above = {k.kode for k in kabs if k.ssgi_2024 > 14.7}
    assert len(above) == 19 and codes == above | {"35.11"}


def test_targets_follow_the_survey_direction_and_band():
    kabs = build_kabkota(seed=1, scale=0.001, min_balita=0)
    for seed in (1, 2, 3):
        tg = targets(kabs, seed)
        for k in kabs:
            t = tg[k.kode]
            for p in (t.p2024, t.p2025):
                assert k.ssgi_2024 / 6 - 1e-9 <= p <= k.ssgi_2024 / 2 + 1e-9
            fell = k.ssgi_2024 < k.ssgi_2022
            assert (t.p2025 < t.p2024) == fell


def test_every_wilayah_name_in_clean_rows_resolves_to_its_posyandu_codes(clean_rows, small_demo):
    hier = pd.read_csv(small_demo[0] / "hierarchy.csv", dtype=str)
    names = clean_rows[["Kab/Kota", "Kec", "Desa/Kel", "Posyandu"]].drop_duplicates()
    codes = [D.resolve(a, b, c) for a, b, c in zip(names["Kab/Kota"], names.Kec, names["Desa/Kel"])]
    assert all(c[2] is not None for c in codes)
    pos = {(d, re.sub(r"^POSYANDU\s+", "", p.upper()).replace("  ", " ")) for d, p in
           zip(hier.kode_desa, hier.posyandu)}
    found = {(c[2], re.sub(r"^POSYANDU\s+", "", p.strip().upper())) for c, p in zip(codes, names.Posyandu)}
    assert found <= pos
