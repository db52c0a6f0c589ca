"""PKK recaps, SPM service records and intervention reports: complete, consistent with each other
and with the cohort, and correlated where they should be."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from scipy.stats import spearmanr

from demo.pkk import BULAN
from demo.pkk import MEASURES as PKK_MEASURES
from pipelines.config import REFERENCE_DIR
from tests.demo import demo_files as D


def _read(small_demo, manifest, lines, source) -> pd.DataFrame:
    """Clean rows (not listed in the manifest) of one source, with codes resolved."""
    out = small_demo[0]
    parts = []
    for e in manifest["files"]:
        if e["source"] == source:
            df = D.read_table(out, e)
            df.insert(0, "file", e["path"])
            parts.append(df)
    df = D.as_text(pd.concat(parts, ignore_index=True))
    bad = set(zip(lines.file, lines.physical_row))
    df = df[[(f, r) not in bad for f, r in zip(df.file, df.physical_row)]].copy()
    triples = {t: D.resolve(*t) for t in set(zip(df["Kab/Kota"], df.get("Kec", [None] * len(df)),
                                                 df.get("Desa/Kel", [None] * len(df))))}
    keys = list(zip(df["Kab/Kota"], df.get("Kec", [None] * len(df)), df.get("Desa/Kel", [None] * len(df))))
    df["kode_kabkota"] = [triples[k][0] for k in keys]
    df["kode_kecamatan"] = [triples[k][1] for k in keys]
    df["kode_desa"] = [triples[k][2] for k in keys]
    return df


def _bulan(s: str) -> str:
    s = s.strip()
    if "/" in s:
        m, y = s.split("/")
        return f"{y}-{int(m):02d}"
    if " " in s:
        name, y = s.split()
        return f"{y}-{BULAN.index(name) + 1:02d}"
    return s


@pytest.fixture(scope="module")
def pkk(small_demo, manifest, lines) -> pd.DataFrame:
    return _read(small_demo, manifest, lines, "pkk")


@pytest.fixture(scope="module")
def spm(small_demo, manifest, lines) -> pd.DataFrame:
    return _read(small_demo, manifest, lines, "spm")


@pytest.fixture(scope="module")
def iv(small_demo, manifest, lines) -> pd.DataFrame:
    df = _read(small_demo, manifest, lines, "intervensi")
    df["tanggal"] = df.Tanggal.map(D.parse_date)
    return df


def test_pkk_has_every_desa_every_month_and_sane_counts(pkk, lines):
    w = D.wilayah()
    pkk["bulan"] = pkk.Bulan.map(_bulan)
    assert pkk.kode_desa.notna().all()
    per_month = pkk.groupby("bulan").kode_desa.nunique()
    # the rows the manifest lists (other than repeated ones) are the missing desa of their month
    rejected = lines[(lines.source == "pkk") & (lines.expected != "duplicate")]
    lost = rejected.file.str[4:11].value_counts().reindex(per_month.index, fill_value=0)
    assert len(per_month) == 24
    assert ((per_month + lost) == (w.tingkat == "desa_kelurahan").sum()).all()
    assert not pkk.duplicated(["kode_desa", "bulan"]).any()
    n = {c: pkk[c].astype(int) for c in pkk.columns if c in PKK_MEASURES}
    krt = n["Jml KRT"]
    assert (n["Jml KK"] >= krt).all() and (n["Jml Dasa Wisma"] >= 1).all() and (krt >= 1).all()
    assert (n["Sehat Layak Huni"] + n["Tidak Sehat Layak Huni"] == krt).all()
    assert (n["PDAM"] + n["Sumur"] + n["Sungai"] + n["DLL"] == krt).all()
    assert (n["Beras"] + n["Non Beras"] == krt).all()
    # nothing the pipeline would call inconsistent: parts never exceed their whole
    for part in ("Memiliki Tempat Pembuangan Sampah", "Memiliki SPAL/Pembuangan Air",
                 "Memiliki Sarana MCK dan Septic Tank", "UP2K", "Pemanfaatan Tanah Pekarangan",
                 "Industri Rumah Tangga", "Kesehatan Lingkungan"):
        assert (n[part] <= krt).all(), part
    assert (n["Balita L"] <= n["Total L"]).all() and (n["Balita P"] <= n["Total P"]).all()
    for part in ("Ibu Hamil", "Ibu Menyusui", "WUS"):
        assert (n[part] <= n["Total P"]).all(), part
    assert (n["Menempel Stiker P4K"] <= n["Ibu Hamil"]).all() and (n["PUS"] <= n["WUS"]).all()


def test_sanitation_is_worse_where_stunting_is_higher(pkk, manifest):
    pkk["jamban"] = pkk["Memiliki Sarana MCK dan Septic Tank"].astype(int)
    pkk["krt"] = pkk["Jml KRT"].astype(int)
    pkk["sungai"] = pkk["Sungai"].astype(int)
    by_kab = pkk.groupby("kode_kabkota")[["jamban", "krt", "sungai"]].sum()
    target = pd.DataFrame(manifest["targets"]).set_index("kode").target_2025
    share = (by_kab.jamban / by_kab.krt).reindex(target.index)
    assert spearmanr(share, target).statistic < -0.5
    river = (by_kab.sungai / by_kab.krt).reindex(target.index)
    assert spearmanr(river, target).statistic > 0.5


def test_spm_records_use_the_catalogue_and_stay_within_target(spm, lines):
    cat = pd.read_csv(REFERENCE_DIR / "spm_indikator.csv", dtype=str)
    assert set(spm["Kode Indikator"]) <= set(cat.kode)
    pairs = set(zip(cat.kode, cat.bidang))
    assert set(zip(spm["Kode Indikator"], spm.Bidang)) <= pairs
    assert set(spm.Bidang) == set(cat.bidang)  # all six fields report
    assert spm.kode_desa.notna().all()
    sas, dil = spm.Sasaran.astype(int), spm.Dilayani.astype(int)
    assert (sas > 0).all() and (dil <= sas).all()
    over = lines[(lines.source == "spm") & (lines.kind == "dilayani_gt_sasaran")]
    assert len(over) > 0 and (over.expected == "flag").all()
    assert (over.written.astype(int) > over.original.astype(int)).all()
    spm["bulan"] = spm.Bulan.map(_bulan)
    assert spm.bulan.min() == "2025-01" and spm.bulan.max() == "2025-12"
    # the rollout: more posyandu report in December than in January
    per_month = spm.groupby("bulan").apply(lambda g: g[["Desa/Kel", "Posyandu"]].drop_duplicates().shape[0])
    assert per_month["2025-12"] > 1.5 * per_month["2025-01"]


def test_spm_balita_weighed_matches_the_posyandu_exports(spm, posyandu_rows, small_demo):
    """KES01 dilayani (weighed) never exceeds the children the e-PPGBM export shows for that
    posyandu and month (re-exported and duplicate rows aside, they are the same children)."""
    kes = spm[spm["Kode Indikator"] == "KES01"].copy()
    kes["bulan"] = kes.Bulan.map(_bulan)
    kes["pos"] = kes.Posyandu.str.upper().str.replace("POSYANDU ", "", regex=False)
    rows = posyandu_rows.copy()
    rows["bulan"] = rows["Tanggal Pengukuran"].map(D.parse_date).map(lambda d: d and f"{d:%Y-%m}")
    rows["pos"] = rows.Posyandu.str.strip().str.upper().str.replace(r"^POSYANDU\s+", "", regex=True).str.replace(r"\s+", " ", regex=True)
    rows["desa"] = rows["Desa/Kel"].map(lambda s: D.norm(s or ""))
    weighed = rows.groupby(["desa", "pos", "bulan"]).NIK.size()
    kes["desa"] = kes["Desa/Kel"].map(D.norm)
    got = weighed.reindex(list(zip(kes.desa, kes.pos, kes.bulan))).fillna(0).to_numpy()
    dil = kes.Dilayani.astype(int).to_numpy()
    assert (dil > 0).sum() > 1000
    assert (dil <= got).mean() > 0.99


def test_intervention_reports_cover_the_programme(iv, manifest):
    files = pd.DataFrame([f for f in manifest["files"] if f["source"] == "intervensi"])
    codes = set(manifest["intervention"]["kabkota"])
    assert len(codes) == 20 and "35.11" in codes
    assert set(iv.kode_kabkota) == codes
    assert iv.tanggal.min() == dt.date(2025, 11, 10) and iv.tanggal.max() == dt.date(2025, 12, 5)
    plan = manifest["intervention"]["plan"]
    behind = [k for k, p in plan.items() if p["behind"]]
    assert 2 <= len(behind) <= 6
    days = files.groupby("kode_kabkota").tanggal.nunique()
    assert days[behind].max() < 26 and days.drop(behind).min() == 26
    kader = iv.groupby("kode_kabkota")["Kader Dilatih"].apply(lambda s: s.astype(int).sum())
    assert (kader.drop(behind) == 20).all() and (kader[behind] <= 20).all()  # missed days go unreported


def test_intervention_ramps_up_then_holds(iv, manifest):
    iv["pmt"] = iv["Hari PMT Lokal"].astype(int)
    daily = iv.groupby(["kode_kabkota", "tanggal"]).pmt.sum().reset_index()
    plan = manifest["intervention"]["plan"]
    for kode, g in daily.groupby("kode_kabkota"):
        g = g.set_index("tanggal").pmt
        weekday = pd.Series([d.weekday() < 5 for d in g.index], index=g.index)
        g = g[weekday]
        first, last = g.iloc[:3].mean(), g.iloc[-8:].mean()
        assert first < last, kode
        if not plan[kode]["behind"]:
            assert last > 150  # most of the 250 balita get PMT on a working day


def test_demo_intervention_levels_follow_the_campaign_targets():
    """The demo's reports are drawn around the default campaign targets, so that on the demo data
    most kab/kota are on pace and the lagging ones stand out; the two must not drift apart."""
    from demo.intervensi import CAMPAIGN_TARGETS
    from pipelines.campaigns import ACTIVITIES, configured_campaigns
    from pipelines.config import default_config

    [campaign] = configured_campaigns(default_config())
    assert {ACTIVITIES[code]: n for code, n in campaign.activity_targets.items()} == CAMPAIGN_TARGETS
