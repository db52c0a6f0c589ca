"""Synthetic Indonesian names (children, parents, posyandu) and NIKs for the demo exports.

Nothing here is a real person: names are drawn from common given-name stems in Jawa Timur, and
NIKs follow the Dukcapil layout (PPKKCC DDMMYY SSSS; DD + 40 for girls) with invented serials.
"""

from __future__ import annotations

import numpy as np

BOY = ["MUHAMMAD", "AHMAD", "RIZKY", "FAJAR", "DIMAS", "BAYU", "ADITYA", "ARDIAN", "RAFA", "ALFARIZI", "ZIDAN", "FARHAN", "HAFIDZ", "ILHAM", "RAMADHAN", "AKBAR", "BIMA", "GILANG", "RANGGA", "YUSUF", "IBRAHIM", "FATIH", "ABIYYU", "ARKAN", "AZKA", "DAFFA", "HAIKAL", "RAFFI", "SATRIA", "WAHYU", "ANDIKA", "KEVIN", "NAUFAL", "RIDHO", "FIRMAN", "REZA", "ARYA", "DAVA", "ELVANO", "GIBRAN", "HANIF", "KHOIRUL", "MIFTAHUL", "NUR", "SYAHRUL", "TAUFIK", "ZAKY", "AFKAR", "ALVARO", "BAGUS", "DANENDRA", "ERLANGGA", "FAREL", "GALIH", "JUNA", "KENZO", "LUTFI", "MAULANA", "NAUFAL", "OKTA", "PANDU", "QUINSHA", "RAIHAN", "SAPUTRA", "TEGAR", "UMAR", "VINO", "WIRA", "YOGA", "ZAIDAN", "ABDUL", "ACHMAD", "AINUR", "BAGAS", "CAHYO", "DONI", "EKO", "FAHMI", "HARIS", "IQBAL", "JAKA", "KURNIAWAN", "MOCH", "SUGENG", "TRI", "AGUS", "ARIF"]

GIRL = ["SITI", "NUR", "AISYAH", "ZAHRA", "AULIA", "PUTRI", "NAYLA", "SALSABILA", "KHANZA", "AZZAHRA", "ALYA", "ANINDYA", "CITRA", "DEWI", "FITRI", "HANA", "INDAH", "JASMINE", "KEISHA", "LAILA", "MAHARANI", "NABILA", "QIRANI", "RAHMA", "SAFIRA", "TIARA", "UMI", "VANIA", "WULAN", "YASMIN", "ZASKIA", "ADINDA", "ALIFAH", "ARUM", "BUNGA", "CANTIKA", "DINDA", "ELSA", "FARAH", "GENDIS", "HASNA", "INTAN", "KIRANA", "LESTARI", "MAYA", "NADIA", "NAJWA", "OKTAVIA", "PRAMESTI", "RARA", "SEKAR", "TSABITA", "VIRA", "YUMNA", "ZAHIRA", "ANISA", "AMELIA", "AZIZAH", "DESI", "FATIMAH", "HUMAIRA", "KHOIRUNNISA", "LATIFAH", "MUTIARA", "NURUL", "RAISA", "SALWA", "SYIFA", "UMMU", "WARDAH", "AYU", "ANGGUN", "DWI", "ENDAH", "RATNA", "SRI", "TITIN"]

FAMILY = ["PRATAMA", "SAPUTRA", "WIJAYA", "HIDAYAT", "RAMADHANI", "KURNIAWAN", "SETIAWAN", "NUGROHO", "SANTOSO", "WIBOWO", "FIRMANSYAH", "HAKIM", "MAULANA", "ALFARIZI", "ALFATIH", "ARDIANSYAH", "PERMANA", "SUSANTO", "HARIYANTO", "PURNOMO", "PRASETYO", "SUGIARTO", "WAHYUDI", "HIDAYATULLAH", "AL-FATIH", "ABIDIN", "ANSHORI", "MUBAROK", "ZULKARNAIN", "KHOLIFAH", "AZ-ZAHRA", "SAFITRI", "LESTARI", "RAHAYU", "PUSPITASARI", "ANGGRAINI", "WULANDARI", "KUSUMA", "NINGSIH", "NINGRUM", "RAHMAWATI", "HANDAYANI", "FAUZIAH", "MAHMUDAH", "SHOLIHAH", "MAGHFIROH"]

FATHER = ["SUPRIYADI", "SUGIANTO", "SLAMET", "BAMBANG", "SUTRISNO", "HARIYONO", "MOCHAMAD", "ABDUL", "ACHMAD", "SAIFUL", "MUHAMMAD", "NURHADI", "JOKO", "BUDI", "AGUS", "HENDRA", "EKO", "DWI", "YUDI", "WAHYUDI", "IMAM", "ROHMAN", "SAMSUL", "FATHOR", "HOLILI", "MATRAWI", "SUNARTO", "KASIANTO", "SUPARMAN", "RUDI", "ARIF", "ANDI", "TAUFIQ", "KHOIRUL", "MASHURI", "SUHARTONO", "ZAINAL", "MISNADI", "SUKARDI", "MOH"]

MOTHER = ["SITI", "NUR", "ENDANG", "SRI", "SUMIATI", "RATNA", "YULI", "DEWI", "LILIS", "NINING", "TITIK", "WATI", "ANIK", "MASRUROH", "MUNAWAROH", "KHOIRIYAH", "ROHMAH", "FATIMAH", "HOLIFAH", "SUNARSIH", "SUPRIHATIN", "LAILATUL", "NURUL", "UMI", "ENDAH", "RINI", "WIWIK", "YUNI", "DIAH", "ISTIQOMAH", "MUSRIFAH", "MARYAM", "HALIMAH", "JUWARIYAH", "ROSIDAH"]

