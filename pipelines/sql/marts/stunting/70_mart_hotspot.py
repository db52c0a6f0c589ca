"""reads: mart_prevalensi, ref_wilayah

grain: mart_hotspot one row per kecamatan (all 666 of ref_wilayah) and period (period_type,
period) of mart_prevalensi: the smoothed stunting prevalence and its local spatial statistics
(LISA cluster, local p-value and its Benjamini-Hochberg adjustment, Gi* z and p).
grain: mart_moran one row per period of mart_prevalensi: the global Moran's I of the smoothed
kecamatan prevalence (I, E[I], z and p by normality and by permutation, units, links, clusters).
grain: state_hotspot_input (catalog table, kept between builds) the input of every period as
last computed: kecamatan, status and value.

The value analysed is `pct_stunted_eb` of the kecamatan rows of mart_prevalensi (the
empirical-Bayes rate, 35_prevalensi_eb.sql), per period type (bulan, bulan_timbang, tahun) and
period, at 4 decimals (pipelines.hotspot.DECIMALS). A kecamatan enters a period's analysis
when it has that value: a suppressed kecamatan (stunting figures hidden, value NULL), one
without a valid HAZ, or one missing from the boundary file is left out, and the weights are
rebuilt on the others (geo/weights.py: queen contiguity among them, k-nearest links for a unit
left without a neighbour). A period with
fewer than `[hotspot] min_units` such kecamatan, or whose values are all equal, is not analysed
(its mart_moran row says why). The statistics are in pipelines/hotspot.py (PySAL's esda).

Incremental: the model runs when mart_prevalensi changes, and recomputes only the periods whose
input (status and value of each kecamatan) differs from state_hotspot_input; a full rebuild
drops that state (pipelines/marts.py drops every state_ table) and so recomputes every period.
Every period uses the same seed, so a period's result depends on its own input only.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from geo.weights import Contiguity, boundary_file, kecamatan_contiguity, period_weights
from pipelines.config import Config, Hotspot
from pipelines.hotspot import DECIMALS, analyse, border_groups

SCHEMA = """
CREATE OR REPLACE TABLE mart_hotspot (
    kode VARCHAR, nama VARCHAR, kode_kabkota VARCHAR,
    period_type VARCHAR, period VARCHAR, period_start DATE,
    n_haz BIGINT, pct_stunted_eb DOUBLE,
    status VARCHAR,            -- analysed | suppressed | no_data | no_boundary | not_analysed
    n_neighbours INTEGER, n_knn INTEGER,
    lisa_i DOUBLE, quadrant VARCHAR, p_lisa DOUBLE, p_lisa_fdr DOUBLE, signif_fdr BOOLEAN,
    cluster VARCHAR,           -- HH | LL | HL | LH | ns (NULL when not analysed)
    cluster_id INTEGER, border_kabkota VARCHAR,
    gi_z DOUBLE, gi_p DOUBLE, gi_p_fdr DOUBLE);
CREATE OR REPLACE TABLE mart_moran (
    period_type VARCHAR, period VARCHAR, period_start DATE,
    status VARCHAR,            -- analysed | too_few_units | no_variation | no_boundaries
    n_units INTEGER, n_links INTEGER, n_knn_units INTEGER, n_components INTEGER,
    permutations INTEGER, seed BIGINT, alpha DOUBLE,
    moran_i DOUBLE, expected_i DOUBLE, z_norm DOUBLE, p_norm DOUBLE, z_sim DOUBLE, p_sim DOUBLE,
    n_signif_raw INTEGER, n_hh INTEGER, n_ll INTEGER, n_hl INTEGER, n_lh INTEGER, n_ns INTEGER);
CREATE OR REPLACE TABLE state_hotspot_input (  -- status: analysed | suppressed | no_data
    period_type VARCHAR, period VARCHAR, kode VARCHAR, status VARCHAR, n_haz BIGINT,
    pct_stunted_eb DOUBLE);
"""

INPUT = """
WITH periode AS (
    SELECT DISTINCT period_type, period, period_start FROM mart_prevalensi
),
kecamatan AS (
    SELECT kode, nama, kode_induk AS kode_kabkota FROM ref_wilayah WHERE tingkat = 'kecamatan'
)
SELECT k.kode, k.nama, k.kode_kabkota, p.period_type, p.period, p.period_start,
       m.n_haz, m.pct_stunted_eb, coalesce(m.suppressed, false) AS suppressed
FROM periode AS p
CROSS JOIN kecamatan AS k
LEFT JOIN mart_prevalensi AS m
    ON m.level = 'kecamatan' AND m.kode = k.kode AND m.period_type = p.period_type
   AND m.period = p.period
ORDER BY p.period_type, p.period, k.kode
"""

KEY = ["period_type", "period"]


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_catalog = current_database() AND table_schema = 'main'", [name]
    ).fetchone()[0])


def _inputs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every kecamatan and period with its input status: suppressed, no_data, or analysed (has
    a value; the boundary file is checked per period, in _period)."""
    df = con.execute(INPUT).df()
    df["status"] = np.select([df["suppressed"].astype(bool), df["pct_stunted_eb"].isna()],
                             ["suppressed", "no_data"], default="analysed")
    df.loc[df["status"] != "analysed", "pct_stunted_eb"] = np.nan
    return df.drop(columns="suppressed")


