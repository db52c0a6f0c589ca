"""Posyandu SPM service records (domain.md 2.2-2.3; generic long format, contracts 1.3)
-> raw_spm, stg_spm. One row per posyandu, month and indicator: sasaran and dilayani."""

from __future__ import annotations

import duckdb

from pipelines.ingest.source import Source, resolve_wilayah, run_sql_file
from pipelines.readers import ColumnSpec, TableSpec

C = ColumnSpec
# The kader or officer who filled the record: never written anywhere.
PERSONAL = frozenset({"nama_kader"})

# Numbers, dates and codes: a word like a name there is masked when read.
TYPED = frozenset({"no", "prov", "bulan", "tahun", "sasaran", "dilayani"})
# Unknown columns raw keeps in `extra`; any other is dropped when the header is read.
EXTRAS = (
    C("catatan", ("Catatan",)),
    C("capaian", ("Capaian", "% Capaian", "Persentase", "Capaian (%)", "Target")),
    C("kode_wilayah", ("Kode Desa", "Kode Wilayah", "Kode Kemendagri", "Kode Puskesmas")),
)

SPEC = TableSpec(
    source="spm",
    columns=(
        C("no", ("No", "No Urut")),
        C("nama_kader", ("Nama Kader", "Kader", "Pelapor", "Nama Pelapor", "Petugas",
                         "Nama Petugas")),
        C("prov", ("Prov", "Provinsi")),
        C("kab_kota", ("Kab/Kota", "Kabupaten/Kota", "Kab Kota")),
        C("kec", ("Kec", "Kecamatan")),
        C("puskesmas", ("Puskesmas", "Pukesmas")),
        C("desa_kel", ("Desa/Kel", "Desa/Kelurahan", "Desa Kel", "Kelurahan/Desa", "Desa")),
        C("posyandu", ("Posyandu", "Nama Posyandu")),
        C("no_registrasi", ("No Registrasi", "Nomor Registrasi", "No Registrasi Posyandu",
                            "Kode Posyandu")),
        C("bulan", ("Bulan", "Periode", "Bulan Laporan", "Bulan/Tahun")),
        C("tahun", ("Tahun",)),
        C("bidang", ("Bidang", "Bidang SPM", "Bidang Layanan")),
        C("kode_indikator", ("Kode Indikator", "Kode", "Kode Layanan")),
        C("indikator", ("Indikator", "Nama Indikator", "Jenis Layanan")),
        C("satuan", ("Satuan",)),
        C("sasaran", ("Sasaran", "Jml Sasaran", "Jumlah Sasaran")),
        C("dilayani", ("Dilayani", "Jml Dilayani", "Jumlah Dilayani", "Jumlah Terlayani",
                       "Terlayani")),
        C("keterangan", ("Ket", "Keterangan")),
    ),
    required=(("kab_kota",), ("kec",), ("desa_kel",), ("posyandu",), ("bulan",), ("bidang",),
              ("kode_indikator",), ("sasaran",), ("dilayani",)),
    key_columns=("bulan", "kode_indikator"),
    personal=PERSONAL,
    typed=TYPED,
    extras=EXTRAS,
)


def stage(con: duckdb.DuckDBPyConnection) -> int:
    resolve_wilayah(con)
    run_sql_file(con, "20_pkk_spm_macros.sql")
    run_sql_file(con, "21_pkk_spm_bulan.sql")
    run_sql_file(con, "30_spm_macros.sql")
    run_sql_file(con, "31_spm_parse.sql")
    run_sql_file(con, "32_spm_rejects.sql")
    return con.execute(
        "INSERT INTO delta.stg_spm BY NAME SELECT file_sha256, row_number, "
        "kode_kabkota, kode_kecamatan, kode_desa, posyandu_key, posyandu_nama, bulan_date AS bulan, "
        "bidang_nama AS bidang, kode AS kode_indikator, n_sasaran AS sasaran, "
        "n_dilayani AS dilayani FROM spm_parsed WHERE reason IS NULL"
    ).fetchone()[0]


SOURCE = Source(name="spm", spec=SPEC, raw_table="raw_spm",
                parsed_table="spm_parsed", stage=stage)
