"""Growth monitoring: the SKDN counts and ratios per level and month (mart_skdn) and the 2T
follow-up list (mart_skdn_2t, child-level rows by export file and row: empty for a repository
without `child_rows`, decision D35; scoped by wilayah like every table)."""

from __future__ import annotations

import pandas as pd

from dashboard.queries._base import run, table
from dashboard.queries.build import has
from dashboard.repository import Repository


def periods(repo: Repository) -> list[str]:
    """The months of mart_skdn, newest first."""
    if not has(repo, "mart_skdn"):
        return []
    return list(run(repo, "SELECT DISTINCT period FROM mart_skdn ORDER BY period DESC")["period"])


def rows(repo: Repository, level: str, period: str, kode_kabkota: str | None = None
         ) -> pd.DataFrame:
    """Every unit of a level in one month (optionally one kab/kota's), by kode."""
    where, params = "level = ? AND period = ?", [level, period]
    if kode_kabkota:
        where += " AND kode_kabkota = ?"
        params.append(kode_kabkota)
    return table(repo, "mart_skdn", where, params, order_by="kode")


def follow_up_2t(repo: Repository, period: str, kode_kabkota: str | None = None
                 ) -> pd.DataFrame:
    """The 2T children of one month (optionally one kab/kota's), with the posyandu's display
    name, by posyandu, file and row: where each kader finds them in her own export."""
    if not has(repo, "mart_skdn_2t"):
        return pd.DataFrame()
    where, params = "t.period = ?", [period]
    if kode_kabkota:
        where += " AND t.kode_kabkota = ?"
        params.append(kode_kabkota)
    return run(repo,
               "SELECT t.kode_kabkota, t.kode_kecamatan, t.kode_desa, t.posyandu_key, "
               "coalesce(n.posyandu_nama, w.nama) AS posyandu, t.file_name, t.sheet, t.row_number, "
               "t.no_ekspor, t.tanggal_timbang, t.umur_bulan, t.berat_lalu_2_kg, t.berat_lalu_kg, "
               "t.berat_kg, t.naik_lalu_g, t.naik_g, t.kbm_g, t.bgm, t.naik_bb "
               "FROM mart_skdn_2t AS t "
               "LEFT JOIN state_posyandu_nama AS n USING (posyandu_key) "
               "LEFT JOIN ref_wilayah AS w ON w.kode = t.kode_desa "
               f"WHERE {where} ORDER BY posyandu, t.file_name, t.row_number", params)
