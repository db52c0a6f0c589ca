"""Reference data for the demo: the real wilayah code list, the kab/kota facts, the SPM catalogue,
and the synthetic layer on top (posyandu in every desa, puskesmas per kecamatan, targets)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from demo.names import posyandu_names
from pipelines.config import REFERENCE_DIR

# Balita aged 0-59 months served by one posyandu at full scale: 3.08 million / about 46,000.
BALITA_PER_POSYANDU = 67
# Intervention 2025: the kab/kota above the provincial SSGI 2024 (14.7 %) plus one good performer.
SSGI_2024_PROVINCIAL = 14.7
GOOD_PERFORMER = "35.11"  # Kabupaten Bondowoso, 32.0 -> 17.0 -> 11.2
AMBIGUOUS_BARE = ("KEDIRI", "BLITAR", "MALANG", "PROBOLINGGO", "PASURUAN", "MOJOKERTO", "MADIUN")


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """An independent stream per purpose, so changing one part never shifts another."""
    return np.random.default_rng(np.random.SeedSequence([seed, *keys]))


def load_wilayah() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "wilayah_jatim.csv", dtype=str, keep_default_na=False)


def load_kabkota() -> pd.DataFrame:
    df = pd.read_csv(REFERENCE_DIR / "jatim_kabkota.csv", dtype={"kode": str, "kode_bps": str})
    return df.sort_values("kode").reset_index(drop=True)


def load_spm_catalogue() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "spm_indikator.csv", dtype=str)


@dataclass
class KabKota:
    """One kab/kota with its synthetic service layer; arrays are indexed by desa or posyandu."""

    idx: int
    kode: str
    nama: str  # "Kabupaten Jember"
    jenis: str  # Kabupaten / Kota
    bare: str  # "JEMBER"
    ssgi_2022: float
    ssgi_2024: float
    balita_6_59: int
    kec_kode: list[str]
    kec_nama: list[str]
    desa_kode: np.ndarray  # str
    desa_nama: np.ndarray  # str
    desa_jenis: np.ndarray  # Desa / Kelurahan
    desa_kec: np.ndarray  # index into kec lists
    desa_weight: np.ndarray  # share of the kab/kota's balita
    desa_deprivation: np.ndarray  # standard-normal latent: worse water/sanitation, more stunting
    desa_puskesmas: np.ndarray  # puskesmas name ("Puskesmas Kencong")
    pos_desa: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # posyandu -> desa
    pos_nama: np.ndarray = field(default_factory=lambda: np.zeros(0, object))  # "Melati 3"

    @property
    def e_ppgbm_name(self) -> str:
        """How e-PPGBM writes the kab/kota: "KAB. JEMBER", "KOTA MALANG"."""
        return ("KAB. " if self.jenis == "Kabupaten" else "KOTA ") + self.bare


def _puskesmas(rng: np.random.Generator, n_puskesmas: int, kec_desa: list[np.ndarray],
               kec_nama: list[str], desa_nama: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """One puskesmas per kecamatan, a second in the most populous kecamatan up to the kab/kota's
    count; the second is named after a desa of the half of the kecamatan it serves."""
    out = np.empty(len(desa_nama), dtype=object)
    n_kec = len(kec_nama)
    extra = max(0, min(n_puskesmas, 2 * n_kec) - n_kec)
    pop = np.array([weights[d].sum() for d in kec_desa])
    second = set(np.argsort(-pop, kind="stable")[:extra].tolist())
    for k, desa in enumerate(kec_desa):
        out[desa] = f"Puskesmas {kec_nama[k]}"
        if k in second and len(desa) >= 2:
            half = desa[len(desa) // 2:]
            out[half] = f"Puskesmas {desa_nama[half[int(rng.integers(0, len(half)))]]}"
    return out


def build_kabkota(seed: int, scale: float, min_balita: int) -> list[KabKota]:
    """Every kab/kota with its kecamatan, desa, puskesmas and posyandu at this scale. Names and
    desa sizes depend on the seed only, so a larger scale adds posyandu without renaming any."""
    wil = load_wilayah()
    kab = load_kabkota()
    kec_rows = wil[wil.tingkat == "kecamatan"]
    desa_rows = wil[wil.tingkat == "desa_kelurahan"]
    out = []
    for idx, r in kab.iterrows():
        rng = rng_for(seed, 100, idx)
        kecs = kec_rows[kec_rows.kode_induk == r.kode].sort_values("kode")
        desa = desa_rows[desa_rows.kode_induk.isin(kecs.kode)].sort_values("kode")
        kec_index = {k: i for i, k in enumerate(kecs.kode)}
        desa_kec = desa.kode_induk.map(kec_index).to_numpy(np.int32)
        jenis = desa.jenis.to_numpy()
        # Desa sizes vary (lognormal); kelurahan are denser.
        w = rng.lognormal(0.0, 0.55, len(desa)) * np.where(jenis == "Kelurahan", 1.4, 1.0)
        w = w / w.sum()
        deprivation = rng.standard_normal(len(desa))
        kec_desa = [np.flatnonzero(desa_kec == i) for i in range(len(kecs))]
        pusk = _puskesmas(rng, int(r.jumlah_puskesmas_2024), kec_desa, kecs.nama.tolist(),
                          desa.nama.to_numpy(), w)
        bare = r.nama.replace("Kabupaten ", "").replace("Kota ", "").upper()
        k = KabKota(
            idx=int(idx), kode=r.kode, nama=r.nama, jenis=r.jenis, bare=bare,
            ssgi_2022=float(r.stunting_ssgi_2022), ssgi_2024=float(r.stunting_ssgi_2024),
            balita_6_59=int(r.jumlah_balita_6_59bln_2024),
            kec_kode=kecs.kode.tolist(), kec_nama=kecs.nama.tolist(),
            desa_kode=desa.kode.to_numpy(), desa_nama=desa.nama.to_numpy(), desa_jenis=jenis,
            desa_kec=desa_kec, desa_weight=w, desa_deprivation=deprivation, desa_puskesmas=pusk,
        )
        # Posyandu: about one per 67 balita at full scale (more in populous desa), scaled down
        # with the data but never below one per desa.
        balita_0_59 = k.balita_6_59 * 60 / 54
        full = np.maximum(1, np.rint(balita_0_59 * w / BALITA_PER_POSYANDU)).astype(int)
        n_pos = np.maximum(1, np.rint(full * min(1.0, scale))).astype(int)
        pos_desa, pos_nama = [], []
        name_rng = rng_for(seed, 101, idx)
        for d in range(len(desa)):
            names = posyandu_names(name_rng, int(full[d]))
            pos_desa += [d] * int(n_pos[d])
            pos_nama += names[: n_pos[d]]
        k.pos_desa = np.array(pos_desa, dtype=np.int32)
        k.pos_nama = np.array(pos_nama, dtype=object)
        out.append(k)
    return out


def effective_balita(k: KabKota, scale: float, min_balita: int) -> float:
    """Balita 6-59 months simulated for a kab/kota: the published count times the scale, with a
    floor so that the smallest kota still has hundreds of children."""
    return max(k.balita_6_59 * scale, float(min_balita))


@dataclass(frozen=True)
class Target:
    kode: str
    factor: float  # 2025 administrative value / SSGI 2024
    change: float  # relative 2024 -> 2025 move, sign = direction of SSGI 2022 -> 2024
    p2024: float  # percent
    p2025: float


def targets(kabs: list[KabKota], seed: int) -> dict[str, Target]:
    """Administrative prevalence targets per kab/kota and year.

    2025 = SSGI 2024 x factor. The move from 2024 to 2025 follows the survey's direction from
    SSGI 2022 to 2024 with a relative size of half the log ratio, bounded to 5-25 %:
    2024 = 2025 x (1 + m) when the survey fell, 2025 / (1 + m) when it rose. The factor is drawn
    uniformly within [1/6, 1/2] such that the 2024 value also stays within that band.
    """
    rng = rng_for(seed, 200)
    u = rng.random(len(kabs))
    out = {}
    for k, ui in zip(kabs, u):
        m = min(0.25, max(0.05, 0.5 * abs(math.log(k.ssgi_2024 / k.ssgi_2022))))
        fell = k.ssgi_2024 < k.ssgi_2022
        r = (1 + m) if fell else 1 / (1 + m)  # p2024 = r * p2025
        lo = (1 / 6) * max(1.0, 1 / r)
        hi = (1 / 2) * min(1.0, 1 / r)
        f = lo + ui * (hi - lo)
        p25 = k.ssgi_2024 * f
        out[k.kode] = Target(k.kode, f, (1 / r) - 1, p25 * r, p25)
    return out


def intervention_kabkota(kabs: list[KabKota]) -> list[KabKota]:
    return [k for k in kabs if k.ssgi_2024 > SSGI_2024_PROVINCIAL or k.kode == GOOD_PERFORMER]


def hierarchy_frame(kabs: list[KabKota]) -> pd.DataFrame:
    """One row per posyandu: the codes it sits in, its name and its puskesmas."""
    parts = []
    for k in kabs:
        d = k.pos_desa
        parts.append(pd.DataFrame({
            "kode_kabkota": k.kode,
            "kode_kecamatan": np.array(k.kec_kode, dtype=object)[k.desa_kec[d]],
            "kode_desa": k.desa_kode[d],
            "posyandu": k.pos_nama,
            "puskesmas": k.desa_puskesmas[d],
        }))
    return pd.concat(parts, ignore_index=True)
