"""A small, seeded fixture warehouse for the dashboard tests, built by the real pipeline: synthetic
staging rows (contract 2.2/2.3) are inserted inside `pipelines.warehouse.building()` with
`changed = True`, so every mart that exists in `pipelines/sql/marts/` is built by its own SQL.

Shape (chosen so the tests can predict what the pages show):
- Months 2024-08, 2025-06, -07, -08 (August is a bulan timbang; 2024-08 gives the year-on-year
  change), 2025-10 (before the campaign) and 2025-12 (after it, for the outcome view).
- 38 kab/kota x 2 kecamatan x 1 desa x 1 posyandu. Every kab/kota has 12 children measured each
  month, except 35.79 (Kota Batu) with 6, below the suppression threshold of 10. Children 0-9 are
  in the first kecamatan (10 children: shown), 10-11 in the second (2: suppressed). Weight grows
  0.15 kg a month; in December half the children of the intervention kab/kota gain 0.3 kg more.
- A child's HAZ is fixed: the first `stunted[kab]` children of each kab/kota are stunted
  (HAZ -2.5), the rest not (HAZ 0.3); 35.09 Jember has 9 of 12 stunted (the highest), the
  others 0..3; one child per kab/kota in 2025-08 has a flagged HAZ (-6.5).
- SPM: one posyandu per kecamatan reports every catalogue indicator each month.
- PKK: one desa recap per kecamatan and month; in 35.09.01 (Jombang) every desa reports, so
  that kecamatan's measurement coverage has a PKK denominator.
- Intervensi: daily counts 10-30 Nov 2025 for four target kab/kota (35.27 Sampang reports only
  every third day, so it falls behind) and 35.29 Sumenep, which is no target (unmatched).
- load_files / rejects: one file per staged file_sha256; 5 posyandu rows rejected in 2025-08
  (35.09: birth_date x2, kabkota; 35.27: no_measurement, birth_date).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines import store
from pipelines.config import REFERENCE_DIR, load_config
from pipelines.warehouse import building

MONTHS = ("2024-08", "2025-06", "2025-07", "2025-08", "2025-10", "2025-12")
SMALL_KAB = "35.79"  # Kota Batu: 6 children, suppressed
TOP_KAB = "35.09"  # Jember: the highest stunting share
PKK_COMPLETE_KEC = "35.09.01"  # every desa reports PKK recaps: coverage from PKK Dasa Wisma
N_CHILDREN = 12
FIRST_KEC = 10  # children 0-9 live in a kab/kota's first kecamatan (not suppressed), 10-11 in its second
EXTRACTION = dt.date(2026, 1, 5)
INTERVENSI_TARGETS = ("35.09", "35.11", "35.27", "35.28", "35.29")  # 35.29 is no campaign target
# Every other key takes the schema's default (pipelines/config.py: min_cell 10, pooled, bulan
# timbang February and August, SSGI 2024 at 14.7 %; the campaigns of config/campaigns.toml).
FIXTURE_CONFIG = """
[paths]
warehouse = "warehouse.duckdb"
[privacy]
hash_key_env = "TUMBUH_FIXTURE_KEY_UNSET"
key_file = ".hash_key"
"""


def wilayah() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "wilayah_jatim.csv", dtype=str)


def layout() -> pd.DataFrame:
    """kode_kabkota, kode_kecamatan, kode_desa: two kecamatan (first desa of each) per kab/kota."""
    w = wilayah()
    kec = w[w["tingkat"] == "kecamatan"].groupby("kode_induk").head(2)
    desa = w[w["tingkat"] == "desa_kelurahan"].groupby("kode_induk").head(1)
    out = kec.merge(desa, left_on="kode", right_on="kode_induk", suffixes=("_kec", "_desa"))
    return pd.DataFrame({"kode_kabkota": out["kode_induk_kec"], "kode_kecamatan": out["kode_kec"],
                         "kode_desa": out["kode_desa"], "nama_desa": out["nama_desa"]})


def stunted_count(kode_kabkota: str, index: int) -> int:
    """How many of a kab/kota's 12 children are stunted (Jember 9, others 0..3)."""
    if kode_kabkota == TOP_KAB:
        return 9
    return index % 4


