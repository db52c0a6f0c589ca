"""Personal values where they do not belong: masked where a cell is read, so raw, staging,
reject messages and the load record only ever see the masked text.

Two rules, the same in Python (titles, sheet and file names, header texts) and in DuckDB SQL
(the cells of every column a source keeps):
- **Numbers that identify a person**, in any kept cell: a run of 16 or more digits (a NIK or a
  KK number, also written in groups "3509 0123 4567 0001" or "3509-0123-...") keeps its first
  two digits ("35**************"); a mobile number (08..., 62 8..., +62 8..., 10 to 13 digits,
  spaces or dashes between them) keeps its prefix ("08**********"); an e-mail address becomes
  "[email disamarkan]". A long run of digits after a decimal point ("0.30000000000000004", a
  spreadsheet's float) is a number, not a NIK.
- **Text like a name in a column of values**: a cell of a typed column (numbers, dates, codes,
  sex: TableSpec.typed) that holds a word of three or more letters that no such value uses
  (VALUE_WORDS: month and day names, units, L/P words, Excel errors, the province) is replaced
  whole by NAME_MASK. "SITI AMINAH" or "Aminah" shifted into Tgl Lahir is masked; "5 Des 2025",
  "Laki-laki", "1 Thn 2 Bln", "#VALUE!" are not. Free-text and place columns (Kab/Kota, Desa,
  Posyandu, Keterangan) keep their words: a person's name there cannot be told from a place or
  a note. But a cell of such a column that starts like a street address ("Jl. Mawar 1", "Gg.
  Buntu", "Perum ...", not "Perumahan Rakyat", an SPM field), as the Alamat cell of a row shifted one cell left lands in Posyandu, is
  replaced by ADDRESS_MASK (allowed extra columns, JSON in raw, get the number masks only).
"""

from __future__ import annotations

import re

NAME_MASK = "[teks seperti nama disamarkan]"
ADDRESS_MASK = "[alamat disamarkan]"
EMAIL_MASK = "[email disamarkan]"
TITLE_MASK = "[disamarkan]"

# RE2 (DuckDB) and Python's re read these alike: no look-behind, so the character before a run
# is matched (group 1) and put back. A run that follows "<digit>." or "<digit>," is a fraction.
_BEFORE_RUN = r"(^|[^0-9.,]|[^0-9][.,]|^[.,])"
NIK_PATTERN = _BEFORE_RUN + r"([0-9])[ -]?([0-9])(?:[ -]?[0-9]){14,}"
NIK_REPLACEMENT = r"\1\2\3" + "*" * 14
PHONE_PATTERN = r"(^|[^0-9])(\+62|62|0)[ -]?8(?:[ -]?[0-9]){8,11}"
PHONE_REPLACEMENT = r"\1\g<2>8" + "*" * 10
EMAIL_PATTERN = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A cell that may hold a NIK or a mobile number: ten digits (spaces or dashes between them).
_DIGITS_GUARD = r"[0-9](?:[ -]?[0-9]){9}"

# Words of three or more letters that values of a typed column use (lowercase).
_VALUE_WORD_GROUPS = (
    # months, Indonesian and English, with the abbreviations exports use
    "januari january jan februari pebruari february feb peb maret march mar april apr mei may",
    "juni june jun juli july jul agustus august agu agt ags agst aug september sept sep",
    "oktober october okt oct november nopember nov nop desember december des dec",
    # days (a "Hari/Tanggal" cell: "Senin, 05/01/2026")
    "senin selasa rabu kamis jumat jum sabtu minggu ahad monday tuesday wednesday thursday",
    "friday saturday sunday mon tue wed thu fri sat sun",
    # dates, ages and units
    "tgl tanggal periode tahun thn bulan bln hari minggu mgg jam menit wib wita wit gram",
    "kilogram kgs meter kali orang jiwa buah unit rumah keluarga balita anak bayi",
    # sex
    "laki perempuan pria wanita male female",
    # yes/no, placeholders, spreadsheet values and errors
    "tidak tdk ada belum sudah true false null none nan inf infinity kosong naik turun tetap",
    "baru value ref div name num biru merah",
    # why a value is missing ("Tidak Diukur", "Belum Ada Data")
    "diukur ukur hadir datang sakit pindah meninggal data",
    # total rows the staging recognises ("JUMLAH" in No)
    "jumlah total subtotal sub grand rata",
    # the province (Prov column)
    "jawa timur jatim prov provinsi propinsi",
)
VALUE_WORDS = frozenset(w for group in _VALUE_WORD_GROUPS for w in group.split())

