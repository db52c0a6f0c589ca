"""Reference tables of the wilayah: the 38 kab/kota and the kecamatan."""

from __future__ import annotations

import pandas as pd

from dashboard.queries._base import table
from dashboard.queries.build import has
from dashboard.repository import Repository


def kabkota(repo: Repository) -> pd.DataFrame:
    """The 38 kab/kota: kode, nama, jenis, seat lat/lon and the SSGI baselines."""
    if not has(repo, "ref_kabkota"):
        return pd.DataFrame(columns=["kode", "nama", "jenis", "lat", "lon"])
    return table(repo, "ref_kabkota", order_by="kode")


def kecamatan(repo: Repository, kode_kabkota: str | None = None) -> pd.DataFrame:
    if not has(repo, "ref_wilayah"):
        return pd.DataFrame(columns=["kode", "nama", "kode_induk"])
    where, params = "tingkat = 'kecamatan'", []
    if kode_kabkota:
        where, params = where + " AND kode_induk = ?", [kode_kabkota]
    return table(repo, "ref_wilayah", where, params, order_by="kode")

