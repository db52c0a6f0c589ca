"""Hand-built weighing sequences for the SKDN tests, each child alone in its own posyandu (so a
posyandu's counts are that child's status), with the statuses domain.md 1.6 gives them written
beside the rows. Months 2025-01 to 2025-06; every child weighed in January is B there (the first
month of the data). KBM (pipelines/reference/kbm.csv): 1 month 800 g, 2 months 900 g, 5 months
500 g, 6-7 months 400 g, 10 months 300 g, 11 months and over 200 g."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

KAB, KEC, DESA = "35.07", "35.07.01", "35.07.01.2001"
LOADED_AT = datetime(2025, 7, 1, 8, 0)


@dataclass
class Timbang:
    day: date
    weight: float | None            # None: measured, not weighed (height only)
    naik_bb: str | None = None      # the export's `Naik Berat Badan`
    kia: str | None = None          # the export's `KIA`
    zwei: float = -0.5
    fwei: int = 0


@dataclass
class Anak:
    key: str
    birth: date
    visits: list[Timbang]
    status: dict[str, str]          # month -> N, T, O or B
    t2: set[str] = field(default_factory=set)
    bgm: set[str] = field(default_factory=set)

    @property
    def posyandu_key(self) -> str:
        return f"{DESA}|{self.key.upper()}"


def d(month: int, day: int = 10) -> date:
    return date(2025, month, day)


CHILDREN = [
    # 5 months at the February weighing: KBM 500 g; +500 g is exactly the KBM: N
    Anak("kbm_tepat", date(2024, 9, 1),
         [Timbang(d(1), 6.0, kia="Ya"), Timbang(d(2), 6.5, naik_bb="N", kia="Ya")],
         {"2025-01": "B", "2025-02": "N"}),
    # one gram less than the KBM: T (the export says N: a disagreement)
    Anak("kbm_kurang", date(2024, 9, 1),
         [Timbang(d(1), 6.0, kia="Tidak"), Timbang(d(2), 6.499, naik_bb="N", kia="Tidak")],
         {"2025-01": "B", "2025-02": "T"}),
    # 8.2 - 8.0 is 0.19999999999999929 in floating point: still the 200 g KBM, N
    Anak("kbm_desimal", date(2023, 11, 1),
         [Timbang(d(1), 8.0), Timbang(d(2), 8.2, naik_bb="N")],
         {"2025-01": "B", "2025-02": "N"}),
    # the KBM of the age at this weighing: +250 g at 10 months (300 g) T, at 11 months (200 g) N
    Anak("umur_batas", date(2024, 4, 5),
         [Timbang(d(1), 8.0), Timbang(d(2), 8.25, naik_bb="T"), Timbang(d(3), 8.5, naik_bb="N")],
         {"2025-01": "B", "2025-02": "T", "2025-03": "N"}),
    # no weighing in February: March is O (weighed before, gain cannot be judged), April N again,
    # June O after a missed May
    Anak("celah", date(2023, 6, 1),
         [Timbang(d(1), 10.0), Timbang(d(3), 10.5), Timbang(d(4), 10.7), Timbang(d(6), 11.0)],
         {"2025-01": "B", "2025-03": "O", "2025-04": "N", "2025-06": "O"}),
    # T in February, March (flat) and April (down): 2T in March and April
    Anak("dua_t", date(2023, 6, 1),
         [Timbang(d(1), 9.0), Timbang(d(2), 9.1, naik_bb="T"), Timbang(d(3), 9.1, naik_bb="T"),
          Timbang(d(4), 9.0, naik_bb="N"), Timbang(d(5), 9.5, naik_bb="N")],
         {"2025-01": "B", "2025-02": "T", "2025-03": "T", "2025-04": "T", "2025-05": "N"},
         t2={"2025-03", "2025-04"}),
    # T, a missed month, O, T: the T before the gap does not make May a 2T
    Anak("t_celah_t", date(2023, 6, 1),
         [Timbang(d(1), 9.0), Timbang(d(2), 9.0), Timbang(d(4), 9.0), Timbang(d(5), 9.0)],
         {"2025-01": "B", "2025-02": "T", "2025-04": "O", "2025-05": "T"}),
    # born in February, first weighed in March (0 months): B; 1 month +900 g >= 800 N; 2 months
    # +800 g < 900 T
    Anak("baru_maret", date(2025, 2, 20),
         [Timbang(d(3, 5), 3.5), Timbang(d(4, 5), 4.4), Timbang(d(5, 5), 5.2)],
         {"2025-03": "B", "2025-04": "N", "2025-05": "T"}),
    # BGM: WAZ -3.2 (below -3); -3.0 is not below -3; a flagged WAZ is not used
    Anak("bgm", date(2023, 6, 1),
         [Timbang(d(1), 7.0, zwei=-3.2), Timbang(d(2), 7.3, zwei=-3.0),
          Timbang(d(3), 7.4, zwei=-6.5, fwei=1)],
         {"2025-01": "B", "2025-02": "N", "2025-03": "T"}, bgm={"2025-01"}),
    # two weighings in February: the later one counts (+600 g at 7 months, KBM 400: N), once
    Anak("dua_kali", date(2024, 7, 15),
         [Timbang(d(1), 7.0), Timbang(d(2, 5), 7.1), Timbang(d(2, 20), 7.6)],
         {"2025-01": "B", "2025-02": "N"}),
    # measured without a weight in February: not weighed, so March is O
    Anak("tanpa_berat", date(2023, 6, 1),
         [Timbang(d(1), 10.0), Timbang(d(2), None), Timbang(d(3), 10.3)],
         {"2025-01": "B", "2025-03": "O"}),
    # 61 months old: not a balita, never counted
    Anak("umur_60", date(2019, 12, 1), [Timbang(d(1), 15.0), Timbang(d(2), 15.1)], {}),
]


def staging_rows() -> list[dict]:
    """stg_pengukuran rows: one file per month (`skdn-2025-MM`), rows numbered in it."""
    rows: list[dict] = []
    counters: dict[str, int] = {}
    for child in CHILDREN:
        for v in child.visits:
            file = f"skdn-{v.day:%Y-%m}"
            counters[file] = counters.get(file, 0) + 1
            age_days = (v.day - child.birth).days
            rows.append({
                "file_sha256": file, "row_number": counters[file],
                "child_key": f"key-{child.key}", "child_key_source": "nik", "sex": 1,
                "birth_date": child.birth, "measurement_date": v.day, "age_days": age_days,
                "age_months": int(age_days // 30.4375),
                "kode_kabkota": KAB, "kode_kecamatan": KEC, "kode_desa": DESA,
                "posyandu_key": child.posyandu_key, "posyandu_nama": child.key,
                "weight_kg": v.weight, "lenhei_cm": 80.0, "measure": "l",
                "zlen": -0.5, "flen": 0, "zwei": v.zwei if v.weight else None,
                "fwei": v.fwei if v.weight else None, "zwfl": -0.5, "fwfl": 0,
                "naik_bb": v.naik_bb, "loaded_at": LOADED_AT,
                "_kia": v.kia,
            })
    return rows


def raw_rows(staged: list[dict]) -> list[dict]:
    """raw_pengukuran rows behind the staged ones (the `KIA` answer and the export's `No`)."""
    return [{"file_sha256": r["file_sha256"], "file_name": f"{r['file_sha256']}.csv",
             "row_number": r["row_number"], "loaded_at": LOADED_AT, "kia": r["_kia"],
             "no": str(r["row_number"])} for r in staged]


def load_files_rows(staged: list[dict]) -> list[dict]:
    counts: dict[str, int] = {}
    for r in staged:
        counts[r["file_sha256"]] = counts.get(r["file_sha256"], 0) + 1
    return [{"file_sha256": f, "source": "posyandu", "file_name": f"{f}.csv", "format": "csv",
             "rows_read": n, "rows_staged": n, "rows_rejected": 0, "loaded_at": LOADED_AT}
            for f, n in sorted(counts.items())]


def expected_statuses() -> dict[tuple[str, str], str]:
    return {(c.posyandu_key, m): s for c in CHILDREN for m, s in c.status.items()}
