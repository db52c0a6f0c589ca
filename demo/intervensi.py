"""Daily intervention reports (docs/contracts.md 1.4) for 10 November - 5 December 2025 in the
kab/kota of the DPMD / TP Posyandu programme: ramping up over the first days, then steady;
a few kab/kota fall behind (slower start, lower level, days without a report)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo import formats, smallmess
from demo.formats import Style, Table
from demo.reference import AMBIGUOUS_BARE, KabKota, rng_for

START = dt.date(2025, 11, 10)
END = dt.date(2025, 12, 5)
ACTIVITIES = ["Balita Diukur Ulang", "Stunting Terkonfirmasi Nakes", "Dirujuk ke Puskesmas",
              "Hari PMT Lokal", "Kunjungan Rumah", "Kader Dilatih", "Kelas Ibu Balita"]  # fmt: skip
TARGET_BALITA = 250  # PMT packages per kab/kota (reported for Jember and Kota Pasuruan)
TARGET_KADER = 20
N_BEHIND = 4
# The campaign's default targets per kab/kota over the window (config/campaigns.toml
# [campaign.activity_targets]; a test keeps the two equal). On-track kab/kota end at about
# 110-125 % of them (ahead of a linear pace once the first days are past), the lagging ones
# at about half.
CAMPAIGN_TARGETS = {"Balita Diukur Ulang": 250, "Stunting Terkonfirmasi Nakes": 100,
                    "Dirujuk ke Puskesmas": 50, "Hari PMT Lokal": 5000, "Kunjungan Rumah": 500,
                    "Kader Dilatih": TARGET_KADER, "Kelas Ibu Balita": 200}


def _daily(rng: np.random.Generator, k: KabKota, behind: bool, n_days: int, p_stunting: float) -> dict:
    """Whole-kab/kota counts per day for each activity: a logistic ramp-up over the first days
    (later and lower where the kab/kota falls behind), then steady; Saturdays carry half a
    working day's work, Sundays a tenth."""
    t = np.arange(n_days)
    weekday = np.array([(START + dt.timedelta(days=int(i))).weekday() for i in t])
    mid = rng.uniform(8, 12) if behind else rng.uniform(0.5, 2.0)
    level = rng.uniform(0.45, 0.65) if behind else rng.uniform(1.1, 1.25)
    ramp = 1 / (1 + np.exp(-(t - mid) / 1.2))
    share = ramp * np.where(weekday == 6, 0.1, np.where(weekday == 5, 0.5, 1.0))
    share = share / share.sum()  # each day's part of the whole window's work

    def spread(activity: str) -> np.ndarray:
        return rng.poisson(CAMPAIGN_TARGETS[activity] * level * share)

    re = spread("Balita Diukur Ulang")
    confirm_rate = np.clip(0.3 + 1.5 * p_stunting + rng.normal(0, 0.04), 0.15, 0.8)
    confirmed = rng.binomial(re, confirm_rate)
    referred = rng.binomial(confirmed, rng.uniform(0.45, 0.6))
    pmt = np.minimum(spread("Hari PMT Lokal"), TARGET_BALITA)  # at most every sasaran, once a day
    visits = spread("Kunjungan Rumah")
    kelas = spread("Kelas Ibu Balita")
    kader = np.zeros(n_days, np.int64)
    train_day = int(rng.integers(8, 14) if behind else rng.integers(1, 7))
    first = int(rng.integers(10, TARGET_KADER + 1))
    kader[train_day] = first
    kader[min(train_day + 1, n_days - 1)] += TARGET_KADER - first
    return {"Balita Diukur Ulang": re, "Stunting Terkonfirmasi Nakes": confirmed,
            "Dirujuk ke Puskesmas": referred, "Hari PMT Lokal": pmt, "Kunjungan Rumah": visits,
            "Kader Dilatih": kader, "Kelas Ibu Balita": kelas}


