"""reads: tmp_prevalensi_agregat

grain: tmp_prevalensi_supresi (temp) one row per level, unit and period of
tmp_prevalensi_agregat: which counts the marts hide, per family of counts that share a
denominator (docs/marts_stunting.md, "Suppression"):
  sup_anak  n_children and everything else on the row;
  sup_haz   n_haz, n_stunted, n_severe, n_flag_haz and every rate, interval, comparison and rank
            built on them (the stunting figures);
  sup_whz   n_whz, n_wasted, n_overweight, n_flag_whz and their rates;
  sup_waz   n_waz, n_underweight, n_flag_waz and their rate.

Primary suppression: 0 < denominator < min_cell (a family is also hidden wherever sup_anak is).
Complementary suppression, so that no hidden cell can be recovered by subtraction along the
hierarchy provinsi > kabkota > kecamatan > desa > posyandu (a unit's parent is its kode_induk):
  R1  under a shown parent, the hidden children (counting only those with a denominator > 0)
      number 0, or at least 2 holding min_cell or more together. Otherwise the shown sibling
      with the smallest denominator (then the smallest code) is hidden too, until they do; when
      no shown sibling is left, the parent is hidden.
  R2  a hidden parent with children (denominator > 0) has at least one hidden child; otherwise
      its child with the smallest denominator (then code) is hidden.
Both rules are applied level by level from the top, again until nothing changes (hiding a parent
under R1 can break R1 one level up). Then every hidden cell has a hidden sibling under a shown
parent, or a hidden parent, and a hidden child wherever it has children, so the published
counts satisfy their sums with the hidden cells moved up and down together: no hidden cell is
determined by the published ones (a zero never counts as protection). A hidden group under a
shown parent holds at least min_cell children, so what subtraction does give (the group's
total) is no finer than a shown cell. Everything is per period (the rows of one period_type and
period_start only), deterministic (ties broken by code), and the same for every build.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

LEVELS = ("provinsi", "kabkota", "kecamatan", "desa", "posyandu")
FAMILIES = {"anak": "n_children", "haz": "n_haz", "whz": "n_whz", "waz": "n_waz"}


def protect(parent: np.ndarray, level: np.ndarray, d: np.ndarray, order_key: np.ndarray,
            hidden: np.ndarray, min_cell: int) -> np.ndarray:
    """Complementary suppression of one family of counts.

    parent: row index of each row's parent (-1 for a root); level: 0 (root) .. 4; d: the
    family's denominator; order_key: the rank of each row's code (ties between equal
    denominators); hidden: primary suppression. Returns the hidden rows after R1 and R2."""
    hidden = hidden.copy()
    n = len(d)
    has_d = d > 0
    while True:
        changed_above = False
        for lvl in range(1, len(LEVELS)):
            kids = np.flatnonzero((level == lvl) & has_d & (parent >= 0))
            if not len(kids):
                continue
            kid_parent = parent[kids]
            while True:
                hid = hidden[kids]
                cnt = np.bincount(kid_parent, weights=hid, minlength=n)
                tot = np.bincount(kid_parent, weights=np.where(hid, d[kids], 0), minlength=n)
                bad = np.where(hidden, cnt == 0, (cnt == 1) | ((cnt >= 1) & (tot < min_cell)))
                bad_kid = bad[kid_parent] & ~hid
                if not bad_kid.any():
                    # a shown parent that is bad with no shown child left: hide the parent
                    stuck = np.flatnonzero(bad & ~hidden & (np.bincount(
                        kid_parent, minlength=n) > 0))
                    if len(stuck):
                        hidden[stuck] = True
                        changed_above = True
                        continue
                    break
                cand = kids[bad_kid]
                # per parent, the candidate with the smallest (d, code)
                order = np.lexsort((order_key[cand], d[cand], parent[cand]))
                cand = cand[order]
                first = np.ones(len(cand), dtype=bool)
                first[1:] = parent[cand][1:] != parent[cand][:-1]
                hidden[cand[first]] = True
                # parents that are bad but have no shown child left are handled next round
        if not changed_above:
            return hidden


def build(con: duckdb.DuckDBPyConnection, config: object) -> None:
    min_cell = int(con.execute("SELECT getvariable('min_cell')").fetchall()[0][0])
    rows = con.sql(
        f"""
        SELECT a.level, a.kode, a.period_type, a.period_start,
               CASE a.level {" ".join(f"WHEN '{x}' THEN {i}" for i, x in enumerate(LEVELS))}
               END AS lvl,
               coalesce(p.rid, -1) AS parent,
               dense_rank() OVER (ORDER BY a.kode) AS kode_rank,
               {", ".join(f"a.{c}" for c in FAMILIES.values())}
        FROM (SELECT *, row_number() OVER (ORDER BY period_type, period_start, level, kode) - 1
                        AS rid
              FROM tmp_prevalensi_agregat) AS a
        LEFT JOIN (SELECT period_type, period_start, kode,
                          row_number() OVER (ORDER BY period_type, period_start, level, kode) - 1
                              AS rid
                   FROM tmp_prevalensi_agregat) AS p
          ON p.period_type = a.period_type AND p.period_start = a.period_start
         AND p.kode = a.kode_induk
        ORDER BY a.rid
        """
    ).to_arrow_table()
    level = rows["lvl"].to_numpy()
    parent = rows["parent"].to_numpy()
    order_key = rows["kode_rank"].to_numpy()
    flags = {}
    primary = {name: (d > 0) & (d < min_cell)
               for name, d in ((f, rows[c].to_numpy()) for f, c in FAMILIES.items())}
    flags["anak"] = protect(parent, level, rows["n_children"].to_numpy(), order_key,
                            primary["anak"], min_cell)
    for family, column in FAMILIES.items():
        if family != "anak":
            flags[family] = protect(parent, level, rows[column].to_numpy(), order_key,
                                    primary[family] | flags["anak"], min_cell)
    out = pa.table({"level": rows["level"], "kode": rows["kode"],
                    "period_type": rows["period_type"], "period_start": rows["period_start"],
                    **{f"sup_{f}": pa.array(v) for f, v in flags.items()}})
    con.register("supresi_arrow", out)
    con.execute("CREATE OR REPLACE TEMP TABLE tmp_prevalensi_supresi AS "
                "SELECT * FROM supresi_arrow")
    con.unregister("supresi_arrow")