_WORD = re.compile(r"[^\W\d_]{3,}")
_ADDRESS = re.compile(
    r"(jl|jln|jalan|gg|gang|perum|komplek|komp|blok)(\.\s*|\s+)\w", re.IGNORECASE)
_NIK = re.compile(NIK_PATTERN)
_PHONE = re.compile(PHONE_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)

# Title lines that name a person ("Nama Kader: ...", "Petugas : ...", "HP 0812...").
_TITLE_PERSONAL = re.compile(
    r"(?<![a-z])(nik|nama|name|alamat|address|no\.?\s*kk|telp|telepon|tlp|hp|handphone|ponsel|wa|"
    r"whatsapp|e-?mail|ttl|kader|petugas|pelapor|bidan|ketua|operator|penanggung\s*jawab|oleh|"
    r"ibu|bu|bapak|pak|bpk|sdr|sdri|ortu|ayah|wali|a\.?n\.?|atas\s*nama|mengetahui|ttd)"
    r"(?![a-z])",
    re.IGNORECASE,
)


def mask_numbers(text: str) -> str:
    """NIK-like runs, mobile numbers and e-mail addresses masked (see the module docstring)."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _NIK.sub(NIK_REPLACEMENT, text)
    return _PHONE.sub(PHONE_REPLACEMENT, text)


def is_name_like(text: str) -> bool:
    """A typed cell holding a word no value of such a column uses."""
    return any(w.lower() not in VALUE_WORDS for w in _WORD.findall(text))


def is_address_like(text: str) -> bool:
    """A text cell that starts like a street address."""
    return _ADDRESS.match(text.strip()) is not None


def mask_typed(text: str) -> str:
    return NAME_MASK if is_name_like(text) else mask_numbers(text)


def mask_title(line: str) -> str:
    """A title line as stored in the load record: numbers masked, and what follows a word that
    names a person ("Nama Kader: SITI", "Petugas : BUDI") replaced. The extraction date is read
    from the line before it is masked."""
    line = mask_numbers(line)
    found = _TITLE_PERSONAL.search(line)
    if not found:
        return line
    colon = line.find(":", found.end())
    keep = line[: colon + 1] if colon >= 0 else line[: found.end()]
    return f"{keep} {TITLE_MASK}"


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_replacement(python_replacement: str) -> str:
    """Python's \\g<2> is RE2's \\2 (Python needs the long form before a digit)."""
    return python_replacement.replace(r"\g<2>", r"\2")


# A cell that may hold a word of three letters or more: three ASCII letters in a row, or any
# non-ASCII character (more bytes than characters). Cheap: the word test runs on the few
# distinct values it lets through (pipelines/readers/load.py).
def maybe_word_sql(value: str) -> str:
    return f"({value} GLOB '*[A-Za-z][A-Za-z][A-Za-z]*' OR strlen({value}) <> length({value}))"


def maybe_address_sql(value: str) -> str:
    """A cell that may start like an address (the first letters of the prefixes, as GLOB)."""
    starts = ("[Jj][Ll]", "[Jj][Aa][Ll]", "[Gg][Gg]", "[Gg][Aa][Nn][Gg]", "[Pp][Ee][Rr][Uu][Mm]",
              "[Kk][Oo][Mm][Pp]", "[Bb][Ll][Oo][Kk]")
    return "(" + " OR ".join(f"{value} GLOB '{s}*'" for s in starts) + ")"


def mask_numbers_sql(value: str) -> str:
    """SQL of mask_numbers over the expression `value` (evaluated several times: pass a column)."""
    masked = f"regexp_replace({value}, {_sql_literal(EMAIL_PATTERN)}, {_sql_literal(EMAIL_MASK)}, 'g')"
    masked = (f"regexp_replace({masked}, {_sql_literal(NIK_PATTERN)}, "
              f"{_sql_literal(_sql_replacement(NIK_REPLACEMENT))}, 'g')")
    return (f"regexp_replace({masked}, {_sql_literal(PHONE_PATTERN)}, "
            f"{_sql_literal(_sql_replacement(PHONE_REPLACEMENT))}, 'g')")


def mask_numbers_cell_sql(value: str) -> str:
    """SQL of mask_numbers over the column `value`, cheap tests first: most cells are short or
    hold no ten digits and no @, and are returned as they are."""
    return (f"CASE WHEN contains({value}, '@') OR (strlen({value}) >= 10 AND regexp_matches("
            f"{value}, {_sql_literal(_DIGITS_GUARD)})) THEN {mask_numbers_sql(value)} "
            f"ELSE {value} END")