def write(kabs: list[KabKota], ctx, targets) -> tuple[list[dict], list[tuple], dict]:
    """All report files; returns (file entries, manifest lines, the plan per kab/kota)."""
    if not kabs:
        return [], [], {}
    rng = rng_for(ctx.seed, 600)
    n_days = (END - START).days + 1
    behind = set(rng.choice([k.kode for k in kabs], size=min(N_BEHIND, len(kabs) - 1), replace=False).tolist())
    files, lines, plan = [], [], {}
    # Mess: a handful of rows over the whole set, each kind at least once when there is mess.
    mess_kinds = [] if ctx.clean else ["kabkota", "kecamatan", "bad_number", "duplicate"]
    mess_at = {}
    for kind in mess_kinds:
        k = kabs[int(rng.integers(0, len(kabs)))]
        if kind == "kabkota":  # a bare name shared by a Kabupaten and a Kota
            k = next((x for x in kabs if x.bare in AMBIGUOUS_BARE), k)
        mess_at.setdefault((k.kode, int(rng.integers(3, n_days))), []).append(kind)
    for k in kabs:
        krng = rng_for(ctx.seed, 601, k.idx)
        is_behind = k.kode in behind
        daily = _daily(krng, k, is_behind, n_days, targets[k.kode].p2025 / 100)
        per_kec = bool(krng.random() < 0.5)
        kecs = (sorted(krng.choice(len(k.kec_nama), size=min(len(k.kec_nama), int(krng.integers(3, 7))),
                                   replace=False).tolist()) if per_kec else [])
        with_kelas = bool(krng.random() < 0.7)
        date_style = "iso" if ctx.clean else str(krng.choice(["iso", "dmy_slash"]))
        kab_name = k.nama if krng.random() < 0.5 else k.e_ppgbm_name
        pelapor = f"TP Posyandu {k.nama}" if krng.random() < 0.6 else f"DPMD {k.nama}"
        skip = krng.random(n_days) < (0.3 if is_behind else 0.0)
        skip[[d for (kode, d) in mess_at if kode == k.kode]] = False  # mess needs a file to sit in
        plan[k.kode] = {"behind": is_behind, "per_kecamatan": per_kec,
                        "kecamatan": [k.kec_kode[i] for i in kecs], "days_reported": int((~skip).sum())}
        acts = ACTIVITIES if with_kelas else ACTIVITIES[:-1]
        for d in range(n_days):
            if skip[d]:
                continue
            day = START + dt.timedelta(days=d)
            if per_kec:
                n_rows = len(kecs)
                split = {a: krng.multinomial(int(daily[a][d]), np.full(n_rows, 1 / n_rows)) for a in acts}
                kec_col = [k.kec_nama[i] for i in kecs]
            else:
                n_rows = 1
                split = {a: np.array([daily[a][d]]) for a in acts}
                kec_col = [None]
            note = ("Pelatihan kader posyandu" if daily["Kader Dilatih"][d] > 0
                    else f"Distribusi PMT hari ke-{d + 1}" if krng.random() < 0.15 else None)
            cols = {
                "Tanggal": formats.constant(formats.fmt_date((day - formats.EPOCH).days, date_style), n_rows),
                "Kab/Kota": formats.constant(kab_name, n_rows),
                "Kec": pa.array(kec_col, pa.string()),
                "Pelapor": formats.constant(pelapor, n_rows),
            }
            for a in acts:
                cols[a] = pc.cast(pa.array(split[a]), pa.string())
            cols["Keterangan"] = formats.constant(note, n_rows)
            rows_mess = [smallmess.RowMess("", "", "")] * n_rows
            path_rel = f"intervensi/{k.kode}_{day:%Y-%m-%d}.csv"
            st = Style()
            for kind in mess_at.get((k.kode, d), []):
                i = int(krng.integers(0, n_rows))
                phys = st.header_row + 1 + i
                if kind == "duplicate":
                    cols = {c: pa.concat_arrays([a, a.slice(i, 1)]) for c, a in cols.items()}
                    rows_mess = rows_mess + [smallmess.RowMess("duplicate", "duplicate", "Tanggal")]
                    n_rows += 1
                    lines.append(("intervensi", path_rel, st.header_row + n_rows, n_rows, "duplicate",
                                  "Tanggal", "duplicate", f"row {phys}", ""))
                    continue
                if kind == "kabkota":
                    col, new = "Kab/Kota", k.bare
                elif kind == "kecamatan":
                    col = "Kec"
                    new = smallmess.other_kecamatan({smallmess.key(x) for x in k.kec_nama}, d)
                else:
                    col = "Kunjungan Rumah"
                    new = f"{cols[col][i].as_py()}a"
                lines.append(("intervensi", path_rel, phys, i + 1, kind, col, kind, cols[col][i].as_py() or "", new))
                cols[col] = formats.patch(cols[col], np.array([i]), [new])
                rows_mess[i] = smallmess.RowMess(kind, kind, col)
            header = list(cols)
            formats.write_table(ctx.out_dir / path_rel, Table(header, [cols[h] for h in header]), st)
            entry = {"path": path_rel, "source": "intervensi", "kode_kabkota": k.kode,
                     "tanggal": day.isoformat(), "format": "csv", "delimiter": ",", "header_row": 1,
                     "title_rows": 0, "per_kecamatan": per_kec}
            entry.update(smallmess.accounting(rows_mess))
            files.append(entry)
    return files, lines, plan
