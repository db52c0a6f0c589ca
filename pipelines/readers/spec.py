"""What a reader is asked for (TableSpec) and what it hands back (ReadResult)."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass

# Whitespace stripped from every cell, in Python and in SQL alike (NBSP and BOM occur in
# re-saved exports).
CELL_WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u2007\u202f\ufeff"


_ASCII_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

# Header words of personal data (a second NIK, "Nama Lengkap", "No HP", "Alamat Rumah", a kader's
# name). Every unknown column is dropped unless the spec allows it (TableSpec.extras); no allowed
# extra may have such a header.
PERSONAL_HEADER = re.compile(
    r"(?<![a-z])(nik|nama|name|alamat|address|no\.?\s*kk|nomor\s*kk|telp|telepon|tlp|hp|handphone|"
    r"ponsel|wa|whatsapp|e-?mail|ttl)(?![a-z])",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=8192)  # the same header texts recur in every file of a source
def normalise_header(text: str) -> str:
    """Header text as compared: lowercase letters and digits only ("Tgl. Lahir" -> "tgllahir")."""
    if text.isascii():  # NFKC leaves ASCII as it is; casefold and isalnum agree with these
        return _ASCII_NOT_ALNUM.sub("", text.lower())
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # canonical snake_case name, e.g. "tgl_lahir"
    aliases: tuple[str, ...]  # header texts, e.g. ("Tgl Lahir", "Tanggal Lahir")

    @property
    def label(self) -> str:
        """The name shown to people in error messages: the first alias."""
        return self.aliases[0] if self.aliases else self.name


@dataclass(frozen=True)
class TableSpec:
    source: str  # "posyandu", "pkk", "spm", "intervensi"
    columns: tuple[ColumnSpec, ...]
    # Each inner tuple: at least one of these canonical names must be present.
    required: tuple[tuple[str, ...], ...]
    # Used to tell data rows from footer/total rows (e.g. jk, tgl_lahir, tanggal_pengukuran).
    key_columns: tuple[str, ...]
    # Canonical columns holding personal data: read (to build a key) but never kept; a second
    # column with such a header is dropped too, never kept in `extra`.
    personal: frozenset[str] = frozenset()
    # Columns holding numbers, dates, codes or a sex (canonical or extra names): a cell there
    # with a word such values never use (a name shifted into the column) is masked when read
    # (pipelines/readers/mask.py). Other kept columns get only the NIK/phone/e-mail mask.
    typed: frozenset[str] = frozenset()
    # The unknown columns raw keeps in `extra` (harmless: notes, codes, extra measures), by
    # header text as for columns. Every other unknown column is dropped when the header is read
    # and named in the load record (ReadResult.dropped_columns).
    extras: tuple[ColumnSpec, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.source}: duplicate canonical column names")
        for name in names:
            if not name.isidentifier() or name.lower() in ("row_number", "extra"):
                raise ValueError(f"{self.source}: invalid canonical column name {name!r}")
        owner: dict[str, str] = {}
        for col in self.columns:
            for alias in col.aliases:
                key = normalise_header(alias)
                if not key:
                    raise ValueError(f"{self.source}: alias {alias!r} has no letters or digits")
                if owner.setdefault(key, col.name) != col.name:
                    raise ValueError(
                        f"{self.source}: alias {alias!r} matches both {owner[key]} and {col.name}"
                    )
        known = set(names)
        for name in ([n for group in self.required for n in group] + list(self.key_columns)
                     + sorted(self.personal)):
            if name not in known:
                raise ValueError(f"{self.source}: {name!r} is not a column of the spec")
        extra_names = {c.name for c in self.extras}
        if extra_names & known or len(extra_names) != len(self.extras):
            raise ValueError(f"{self.source}: extra names must differ from each other and columns")
        for col in self.extras:
            for alias in col.aliases:
                key = normalise_header(alias)
                if PERSONAL_HEADER.search(alias) or owner.get(key, col.name) != col.name:
                    raise ValueError(f"{self.source}: extra {alias!r} is personal or a column")
                owner[key] = col.name
        for name in sorted(self.typed):
            if name not in known | extra_names or name in self.personal:
                raise ValueError(f"{self.source}: typed {name!r} is no kept column of the spec")

    @functools.cached_property
    def _alias_index(self) -> dict[str, str]:
        """Normalised alias -> canonical name (pipelines/readers/header.py). Computed once per
        spec (a frozen dataclass: cached_property writes __dict__ directly)."""
        return {normalise_header(a): c.name for c in self.columns for a in c.aliases}

    @functools.cached_property
    def _extra_index(self) -> dict[str, str]:
        """Normalised header text of an allowed extra column -> its name."""
        return {normalise_header(a): c.name for c in self.extras for a in c.aliases}

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


class FatalFileError(Exception):
    """The file cannot be read as a table at all; the whole file is rejected."""

    def __init__(self, file: str, reason: str):
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


@dataclass
class ReadResult:
    path: str
    file_name: str
    file_sha256: str
    format: str  # "csv", "xlsx", "xls", "html"
    encoding: str | None  # csv and html: "utf-8", "utf-8-sig", "cp1252" (html: a declared one)
    delimiter: str | None  # csv only
    sheet: str | None  # workbook sheet name; HTML: table index as "table1"
    header_row: int  # 1-based row number of the header in the file/sheet
    title_lines: list[str]  # non-empty text of the rows above the header (joined cells)
    extraction_date: datetime.date | None
    columns: list[str]  # canonical names present
    extra_columns: list[str]  # keys of `extra`: allowed unknown columns, second headers
    dropped_columns: list[str]  # header texts of the columns not kept ("column_<n>" if unnamed)
    table: str  # name of the DuckDB temp table holding the rows
    rows_read: int  # data rows (blank and footer rows excluded)
