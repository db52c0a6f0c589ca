"""PKK Dasa Wisma recaps rolled up to desa (docs/contracts.md 1.2): one row per desa and month.

Household counts follow the simulated population; the shares of households with a latrine and
septic tank, safe water and a healthy house fall where the kab/kota's stunting is higher and in
deprived desa (the same latent that makes children there more often stunted)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy.special import expit, logit

from demo import cohort, formats, smallmess
from demo.formats import Style, Table
from demo.reference import KabKota, effective_balita, rng_for

MEASURES = ["Jml Dasa Wisma", "Jml KRT", "Jml KK", "Total L", "Total P", "Balita L", "Balita P", "PUS",
            "WUS", "Ibu Hamil", "Ibu Menyusui", "Lansia", "3 Buta", "Berkebutuhan Khusus",
            "Sehat Layak Huni", "Tidak Sehat Layak Huni", "Memiliki Tempat Pembuangan Sampah",
            "Memiliki SPAL/Pembuangan Air", "Memiliki Sarana MCK dan Septic Tank", "PDAM", "Sumur",
            "Sungai", "DLL", "Beras", "Non Beras", "Menempel Stiker P4K", "UP2K",
            "Pemanfaatan Tanah Pekarangan", "Industri Rumah Tangga", "Kesehatan Lingkungan"]  # fmt: skip
ALIASES = {"Memiliki Sarana MCK dan Septic Tank": "Memiliki Jamban Keluarga",
           "Tidak Sehat Layak Huni": "Tidak Sehat Huni",
           "Memiliki Tempat Pembuangan Sampah": "Memiliki Tmp. Pemb. Sampah"}  # fmt: skip
TITLE = "REKAPITULASI CATATAN DATA DAN KEGIATAN WARGA TP PKK DESA/KELURAHAN"
BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember"]  # fmt: skip
KINDS = {
    "wilayah_variant": ("parse", 4, "Desa/Kel"),
    "kabkota": ("kabkota", 1, "Kab/Kota"),
    "kecamatan": ("kecamatan", 1.5, "Kec"),
    "desa": ("desa", 1.5, "Desa/Kel"),
    "bad_number": ("bad_number", 1, "Jml KK"),
    "duplicate": ("duplicate", 2, "Desa/Kel"),
}
MESS_SHARE = 0.25  # of the posyandu mess rate


@dataclass
class Shares:
    """Per month and desa: household shares the SPM records build on too."""

    krt: np.ndarray  # households
    jamban: np.ndarray  # share with latrine + septic tank
    safe_water: np.ndarray  # PDAM share (the only category known to be safe)
    rtlh: np.ndarray  # share of houses not healthy/habitable


def bulan_text(m: int, style: str) -> str:
    month = cohort.FIRST_MONTH + m
    y, mo = int(str(month)[:4]), int(str(month)[5:])
    return {"iso": f"{y}-{mo:02d}", "slash": f"{mo:02d}/{y}", "text": f"{BULAN[mo - 1]} {y}"}[style]


def _counts(rng: np.random.Generator, kab: KabKota, ctx, desa_sex: np.ndarray):
    """Every measure as an array (month, desa)."""
    n_desa = len(kab.desa_kode)
    t = ctx.targets[kab.kode]
    p = t.p2025 / 100
    e_balita = effective_balita(kab, ctx.scale, ctx.min_balita) * 60 / 54 * kab.desa_weight
    months = np.arange(cohort.N_MONTHS)[:, None] / 12  # years since Jan 2024
    dep = kab.desa_deprivation[None, :]
    kota = kab.jenis == "Kota"
    madura = kab.kode in ("35.26", "35.27", "35.28", "35.29")

    def noisy(x, sd=0.01):
        return np.maximum(0, np.rint(x * (1 + rng.normal(0, sd, x.shape)))).astype(np.int64)

    hh_per_balita = 4.0 * rng.lognormal(0, 0.1, n_desa)
    krt = noisy(np.maximum(3, e_balita * hh_per_balita)[None, :] * (1 + 0.004 * months), 0.005)
    krt = np.maximum(krt, 1)
    out = {"Jml KRT": krt}
    out["Jml Dasa Wisma"] = np.maximum(1, np.ceil(krt / rng.uniform(12, 18, n_desa)[None, :])).astype(np.int64)
    out["Jml KK"] = np.maximum(noisy(krt * rng.uniform(1.03, 1.15, n_desa)[None, :], 0.003), krt)
    people = krt * 3.4
    cover = rng.normal(0.97, 0.04, n_desa)[None, :]
    out["Balita L"] = noisy(desa_sex[:, :, 0] * cover, 0.02)
    out["Balita P"] = noisy(desa_sex[:, :, 1] * cover, 0.02)
    # members: never fewer than the balita, pregnant and breastfeeding women counted among them
    out["Total L"] = np.maximum(noisy(people * 0.497, 0.005), 2 * out["Balita L"])
    out["PUS"] = noisy(krt * 0.55, 0.02)
    ibu_hamil = noisy(e_balita[None, :] * 0.16 * np.ones_like(months), 0.15)
    out["Ibu Hamil"] = ibu_hamil
    out["Ibu Menyusui"] = noisy(e_balita[None, :] * 0.33 * np.ones_like(months), 0.1)
    out["Total P"] = np.maximum(noisy(people * 0.503, 0.005),
                                2 * (out["Balita P"] + ibu_hamil + out["Ibu Menyusui"]))
    out["WUS"] = np.minimum(noisy(out["Total P"] * 0.52, 0.02), out["Total P"])
    out["Lansia"] = noisy(people * (0.14 if not kota else 0.11), 0.02)
    buta = (0.025 if madura else 0.006) * np.exp(0.3 * dep)
    out["3 Buta"] = noisy(people * buta, 0.05)
    out["Berkebutuhan Khusus"] = noisy(people * 0.008, 0.1)
    # Shares, from the kab/kota's stunting level and the desa's deprivation; slow improvement.
    jamban_k = float(np.clip(0.95 - 2.2 * (p - 0.02) + rng.normal(0, 0.03), 0.5, 0.98))
    jamban = expit(logit(jamban_k) - 0.6 * dep + 0.08 * months)
    house_k = float(np.clip(0.93 - 1.2 * (p - 0.02) + rng.normal(0, 0.02), 0.6, 0.98))
    house = expit(logit(house_k) - 0.5 * dep + 0.05 * months)
    pdam_k = (rng.uniform(0.55, 0.85) if kota else rng.uniform(0.08, 0.35)) * (1 - 1.5 * (p - 0.04))
    pdam = expit(logit(np.clip(pdam_k, 0.03, 0.95)) - 0.4 * dep + 0.05 * months)
    sungai = np.clip(0.005 + 0.25 * (p - 0.02) * np.exp(0.5 * dep), 0, 0.15) * np.ones_like(months)
    dll = np.clip(rng.uniform(0.02, 0.06, n_desa)[None, :] * np.ones_like(months), 0, 1)
    out["Sehat Layak Huni"] = np.rint(krt * house).astype(np.int64)
    out["Tidak Sehat Layak Huni"] = krt - out["Sehat Layak Huni"]
    out["Memiliki Tempat Pembuangan Sampah"] = np.rint(krt * expit(logit(jamban) + 0.3)).astype(np.int64)
    out["Memiliki SPAL/Pembuangan Air"] = np.rint(krt * expit(logit(jamban) - 0.2)).astype(np.int64)
    out["Memiliki Sarana MCK dan Septic Tank"] = np.rint(krt * jamban).astype(np.int64)
    out["PDAM"] = np.rint(krt * pdam).astype(np.int64)
    out["Sungai"] = np.minimum(np.rint(krt * sungai).astype(np.int64), krt - out["PDAM"])
    out["DLL"] = np.minimum(np.rint(krt * dll).astype(np.int64), krt - out["PDAM"] - out["Sungai"])
    out["Sumur"] = krt - out["PDAM"] - out["Sungai"] - out["DLL"]
    beras = 0.90 if madura else 0.98
    out["Beras"] = np.rint(krt * beras).astype(np.int64)
    out["Non Beras"] = krt - out["Beras"]
    out["Menempel Stiker P4K"] = np.minimum(ibu_hamil, noisy(ibu_hamil * rng.uniform(0.55, 0.95), 0.1))
    out["UP2K"] = noisy(krt * 0.07, 0.05)
    out["Pemanfaatan Tanah Pekarangan"] = np.rint(krt * np.clip(0.3 + 0.04 * months - 0.03 * dep, 0, 1)).astype(np.int64)
    out["Industri Rumah Tangga"] = noisy(krt * 0.05, 0.05)
    out["Kesehatan Lingkungan"] = np.rint(krt * np.clip(jamban - 0.1, 0, 1)).astype(np.int64)
    shares = Shares(krt=krt, jamban=jamban * np.ones_like(krt), safe_water=pdam * np.ones_like(krt),
                    rtlh=1 - house * np.ones_like(krt))
    return out, shares


def _style(rng: np.random.Generator, clean: bool) -> tuple[Style, str, str, bool]:
    """File style, Bulan style, kab/kota naming style, whether aliases are used."""
    if clean:
        return Style(), "iso", "official", False
    if rng.random() < 0.03:
        st = Style(fmt="xlsx", title=(TITLE,), blank_after_title=True, sheet="Rekap PKK")
    else:
        titled = rng.random() < 0.4
        st = Style(fmt="csv", delimiter=str(rng.choice([",", ";"])),
                   encoding=str(rng.choice(["utf-8", "utf-8-sig"], p=[0.8, 0.2])),
                   title=(TITLE,) if titled else (), blank_after_title=bool(rng.random() < 0.5))
    return (st, str(rng.choice(["iso", "slash", "text"])), str(rng.choice(["official", "eppgbm"])),
            bool(rng.random() < 0.3))


def write(kab: KabKota, ctx, res, counts: dict) -> Shares:
    rng = rng_for(ctx.seed, 400, kab.idx)
    values, shares = _counts(rng, kab, ctx, counts["desa_sex"])
    n_desa = len(kab.desa_kode)
    rate = 0.0 if ctx.clean else ctx.mess_rate * MESS_SHARE
    kec_names = np.array(kab.kec_nama, dtype=object)[kab.desa_kec]
    kec_keys = {smallmess.key(k) for k in kab.kec_nama}
    desa_keys_by_kec = [set() for _ in kab.kec_nama]
    for d, k in zip(kab.desa_nama, kab.desa_kec):
        desa_keys_by_kec[k].add(smallmess.key(d))
    for m in range(cohort.N_MONTHS):
        st, bulan_style, kab_style, alias = _style(rng, ctx.clean)
        label = str(cohort.FIRST_MONTH + m)
        kinds = smallmess.choose(rng, n_desa, rate, KINDS)
        # duplicates: the row again, right after itself
        order = []
        for d in range(n_desa):
            order.append((d, kinds[d]))
            if kinds[d].kind == "duplicate":
                order.append((d, kinds[d]))
        src = np.array([d for d, _ in order], dtype=np.int64)
        row_mess = [smallmess.RowMess("", "", "")] * len(order)
        seen = set()
        for i, (d, km) in enumerate(order):
            if km.kind == "duplicate":
                if d in seen:
                    row_mess[i] = km
                seen.add(d)
            elif km.kind:
                row_mess[i] = km
        kab_name = kab.nama if kab_style == "official" else kab.e_ppgbm_name
        cols = {
            "No": pc.cast(pa.array(np.arange(1, len(src) + 1)), pa.string()),
            "Kab/Kota": formats.constant(kab_name, len(src)),
            "Kec": formats.from_objects(kec_names[src]),
            "Desa/Kel": formats.from_objects(kab.desa_nama[src]),
            "Bulan": formats.constant(bulan_text(m, bulan_style), len(src)),
        }
        for name in MEASURES:
            cols[name] = pc.cast(pa.array(values[name][m][src]), pa.string())
        path_rel = f"pkk/{label}/{kab.kode}_{label}.{'xlsx' if st.fmt == 'xlsx' else 'csv'}"
        changes, lines = [], []
        for i, rm in enumerate(row_mess):
            if not rm.kind:
                continue
            d = int(src[i])
            r = int(rng.integers(0, 1 << 30))
            if rm.kind == "wilayah_variant":
                col = ["Kab/Kota", "Kec", "Desa/Kel"][r % 3]
                cur = cols[col][i].as_py()
                new = {"Kab/Kota": (kab.e_ppgbm_name if kab_style == "official" else kab.nama).lower(),
                       "Kec": f"Kec. {cur}", "Desa/Kel": f"{'Kel.' if kab.desa_jenis[d] == 'Kelurahan' else 'Desa'} {cur}"}[col]
            elif rm.kind == "kabkota":
                col, cur, new = "Kab/Kota", kab_name, smallmess.other_kabkota(r)
            elif rm.kind == "kecamatan":
                col, cur, new = "Kec", kec_names[d], smallmess.other_kecamatan(kec_keys, r)
            elif rm.kind == "desa":
                col, cur = "Desa/Kel", kab.desa_nama[d]
                new = smallmess.other_desa(desa_keys_by_kec[kab.desa_kec[d]], r)
            elif rm.kind == "bad_number":  # typed by hand: a letter O, a stray character
                col, cur = "Jml KK", cols["Jml KK"][i].as_py()
                new = [cur.replace("0", "O", 1) if "0" in cur else f"{cur}a", f"{cur}..", f"{cur} KK"][r % 3]
            else:  # duplicate: the cells stay as they are
                lines.append(("pkk", path_rel, st.header_row + 1 + i, i + 1, "duplicate", "Desa/Kel",
                              "duplicate", f"row {st.header_row + i}", ""))
                continue
            changes.append((i, col, new))
            lines.append(("pkk", path_rel, st.header_row + 1 + i, i + 1, rm.kind, col, rm.outcome, cur, new))
        for col in {c for _, c, _ in changes}:
            rows = np.array([i for i, c, _ in changes if c == col])
            cols[col] = formats.patch(cols[col], rows, [v for _, c, v in changes if c == col])
        header = ["No", "Kab/Kota", "Kec", "Desa/Kel", "Bulan"] + MEASURES
        written = [ALIASES.get(h, h) if alias else h for h in header]
        table = Table(written, [cols[h] for h in header],
                      numeric_columns=tuple(range(5, len(header))) + (0,))
        path = ctx.out_dir / path_rel
        formats.write_table(path, table, st)
        entry = {"path": path_rel, "source": "pkk", "kode_kabkota": kab.kode, "month": label,
                 "format": st.fmt, "delimiter": st.delimiter if st.fmt == "csv" else None,
                 "header_row": st.header_row, "title_rows": st.title_rows, "bulan_style": bulan_style}
        entry.update(smallmess.accounting(row_mess))
        res.files.append(entry)
        res.manifest_rows += lines
    return shares