PENGUKURAN_COLUMNS = ["file_sha256", "row_number", "child_key", "child_key_source", "sex", "birth_date", "measurement_date", "age_days", "age_months", "kode_kabkota", "kode_kecamatan", "kode_desa", "posyandu_key", "posyandu_nama", "puskesmas", "weight_kg", "lenhei_cm", "lila_cm", "measure", "clen", "c9mo_flag", "zlen", "zwei", "zwfl", "zbmi", "flen", "fwei", "fwfl", "fbmi", "kat_tbu", "kat_bbu", "kat_bbtb", "kat_imtu", "src_kat_tbu", "src_zs_tbu", "src_kat_bbu", "src_zs_bbu", "src_kat_bbtb", "src_zs_bbtb", "naik_bb", "extraction_date", "loaded_at"]


def pengukuran_frame(rng: random.Random) -> pd.DataFrame:
    rows = []
    lay = layout()
    loaded = dt.datetime(2026, 1, 6, 8, 0)
    for k_index, (kab, part) in enumerate(lay.groupby("kode_kabkota", sort=True)):
        n = 6 if kab == SMALL_KAB else N_CHILDREN
        n_stunted = stunted_count(kab, k_index)
        places = part.to_dict("records")
        for child in range(n):
            place = places[0 if child < FIRST_KEC else 1]
            sex = 1 + child % 2
            birth = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
            for m_index, month in enumerate(MONTHS):
                day = dt.date(int(month[:4]), int(month[5:]), 5 + child % 20)
                age_days = (day - birth).days
                if age_days < 0:
                    continue
                haz = -2.5 if child < n_stunted else 0.3
                flagged = month == "2025-08" and child == n - 1
                # Weight grows a little every month; children of campaign targets gain a bit
                # more by December (so the outcome view has an effect to show).
                boost = month == "2025-12" and kab in INTERVENSI_TARGETS and child % 2 == 0
                weight = round(10.0 + 0.15 * m_index + (0.3 if boost else 0.0), 1)
                waz = -0.5 + (0.3 if boost else 0.0)
                if flagged:
                    haz = -6.5
                rows.append((
                    f"sha-posyandu-{month}-{kab}", len(rows) + 1, f"child-{kab}-{child}", "nik",
                    sex, birth, day, age_days, int(age_days // 30.4375),
                    kab, place["kode_kecamatan"], place["kode_desa"],
                    f"{place['kode_desa']}|MAWAR 1", "Mawar 1", "Puskesmas Contoh",
                    weight, 85.0, None, "h", 85.0, 0,
                    haz, waz, -0.4, -0.3, int(flagged), 0, 0, 0,
                    "Sangat Pendek" if flagged else ("Pendek" if haz < -2 else "Normal"),
                    "Berat Badan Normal", "Gizi Baik", "Gizi Baik",
                    None, None, None, None, None, None, "N", EXTRACTION, loaded,
                ))
    return pd.DataFrame(rows, columns=PENGUKURAN_COLUMNS)


SPM_COLUMNS = ["file_sha256", "row_number", "kode_kabkota", "kode_kecamatan", "kode_desa", "posyandu_key", "posyandu_nama", "bulan", "bidang", "kode_indikator", "sasaran", "dilayani"]


def spm_frame(rng: random.Random) -> pd.DataFrame:
    catalogue = pd.read_csv(REFERENCE_DIR / "spm_indikator.csv")
    rows = []
    for place in layout().to_dict("records"):
        key = f"{place['kode_desa']}|MAWAR 1"
        for month in MONTHS[1:]:
            bulan = dt.date(int(month[:4]), int(month[5:]), 1)
            for ind in catalogue.itertuples():
                sasaran = rng.randint(20, 40)
                dilayani = rng.randint(sasaran // 2, sasaran)
                rows.append((f"sha-spm-{month}-{place['kode_kabkota']}", len(rows) + 1,
                             place["kode_kabkota"], place["kode_kecamatan"], place["kode_desa"],
                             key, "Mawar 1", bulan, ind.bidang, ind.kode, sasaran, dilayani))
    return pd.DataFrame(rows, columns=SPM_COLUMNS)


def pkk_frame(rng: random.Random) -> pd.DataFrame:
    records = []
    for place in layout().to_dict("records"):
        for month in MONTHS[1:]:
            krt = rng.randint(150, 300)
            records.append({
                "file_sha256": f"sha-pkk-{month}-{place['kode_kabkota']}", "row_number": len(records) + 1,
                "kode_kabkota": place["kode_kabkota"], "kode_kecamatan": place["kode_kecamatan"],
                "kode_desa": place["kode_desa"], "bulan": dt.date(int(month[:4]), int(month[5:]), 1),
                "jml_dasa_wisma": krt // 15, "jml_krt": krt, "jml_kk": krt + 10,
                "total_l": krt * 2, "total_p": krt * 2, "balita_l": krt // 8, "balita_p": krt // 8,
                "pus": krt // 2, "wus": krt // 2 + 5, "ibu_hamil": krt // 25, "ibu_menyusui": krt // 20,
                "lansia": krt // 4, "tiga_buta": 3, "berkebutuhan_khusus": 2,
                "sehat_layak_huni": krt - 20, "tidak_sehat_layak_huni": 20,
                "tempat_sampah": krt - rng.randint(10, 60), "spal": krt - rng.randint(10, 60),
                "jamban_septic": krt - rng.randint(5, 80), "air_pdam": krt // 3,
                "air_sumur": krt // 2, "air_sungai": 5, "air_lainnya": krt - krt // 3 - krt // 2 - 5,
                "makanan_beras": krt - 3, "makanan_non_beras": 3, "stiker_p4k": krt // 30,
                "up2k": 10, "pemanfaatan_pekarangan": krt // 3, "industri_rumah_tangga": 4,
                "kesehatan_lingkungan": krt // 2,
            })
    # Jember's first kecamatan (35.09.01 Jombang) is complete: its other desa report too (2 + 2
    # balita each), so its measurement coverage has a PKK denominator (mart_cakupan_pengukuran);
    # copies of the first desa's recap, made after the random draws so that nothing else moves
    first = [r for r in records if r["kode_kecamatan"] == PKK_COMPLETE_KEC]
    others = wilayah().query("tingkat == 'desa_kelurahan' and kode_induk == @PKK_COMPLETE_KEC")
    for r in first:
        for desa in others["kode"]:
            if desa != r["kode_desa"]:
                records.append({**r, "kode_desa": desa, "row_number": len(records) + 1,
                                "balita_l": 2, "balita_p": 2})
    return pd.DataFrame(records)


def intervensi_frame(rng: random.Random) -> pd.DataFrame:
    """Daily counts in the campaign window; 35.27 falls behind (reports every third day)."""
    records = []
    day = dt.date(2025, 11, 10)
    while day <= dt.date(2025, 11, 30):
        for kab in INTERVENSI_TARGETS:
            if kab == "35.27" and (day - dt.date(2025, 11, 10)).days % 3:
                continue
            for activity, jumlah in (("remeasured", rng.randint(8, 14)), ("confirmed", rng.randint(1, 4)),
                                     ("referred", rng.randint(0, 3)), ("pmt_days", rng.randint(5, 12)),
                                     ("home_visits", rng.randint(3, 9)), ("kader_trained", 1),
                                     ("kelas_ibu_balita", rng.randint(0, 2))):
                records.append({"file_sha256": f"sha-intervensi-{kab}-{day}", "row_number": 1,
                                "tanggal": day, "kode_kabkota": kab, "kode_kecamatan": None,
                                "activity": activity, "jumlah": jumlah})
        day += dt.timedelta(days=1)
    return pd.DataFrame(records)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    # rows of bulk tables go to the build's delta, which the build writes out as Parquet
    target = f"delta.{table}" if table in store.BULK_TABLES else table
    columns = [c for c in con.table(target).columns if c in frame.columns]
    con.register("fixture_frame", frame[columns])
    con.execute(f"INSERT INTO {target} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM fixture_frame")
    con.unregister("fixture_frame")


REJECTS = {  # (kab/kota, month) -> reasons of the rejected rows in its posyandu file
    ("35.09", "2025-08"): ("birth_date", "birth_date", "kabkota"),
    ("35.27", "2025-08"): ("no_measurement", "birth_date"),
}


def _lineage(con: duckdb.DuckDBPyConnection) -> None:
    """One load_files row per staged file (sha256 as in the staging rows), rejects as above."""
    loaded = dt.datetime(2026, 1, 6, 8, 0)
    tables = [("posyandu", "stg_pengukuran"), ("spm", "stg_spm"), ("pkk", "stg_pkk"),
              ("intervensi", "stg_intervensi")]
    present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    files, rejects = [], []
    for source, table in tables:
        if table not in present:
            continue
        for sha, n_staged in con.execute(f"SELECT file_sha256, count(*) FROM {table} GROUP BY 1").fetchall():
            name = f"{source}/{sha.split('-', 2)[2]}.csv"  # sha-<source>-<month or kab>-...
            parts = sha.split("-")
            reasons = REJECTS.get((parts[-1], f"{parts[2]}-{parts[3]}"), ()) if source == "posyandu" else ()
            files.append({"file_sha256": sha, "source": source, "file_name": name, "format": "csv",
                          "header_row": 4, "extraction_date": EXTRACTION,
                          "rows_read": n_staged + len(reasons), "rows_staged": n_staged,
                          "rows_rejected": len(reasons), "loaded_at": loaded})
            rejects += [{"source": source, "file_sha256": sha, "file_name": name,
                         "row_number": 100 + i, "column_name": "Tgl Lahir", "reason": reason,
                         "message": "fixture reject"} for i, reason in enumerate(reasons)]
    _insert(con, "load_files", pd.DataFrame(files))
    # raw rows as a load writes them (one per row read: the staged rows and the rejected ones),
    # so the accounting audits that every build runs hold on the fixture too
    raw_tables = {"posyandu": "raw_pengukuran", "spm": "raw_spm", "pkk": "raw_pkk",
                  "intervensi": "raw_intervensi"}
    for source, table in tables:
        if table in present:
            con.execute(
                f"INSERT INTO delta.{raw_tables[source]} (file_sha256, file_name, row_number, "
                "loaded_at) SELECT DISTINCT s.file_sha256, f.file_name, s.row_number, "
                f"f.loaded_at FROM {table} AS s JOIN load_files AS f USING (file_sha256)")
    if rejects:
        frame = pd.DataFrame(rejects)
        _insert(con, "rejects", frame)
        con.register("fixture_rejects", frame)
        con.execute("INSERT INTO delta.raw_pengukuran (file_sha256, file_name, row_number, "
                    "loaded_at) SELECT file_sha256, file_name, row_number, ? FROM fixture_rejects",
                    [loaded])
        con.unregister("fixture_rejects")
        counts = frame.groupby(["file_sha256", "source", "reason"]).size().reset_index(name="n_rows")
        _insert(con, "load_rejects", counts)


def build_fixture(directory: Path, seed: int = 20251110) -> Path:
    """Write config.toml and warehouse.duckdb into `directory`; returns the warehouse path."""
    directory.mkdir(parents=True, exist_ok=True)
    config_file = directory / "config.toml"
    config_file.write_text(FIXTURE_CONFIG)
    config = load_config(config_file)
    rng = random.Random(seed)
    warehouse = directory / "warehouse.duckdb"
    with building(warehouse, config) as build:
        con = build.con
        _insert(con, "stg_pengukuran", pengukuran_frame(rng))
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "stg_spm" in tables:
            _insert(con, "stg_spm", spm_frame(rng))
        if "stg_pkk" in tables:
            _insert(con, "stg_pkk", pkk_frame(rng))
        if "stg_intervensi" in tables:
            _insert(con, "stg_intervensi", intervensi_frame(rng))
        _lineage(con)
        build.changed = True
    return warehouse


_SESSION_DIRS: dict[Path, Path] = {}


def session_fixture_dir(factory: pytest.TempPathFactory) -> Path:
    """The fixture warehouse's folder, built once per test session whichever test folder asks
    for it first (tests/dashboard and tests/reports share it)."""
    base = factory.getbasetemp()
    if base not in _SESSION_DIRS:
        directory = factory.mktemp("dashboard_wh")
        build_fixture(directory)
        _SESSION_DIRS[base] = directory
    return _SESSION_DIRS[base]
