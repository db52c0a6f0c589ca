"""Daily intervention reports (domain.md 5.3; wide, contracts 1.4) -> raw_intervensi and
stg_intervensi (long: one row per area, day and activity with a value).

One input row (a kab/kota or kecamatan and a day) counts as one row read; it is staged whole or
rejected whole. Reports dated outside every campaign window are staged: the campaign config can
change after loading, and the marts decide what counts (mart_intervensi_unmatched lists the rest).
"""

from __future__ import annotations

import duckdb

from pipelines.campaigns import ACTIVITIES
from pipelines.ingest.source import Source, resolve_wilayah, run_sql_file
from pipelines.readers import ColumnSpec, TableSpec

C = ColumnSpec
ACTIVITY_ALIASES: dict[str, tuple[str, ...]] = {
    "remeasured": (
        "Balita Diukur Ulang",
        "Diukur Ulang",
        "Jml Balita Diukur Ulang",
        "Pengukuran Ulang",
    ),
    "confirmed": (
        "Stunting Terkonfirmasi Nakes",
        "Terkonfirmasi Nakes",
        "Stunting Terkonfirmasi",
        "Konfirmasi Nakes",
    ),
    "referred": ("Dirujuk ke Puskesmas", "Dirujuk", "Rujukan", "Rujukan ke Puskesmas"),
    "pmt_days": ("Hari PMT Lokal", "PMT Lokal", "Hari PMT", "PMT Lokal (hari)"),
    "home_visits": ("Kunjungan Rumah", "Kunjungan Rumah Kader/TPK", "Jml Kunjungan Rumah"),
    "kader_trained": ("Kader Dilatih", "Jml Kader Dilatih", "Pelatihan Kader"),
    "kelas_ibu_balita": ("Kelas Ibu Balita", "Jml Kelas Ibu Balita"),
}
# The person who filled the report: never written anywhere.
PERSONAL = frozenset({"pelapor"})

# Numbers and dates: a word like a name there is masked when read.
TYPED = frozenset({"no", "tanggal", "prov", *ACTIVITIES})
# Unknown columns raw keeps in `extra`; any other is dropped when the header is read.
EXTRAS = (
    C("kode_wilayah", ("Kode Wilayah", "Kode Kecamatan", "Kode Kab/Kota")),
    C("jumlah_lain", ("Jumlah Balita", "Balita Stunting", "Sasaran")),
)

SPEC = TableSpec(
    source="intervensi",
    columns=(
        C("no", ("No", "No Urut")),
        C("tanggal", ("Tanggal", "Tgl", "Tanggal Laporan", "Tanggal Kegiatan", "Hari/Tanggal")),
        C("prov", ("Prov", "Provinsi")),
        C("kab_kota", ("Kab/Kota", "Kabupaten/Kota", "Kab Kota")),
        C("kec", ("Kec", "Kecamatan")),
        C("pelapor", ("Pelapor", "Nama Pelapor", "Petugas", "Nama Petugas")),
        *(C(code, ACTIVITY_ALIASES[code]) for code in ACTIVITIES),
        C("keterangan", ("Keterangan", "Ket", "Catatan")),
    ),
    required=(("tanggal",), ("kab_kota",), tuple(ACTIVITIES)),
    # A row without Kab/Kota whose text starts with JUMLAH/TOTAL/Dicetak... is a footer, not data
    # (Tanggal is the first column, where such words usually sit).
    key_columns=("kab_kota",),
    personal=PERSONAL,
    typed=TYPED,
    extras=EXTRAS,
)


def stage(con: duckdb.DuckDBPyConnection) -> int:
    resolve_wilayah(con, desa_kel="NULL")
    run_sql_file(con, "20_pkk_spm_macros.sql")  # parse_count / bad_count: whole numbers >= 0
    # activity code -> report column label, in contract order (the first bad cell is reported)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE int_activity AS SELECT unnest(?) AS activity, "
        "unnest(?) AS label, CAST(generate_subscripts(?, 1) AS INTEGER) AS ord",
        [list(ACTIVITIES), list(ACTIVITIES.values()), list(ACTIVITIES)],
    )
    run_sql_file(con, "41_intervensi_parse.sql")
    run_sql_file(con, "42_intervensi_rejects.sql")
    con.execute(
        "INSERT INTO delta.stg_intervensi BY NAME "
        "SELECT p.file_sha256, p.row_number, p.tanggal_date AS tanggal, "
        "p.kode_kabkota, p.kode_kecamatan, c.activity, c.n AS jumlah "
        "FROM int_parsed AS p JOIN int_cells AS c USING (row_key) "
        "WHERE p.reason IS NULL AND c.n IS NOT NULL"
    )
    return con.execute("SELECT count(*) FROM int_parsed WHERE reason IS NULL").fetchone()[0]


SOURCE = Source(
    name="intervensi", spec=SPEC, raw_table="raw_intervensi", parsed_table="int_parsed", stage=stage,
)