def _changed_periods(current: pd.DataFrame, stored: pd.DataFrame) -> tuple[set, set]:
    """(periods to compute, periods to delete): those whose input rows differ from the stored
    ones, and those no longer in mart_prevalensi."""
    columns = [*KEY, "kode", "status", "n_haz", "pct_stunted_eb"]
    now = {k: g[columns].reset_index(drop=True) for k, g in current.groupby(KEY, sort=True)}
    before = {k: g[columns].sort_values("kode").reset_index(drop=True)
              for k, g in stored.groupby(KEY, sort=True)}
    todo = set()
    for key, rows in now.items():
        old = before.get(key)
        if old is None or len(old) != len(rows) or not (
                (old["kode"] == rows["kode"]).all() and (old["status"] == rows["status"]).all()
                and old["n_haz"].astype("Float64").equals(rows["n_haz"].astype("Float64"))
                and np.array_equal(old["pct_stunted_eb"].to_numpy(float),
                                   rows["pct_stunted_eb"].to_numpy(float), equal_nan=True)):
            todo.add(key)
    return todo, set(before) - set(now)


def _period(rows: pd.DataFrame, contiguity: Contiguity | None, settings: Hotspot
            ) -> tuple[pd.DataFrame, dict]:
    """One period's mart_hotspot rows and mart_moran row."""
    first = rows.iloc[0]
    overall: dict = {"period_type": first["period_type"], "period": first["period"],
                     "period_start": first["period_start"], "permutations": settings.permutations,
                     "seed": settings.seed, "alpha": settings.alpha}
    out = rows.copy()
    if contiguity is not None:
        outside = (out["status"] == "analysed") & ~out["kode"].isin(contiguity.neighbours)
        out.loc[outside, "status"] = "no_boundary"
    use = out[out["status"] == "analysed"]
    overall["n_units"] = len(use)
    # Analysed at DECIMALS: an incremental and a full build may differ in the EB rate's last
    # bits (D19), which could tip a permutation count where values tie; rounded, they agree.
    values = np.round(use["pct_stunted_eb"].to_numpy(float), DECIMALS)
    if contiguity is None:
        overall["status"] = "no_boundaries"
    elif len(use) < max(settings.min_units, 4):
        overall["status"] = "too_few_units"
    elif np.ptp(values) <= 1e-9 * max(1.0, float(np.abs(values).max())):
        overall["status"] = "no_variation"
    else:
        overall["status"] = "analysed"
    if overall["status"] != "analysed":
        out.loc[out["status"] == "analysed", "status"] = "not_analysed"
        return out, overall
    weights = period_weights(contiguity, use["kode"], k=settings.knn)
    local, stats = analyse(weights, dict(zip(use["kode"], values)), settings)
    overall.update(stats)
    local_df = pd.DataFrame(local)
    group = dict(zip(out["kode"], out["kode_kabkota"]))
    local_df["border_kabkota"] = border_groups(local["kode"], local["cluster_id"],
                                               weights.neighbours, group)
    local_df["cluster_id"] = pd.array(local["cluster_id"], dtype="Int64")
    return out.merge(local_df, on="kode", how="left"), overall


def build(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    settings = config.hotspot
    full = not all(_exists(con, t) for t in ("state_hotspot_input", "mart_hotspot", "mart_moran"))
    if full:
        con.execute(SCHEMA)
    current = _inputs(con)
    stored = con.execute("SELECT * FROM state_hotspot_input").df()
    todo, gone = _changed_periods(current, stored)
    path = boundary_file(config) if todo else None
    contiguity = kecamatan_contiguity(path) if path is not None else None
    hotspot, moran = [], []
    for key, rows in current.groupby(KEY, sort=True):
        if key in todo:
            local, overall = _period(rows, contiguity, settings)
            hotspot.append(local)
            moran.append(overall)
    drop = sorted(todo | gone)
    if drop:
        con.register("hotspot_periods", pd.DataFrame(drop, columns=KEY))
        for table in ("mart_hotspot", "mart_moran", "state_hotspot_input"):
            con.execute(f"DELETE FROM {table} WHERE (period_type, period) IN "
                        "(SELECT period_type, period FROM hotspot_periods)")
        con.unregister("hotspot_periods")
    if hotspot:
        todo_rows = current.set_index(KEY).index.isin(list(todo))
        frames = {"hotspot_rows": pd.concat(hotspot, ignore_index=True),
                  "moran_rows": pd.DataFrame(moran), "hotspot_input": current[todo_rows]}
        for name, frame in frames.items():
            con.register(name, frame)
        con.execute("INSERT INTO mart_hotspot BY NAME SELECT * FROM hotspot_rows")
        con.execute("INSERT INTO mart_moran BY NAME SELECT * FROM moran_rows")
        con.execute("INSERT INTO state_hotspot_input BY NAME SELECT period_type, period, kode, "
                    "status, n_haz, pct_stunted_eb FROM hotspot_input")
        for name in frames:
            con.unregister(name)