# Posyandu themes as they appear across Jawa Timur: flowers, fruit, birds and a few mottos.
POSYANDU_THEMES = ["Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Seruni", "Teratai", "Bougenvil", "Kamboja", "Tulip", "Asoka", "Nusa", "Indah", "Sakura", "Lily", "Srikandi", "Kartini", "Sejahtera", "Harapan", "Bunda", "Bina", "Sehat", "Sehati", "Pelita", "Cendrawasih", "Merpati", "Kutilang", "Nuri", "Delima", "Manggis", "Apel", "Jeruk", "Sawo", "Rambutan", "Matahari", "Bintang", "Permata", "Mekar", "Sari", "Tunas", "Harapan", "Kasih", "Ibu", "Bhakti", "Husada", "Sumber", "Waras", "Lestari", "Ceria", "Pelangi", "Kencana", "Arum", "Dalu", "Wijaya", "Kusuma", "Ngudi", "Waras", "Tanjung", "Gading"]
# Two-word themes are kept whole.
_MULTI = {("Nusa", "Indah"), ("Harapan", "Bunda"), ("Bina", "Sehat"), ("Mekar", "Sari"),
          ("Tunas", "Harapan"), ("Kasih", "Ibu"), ("Bhakti", "Husada"), ("Sumber", "Waras"),
          ("Arum", "Dalu"), ("Wijaya", "Kusuma"), ("Ngudi", "Waras"), ("Tanjung", "Gading")}  # fmt: skip


def _themes() -> list[str]:
    out, i, words = [], 0, POSYANDU_THEMES
    while i < len(words):
        if i + 1 < len(words) and (words[i], words[i + 1]) in _MULTI:
            out.append(f"{words[i]} {words[i + 1]}")
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


THEMES = _themes()
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def posyandu_names(rng: np.random.Generator, n: int) -> list[str]:
    """Names for the n posyandu of one desa: one theme numbered ("Melati 1", "Kenanga II"),
    or distinct themes; a single posyandu is often just "Mawar"."""
    if n == 1 and rng.random() < 0.6:
        return [str(rng.choice(THEMES))]
    style = rng.random()
    if style < 0.55:  # one theme, Arabic numbers
        theme = str(rng.choice(THEMES))
        return [f"{theme} {i + 1}" for i in range(n)]
    if style < 0.75 and n <= len(ROMAN):  # one theme, Roman numbers
        theme = str(rng.choice(THEMES))
        return [f"{theme} {ROMAN[i]}" for i in range(n)]
    picks = rng.choice(len(THEMES), size=min(n, len(THEMES)), replace=False)
    names = [THEMES[i] for i in picks]
    # More posyandu than themes (very large desa): number the repeats.
    return names + [f"{THEMES[picks[i % len(picks)]]} {2 + i // len(picks)}" for i in range(n - len(names))]


def child_names(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """UPPER CASE names of two or three words, as e-PPGBM shows them."""
    n = len(sex)
    boy, girl, fam = np.array(BOY), np.array(GIRL), np.array(FAMILY)
    first = np.where(sex == 1, boy[rng.integers(0, len(boy), n)], girl[rng.integers(0, len(girl), n)])
    middle = np.where(sex == 1, boy[rng.integers(0, len(boy), n)], girl[rng.integers(0, len(girl), n)])
    last = fam[rng.integers(0, len(fam), n)]
    words = rng.random(n)
    two = np.char.add(np.char.add(first, " "), last)
    three = np.char.add(np.char.add(np.char.add(np.char.add(first, " "), middle), " "), last)
    return np.where(words < 0.45, two, three).astype(object)


def parent_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """"AYAH / IBU" in one cell, the usual e-PPGBM `Nama Ortu`."""
    f, m = np.array(FATHER), np.array(MOTHER)
    fam = np.array(FAMILY)
    ayah = np.char.add(np.char.add(f[rng.integers(0, len(f), n)], " "), fam[rng.integers(0, len(fam), n)])
    ibu = np.char.add(np.char.add(m[rng.integers(0, len(m), n)], " "), fam[rng.integers(0, len(fam), n)])
    return np.char.add(np.char.add(ayah, " / "), ibu).astype(object)


def nik(kode_kecamatan: np.ndarray, birth: np.ndarray, sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """16-digit NIK strings: the kecamatan code digits, the birth date (day + 40 for girls) and a
    serial unique within (kecamatan, birth date, sex)."""
    n = len(sex)
    b = birth.astype("datetime64[D]")
    y = b.astype("datetime64[Y]").astype(int) + 1970
    mo = b.astype("datetime64[M]").astype(int) % 12 + 1
    d = (b - b.astype("datetime64[M]")).astype(int) + 1 + np.where(sex == 2, 40, 0)
    stem = np.char.add(
        np.char.replace(kode_kecamatan.astype(str), ".", ""),
        np.char.add(np.char.zfill(d.astype(str), 2),
                    np.char.add(np.char.zfill(mo.astype(str), 2), np.char.zfill((y % 100).astype(str), 2))),
    )
    # Serial: a random start per stem plus the rank within the stem, so it is unique.
    groups, gid = np.unique(stem, return_inverse=True)
    order = np.argsort(gid, kind="stable")
    first = np.r_[True, gid[order][1:] != gid[order][:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - group_start
    serial = rng.integers(1, 9000, len(groups))[gid] + rank
    return np.char.add(stem, np.char.zfill(serial.astype(str), 4)).astype(object)
