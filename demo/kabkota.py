"""Everything one kab/kota contributes: its cohort, its 24 posyandu files, and the PKK and SPM
files that build on the same children. One call per kab/kota; calls are independent (own
random streams), so they can run in parallel and the bytes do not depend on the order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demo import cohort, corrupt, formats, lms, mess, pkk, posyandu, spm
from demo.formats import Table
from demo.reference import KabKota, Target, effective_balita, rng_for

CHANGE_COLUMNS = ("Kab/Kota", "Kec", "Desa/Kel", "Posyandu", "JK", "Tgl Lahir", "Tanggal Pengukuran",
                  "Berat", "Tinggi", "Cara Ukur")  # fmt: skip
NIK_USABLE = (posyandu.NIK_VALID, posyandu.NIK_APOSTROPHE)  # the pipeline keys these on the NIK
MANIFEST_FIELDS = ("source", "file", "physical_row", "data_row", "kind", "column", "expected",
                   "original", "written")  # fmt: skip


@dataclass(frozen=True)
class Context:
    out_dir: Path
    seed: int
    scale: float
    min_balita: int
    mess_rate: float
    clean: bool
    targets: dict[str, Target]


@dataclass
class KabResult:
    kode: str
    files: list[dict] = field(default_factory=list)
    manifest_rows: list[tuple] = field(default_factory=list)
    calibration: dict = field(default_factory=dict)
    children: int = 0
    visits: int = 0
    seconds: float = 0.0


def _month_order(kids: cohort.Children, v: cohort.Visits, idx: np.ndarray) -> np.ndarray:
    """Rows of one month as an export lists them: by posyandu (so by kecamatan and desa, since
    posyandu are numbered in code order), then date, then child."""
    return idx[np.lexsort((v.child[idx], v.day[idx], kids.pos[v.child[idx]]))]


def _staged_numbers(kinds: list[str], src: np.ndarray, v, g, ms):
    """The numbers the pipeline will stage for each output row (weight kg, length cm, measure)."""
    w = ms.weight_dag[src] / 100
    ln = ms.rec_mm[src] / 10
    meas = np.where(ms.standing[src], "h", "l").astype(object)
    k = np.array(kinds, dtype=object)
    w = np.where(k == "missing_berat", np.nan, np.where(k == "weight_grams", ms.weight_dag[src] * 10.0, w))
    ln = np.where(k == "missing_tinggi", np.nan, ln)
    ln = np.where(k == "height_mm", ms.rec_mm[src] * 1.0, ln)
    ln = np.where(k == "lying_after_24m", g.eq_mm[src] / 10, ln)
    ln = np.where(k == "standing_before_24m", (g.eq_mm[src] - 7) / 10, ln)
    meas = np.where(k == "lying_after_24m", "l", np.where(k == "standing_before_24m", "h", meas))
    meas = np.where(k == "missing_cara_ukur", "", meas)
    return w, ln, meas.astype(str)


def _output_rows(kids: cohort.Children, v: cohort.Visits, mp: mess.MessPlan, is_dup: np.ndarray,
                 m: int) -> tuple[np.ndarray, np.ndarray]:
    """Visits written to month m's file, in order, and which are copies: the month's rows, each
    in-file duplicate right after its original or at the end, then the previous month's rows
    that this export repeats."""
    base = _month_order(kids, v, np.flatnonzero(v.month == m))
    after = is_dup[base] & (mp.variant[base] % 2 == 1)
    at_end = base[is_dup[base] & (mp.variant[base] % 2 == 0)]
    body = np.repeat(base, 1 + after)
    body_copy = np.zeros(len(body), bool)
    body_copy[np.flatnonzero(np.repeat(after, 1 + after))[1::2]] = True
    re_rows = mp.reexport.get(m, np.zeros(0, np.int64))
    src = np.concatenate([body, at_end, re_rows]).astype(np.int64)
    copy_kind = np.concatenate([np.where(body_copy, "duplicate_in_file", ""),
                                np.full(len(at_end), "duplicate_in_file"),
                                np.full(len(re_rows), "reexport")]).astype(object)
    return src, copy_kind


def write_posyandu(kab: KabKota, ctx: Context, res: KabResult) -> dict:
    """The 24 monthly e-PPGBM files of one kab/kota. Returns the counts the SPM and PKK files
    build on (balita per posyandu and desa per month, weighed per posyandu per month)."""
    rng = rng_for(ctx.seed, 300, kab.idx)
    target = ctx.targets[kab.kode]
    params = cohort.kab_params(rng_for(ctx.seed, 301, kab.idx), target.p2024 / 100, target.p2025 / 100)
    kids = cohort.make_children(rng, kab, effective_balita(kab, ctx.scale, ctx.min_balita))
    buka = cohort.hari_buka(rng_for(ctx.seed, 302, kab.idx), len(kab.pos_nama))
    v = cohort.schedule(rng_for(ctx.seed, 303, kab.idx), kids, params, buka)
    plans = posyandu.plan_files(rng_for(ctx.seed, 304, kab.idx), kab, ctx.clean)
    has_ext = np.array([p.extraction_day is not None for p in plans])
    rate = 0.0 if ctx.clean else ctx.mess_rate
    mp = mess.plan_mess(rng_for(ctx.seed, 305, kab.idx), len(v), v.month, v.age, has_ext, rate)
    g = cohort.grow(rng_for(ctx.seed, 306, kab.idx), kids, v, ~mess.breaks_haz(mp.kind), kab, params)
    persons = posyandu.make_persons(rng_for(ctx.seed, 307, kab.idx), kab, kids, ctx.clean)
    ms = posyandu.measures(rng_for(ctx.seed, 308, kab.idx), kids, v, g, mp.kind)
    kt = posyandu.kab_text(kab)
    all_desa_upper = [d.upper() for d in kab.desa_nama]
    other_desa = [all_desa_upper[i] for i in rng_for(ctx.seed, 309, kab.idx).choice(
        len(all_desa_upper), size=min(30, len(all_desa_upper)), replace=False)]
    kind_names = mess.kind_names(mp.kind)
    is_dup = np.zeros(len(v), bool)
    is_dup[mp.duplicate_of] = True
    # Where each visit was written (file index, physical row), for the re-export lines.
    file_of = np.full(len(v), -1, np.int32)
    phys_of = np.full(len(v), -1, np.int64)
    ctxd = {"visits": v, "kids": kids, "measures": ms, "growth": g}
    for plan in plans:
        st = plan.style
        src, copy_kind = _output_rows(kids, v, mp, is_dup, plan.month)
        phys = st.header_row + 1 + np.arange(len(src))
        original = copy_kind == ""
        file_of[src[original]] = plan.month
        phys_of[src[original]] = phys[original]
        cols = posyandu.file_columns(plan, src, kab, kt, kids, persons, v, ms)
        kinds = np.where(original, kind_names[src], copy_kind)
        changes, lines = [], []
        for i in np.flatnonzero(kinds != ""):
            vi, kind, row = int(src[i]), str(kinds[i]), (int(phys[i]), int(i) + 1)
            if not original[i]:
                key_col = "NIK" if persons.nik_form[v.child[vi]] in NIK_USABLE else "Nama"
                origin = (f"row {phys_of[vi]}" if kind == "duplicate_in_file"
                          else f"{plans[file_of[vi]].path} row {phys_of[vi]}")
                lines.append(("posyandu", plan.path, *row, kind, key_col, "duplicate", origin, ""))
                continue
            cells = {c: cols[c][int(i)].as_py() for c in CHANGE_COLUMNS}
            kec_i = kab.desa_kec[kids.desa[v.child[vi]]]
            ch = corrupt.change_for(kind, int(mp.variant[vi]), vi, cells, st, plan.extraction_day,
                                    kab, kt.kec_keys, other_desa, kt.desa_keys_by_kec[kec_i], ctxd)
            changes.append((int(i), ch))
            orig = "|".join(cells.get(c) or "" for c in ch.cells)
            new = "|".join(x or "" for x in ch.cells.values())
            lines.append(("posyandu", plan.path, *row, kind, ",".join(ch.cells), mess.outcome(kind), orig, new))
        corrupt.apply(changes, cols)
        table = Table(
            header=[h for _, h in plan.header],
            columns=[cols[c] for c, _ in plan.header],
            numeric_columns=tuple(i for i, (c, _) in enumerate(plan.header) if c in posyandu.NUMERIC),
            date_columns=tuple(i for i, (c, _) in enumerate(plan.header) if c in posyandu.DATES),
        )
        path = ctx.out_dir / plan.path
        formats.write_table(path, table, st)
        res.manifest_rows += lines
        res.files.append(_file_entry(plan, kab, src, list(kinds), v, g, ms, kids, persons))
    res.children = len(kids)
    res.visits = len(v)
    res.calibration = {
        "counted_2024": g.counted[2024], "stunted_2024": g.stunted[2024],
        "counted_2025": g.counted[2025], "stunted_2025": g.stunted[2025],
        "shortfall": g.shortfall,
    }
    return _counts(kab, kids, v)


def _file_entry(plan, kab, src, kinds, v, g, ms, kids, persons) -> dict:
    """What the pipeline must make of this file, counted from the truth."""
    st = plan.style
    rejects: dict[str, int] = {}
    staged = np.ones(len(src), bool)
    for i, k in enumerate(kinds):
        if k and mess.is_reject(k):
            reason = mess.outcome(k)
            rejects[reason] = rejects.get(reason, 0) + 1
            staged[i] = False
    w, ln, meas = _staged_numbers(kinds, src, v, g, ms)
    sex = kids.sex[v.child[src]]
    age = v.age[src]
    haz = lms.haz(sex, age, ln, meas)[staged]
    waz = lms.waz(sex, age, w)[staged]
    whz = lms.whz(sex, age, w, ln, meas)[staged]
    nik_ok = np.isin(persons.nik_form[v.child[src]], NIK_USABLE)[staged]
    k = np.array(kinds, dtype=object)
    return {
        "path": plan.path, "source": "posyandu", "kode_kabkota": kab.kode,
        "month": str(cohort.FIRST_MONTH + plan.month), "format": st.fmt,
        "delimiter": st.delimiter if st.fmt == "csv" else None,
        "decimal": st.decimal, "date_style": st.date_style,
        "encoding": st.encoding if st.fmt == "csv" else None,
        "newline": ("CRLF" if st.newline == "\r\n" else "LF") if st.fmt == "csv" else None,
        "sheet": st.sheet if st.fmt == "xlsx" else None,
        "header_row": st.header_row, "title_rows": st.title_rows,
        "extraction_date": (None if plan.extraction_day is None
                            else str(cohort.EPOCH + plan.extraction_day)),
        "rows_read": len(src), "rows_staged": int(staged.sum()),
        "rows_rejected": int((~staged).sum()), "rejects": dict(sorted(rejects.items())),
        "flags": {"flen": int(np.sum(np.abs(haz) > 6)), "fwei": int(np.sum((waz < -6) | (waz > 5))),
                  "fwfl": int(np.sum(np.abs(whz) > 5))},
        "adjusted": int(np.isin(k, ["lying_after_24m", "standing_before_24m"]).sum()),
        "key_nik": int(nik_ok.sum()), "key_name": int((~nik_ok).sum()),
    }


def _counts(kab: KabKota, kids: cohort.Children, v: cohort.Visits) -> dict:
    """Balita living in each posyandu's and desa's area (mid-month) and those weighed."""
    n_pos, n_desa = len(kab.pos_nama), len(kab.desa_kode)
    s_pos = np.zeros((cohort.N_MONTHS, n_pos), np.int32)
    d_pos = np.zeros((cohort.N_MONTHS, n_pos), np.int32)
    desa_sex = np.zeros((cohort.N_MONTHS, n_desa, 2), np.int32)
    for m in range(cohort.N_MONTHS):
        mid = cohort.month_start_day(m) + 14
        age = mid - kids.birth
        alive = (age >= 0) & (age <= cohort.MAX_AGE)
        s_pos[m] = np.bincount(kids.pos[alive], minlength=n_pos)
        for s in (1, 2):
            sel = alive & (kids.sex == s)
            desa_sex[m, :, s - 1] = np.bincount(kids.desa[sel], minlength=n_desa)
        d_pos[m] = np.bincount(kids.pos[v.child[v.month == m]], minlength=n_pos)
    return {"s_pos": s_pos, "d_pos": d_pos, "desa_sex": desa_sex}


def run(kab: KabKota, ctx: Context) -> KabResult:
    t0 = time.perf_counter()
    res = KabResult(kab.kode)
    counts = write_posyandu(kab, ctx, res)
    shares = pkk.write(kab, ctx, res, counts)
    spm.write(kab, ctx, res, counts, shares)
    res.seconds = time.perf_counter() - t0
    return res
