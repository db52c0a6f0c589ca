"""Posyandu SPM service records (docs/contracts.md 1.3): per posyandu, month and indicator, the
target group (sasaran) and how many were served (dilayani), for the six SPM fields.

Reporting starts with Permendagri 13/2024's six-field posyandu: January 2025, rolled out
posyandu by posyandu at a pace that differs by kab/kota. The balita indicators reuse the
cohort (S = balita in the posyandu area, D = weighed); the household indicators reuse the PKK
shares, so fewer latrines in a desa means more households to identify for PU02."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo import cohort, formats, pkk, smallmess
from demo.formats import Style, Table
from demo.reference import KabKota, load_spm_catalogue, rng_for

FIRST_SPM_MONTH = 12  # January 2025
# Coverage range (served / sasaran) per field; a kab/kota draws its own level within it.
COVERAGE = {"Kesehatan": (0.70, 0.95), "Pendidikan": (0.50, 0.90), "Sosial": (0.30, 0.80),
            "Pekerjaan Umum": (0.20, 0.70), "Perumahan Rakyat": (0.20, 0.60),
            "Trantibumlinmas": (0.40, 0.90)}  # fmt: skip
# Expected sasaran per balita in the posyandu area, per indicator (monthly).
SASARAN_PER_BALITA = {"KES03": 0.16, "KES04": 0.16, "KES05": 0.25, "KES06": 1.2, "KES07": 0.45,
                      "PDK01": 0.2, "PDK02": 0.03, "SOS01": 0.03, "SOS02": 0.10, "PR02": 0.08,
                      "TR01": 0.02, "TR02": 0.15}  # fmt: skip
KINDS = {
    "bidang_variant": ("parse", 3, "Bidang"),
    "dilayani_gt_sasaran": ("flag", 2, "Dilayani"),
    "bad_number": ("bad_number", 1.5, "Dilayani"),
    "desa": ("desa", 1.5, "Desa/Kel"),
    "kecamatan": ("kecamatan", 1, "Kec"),
    "duplicate": ("duplicate", 1.5, "Kode Indikator"),
}
MESS_SHARE = 0.1  # of the posyandu mess rate


def _records(rng: np.random.Generator, kab: KabKota, counts: dict, shares: pkk.Shares, m: int,
             started: np.ndarray, active: np.ndarray, cover: dict[str, float], cat) -> dict:
    """Rows of one month: arrays of posyandu index, indicator index, sasaran and dilayani."""
    s = counts["s_pos"][m].astype(float)
    d = counts["d_pos"][m]
    desa = kab.pos_desa
    n_pos_in_desa = np.bincount(desa, minlength=len(kab.desa_kode))[desa]
    krt = shares.krt[m][desa] / n_pos_in_desa  # households in the posyandu's part of the desa
    reporting = started & (rng.random(len(s)) < 0.92)
    ramp = 0.1 * (m - FIRST_SPM_MONTH) / 11
    pos_i, ind_i, sas, dil = [], [], [], []
    for j, row in enumerate(cat.itertuples()):
        if row.kode in ("KES01", "KES02"):
            sasaran = counts["s_pos"][m].astype(np.int64)
            weighed = np.minimum(d, sasaran)
            if row.kode == "KES01":
                served = weighed
            else:  # length measured: everyone in bulan timbang, fewer in other months
                share = 1.0 if m % 12 in cohort.BULAN_TIMBANG else cover["length"]
                served = rng.binomial(weighed, share)
        else:
            if row.kode == "PU01":
                lam = krt * (1 - shares.safe_water[m][desa]) * 0.06
            elif row.kode == "PU02":
                lam = krt * (1 - shares.jamban[m][desa]) * 0.08
            elif row.kode == "PR01":
                lam = krt * shares.rtlh[m][desa] * 0.05
            else:
                lam = s * SASARAN_PER_BALITA[row.kode]
            sasaran = rng.poisson(lam)
            c = np.clip(cover[row.bidang] + ramp + rng.normal(0, 0.05, len(s)), 0.02, 1.0)
            served = rng.binomial(sasaran, c)
        keep = reporting & (sasaran > 0) & (active[:, j] if row.bidang != "Kesehatan" else True)
        idx = np.flatnonzero(keep)
        pos_i.append(idx)
        ind_i.append(np.full(len(idx), j))
        sas.append(sasaran[idx])
        dil.append(served[idx])
    pos_i = np.concatenate(pos_i)
    ind_i = np.concatenate(ind_i)
    order = np.lexsort((ind_i, pos_i))
    return {"pos": pos_i[order], "ind": ind_i[order], "sasaran": np.concatenate(sas)[order],
            "dilayani": np.concatenate(dil)[order]}


def write(kab: KabKota, ctx, res, counts: dict, shares: pkk.Shares) -> None:
    rng = rng_for(ctx.seed, 500, kab.idx)
    cat = load_spm_catalogue()
    n_pos = len(kab.pos_nama)
    # Rollout: the share of posyandu reporting grows from about a fifth to most by December.
    final = rng.uniform(0.45, 0.9)
    start_share = rng.uniform(0.1, 0.3)
    join = rng.random(n_pos)  # a posyandu starts once the rollout share passes its number
    active = rng.random((n_pos, len(cat))) < rng.uniform(0.4, 0.9)  # a kader for the field
    cover = {b: float(rng.uniform(*r)) for b, r in COVERAGE.items()}
    cover["length"] = float(rng.uniform(0.6, 0.95))
    rate = 0.0 if ctx.clean else ctx.mess_rate * MESS_SHARE
    pos_name = np.array([f"Posyandu {p}" for p in kab.pos_nama], dtype=object)
    desa = kab.pos_desa
    kec_names = np.array(kab.kec_nama, dtype=object)[kab.desa_kec[desa]]
    kec_keys = {smallmess.key(k) for k in kab.kec_nama}
    desa_keys_by_kec = [set() for _ in kab.kec_nama]
    for dn, k in zip(kab.desa_nama, kab.desa_kec):
        desa_keys_by_kec[k].add(smallmess.key(dn))
    labels = cat.indikator.to_numpy(object)
    for m in range(FIRST_SPM_MONTH, cohort.N_MONTHS):
        share = start_share + (final - start_share) * (m - FIRST_SPM_MONTH) / 11
        rec = _records(rng, kab, counts, shares, m, join < share, active, cover, cat)
        label = str(cohort.FIRST_MONTH + m)
        bulan_style = "iso" if ctx.clean else str(rng.choice(["iso", "slash", "text"]))
        st = Style() if ctx.clean else Style(delimiter=str(rng.choice([",", ";"])))
        n = len(rec["pos"])
        kinds = smallmess.choose(rng, n, rate, KINDS)
        dup_rows = [i for i, k in enumerate(kinds) if k.kind == "duplicate"]
        src = np.sort(np.concatenate([np.arange(n), np.array(dup_rows, dtype=np.int64)]))
        row_mess = [smallmess.RowMess("", "", "")] * len(src)
        for i in range(len(src)):
            k = kinds[src[i]]
            is_copy = i > 0 and src[i] == src[i - 1]
            if k.kind and (k.kind != "duplicate" or is_copy):
                row_mess[i] = k
        p, j = rec["pos"][src], rec["ind"][src]
        sas, dil = rec["sasaran"][src].copy(), rec["dilayani"][src].copy()
        for i, rm in enumerate(row_mess):
            if rm.kind == "dilayani_gt_sasaran":
                dil[i] = sas[i] + 1 + i % 3
        cols = {
            "Kab/Kota": formats.constant(kab.e_ppgbm_name, len(src)),
            "Kec": formats.from_objects(kec_names[p]),
            "Desa/Kel": formats.from_objects(kab.desa_nama[desa[p]]),
            "Posyandu": formats.from_objects(pos_name[p]),
            "Bulan": formats.constant(pkk.bulan_text(m, bulan_style), len(src)),
            "Bidang": formats.from_objects(cat.bidang.to_numpy(object)[j]),
            "Kode Indikator": formats.from_objects(cat.kode.to_numpy(object)[j]),
            "Indikator": formats.from_objects(labels[j]),
            "Satuan": formats.from_objects(cat.satuan.to_numpy(object)[j]),
            "Sasaran": pc.cast(pa.array(sas), pa.string()),
            "Dilayani": pc.cast(pa.array(dil), pa.string()),
        }
        path_rel = f"spm/{label}/{kab.kode}_{label}.csv"
        changes, lines = [], []
        for i, rm in enumerate(row_mess):
            if not rm.kind:
                continue
            r = int(rng.integers(0, 1 << 30))
            phys = st.header_row + 1 + i
            if rm.kind == "duplicate":
                lines.append(("spm", path_rel, phys, i + 1, "duplicate", "Kode Indikator", "duplicate",
                              f"row {phys - 1}", ""))
                continue
            if rm.kind == "dilayani_gt_sasaran":
                lines.append(("spm", path_rel, phys, i + 1, rm.kind, "Dilayani", "flag",
                              str(rec["dilayani"][src[i]]), str(dil[i])))
                continue
            col = rm.column
            cur = cols[col][i].as_py()
            if rm.kind == "bidang_variant":
                new = cur.upper() if r % 2 else cur.lower()
            elif rm.kind == "bad_number":
                new = [f"{cur}a", f"{cur}..", "1O" if cur == "10" else f"{cur}O"][r % 3]
            elif rm.kind == "desa":
                new = smallmess.other_desa(desa_keys_by_kec[kab.desa_kec[desa[p[i]]]], r)
            else:
                new = smallmess.other_kecamatan(kec_keys, r)
            changes.append((i, col, new))
            lines.append(("spm", path_rel, phys, i + 1, rm.kind, col, rm.outcome, cur, new))
        for col in {c for _, c, _ in changes}:
            rows = np.array([i for i, c, _ in changes if c == col])
            cols[col] = formats.patch(cols[col], rows, [v for _, c, v in changes if c == col])
        header = list(cols)
        formats.write_table(ctx.out_dir / path_rel, Table(header, [cols[h] for h in header]), st)
        entry = {"path": path_rel, "source": "spm", "kode_kabkota": kab.kode, "month": label,
                 "format": "csv", "delimiter": st.delimiter, "header_row": st.header_row,
                 "title_rows": 0, "bulan_style": bulan_style}
        entry.update(smallmess.accounting(row_mess))
        res.files.append(entry)
        res.manifest_rows += lines
