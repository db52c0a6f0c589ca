"""Posyandu child-measurement exports (e-PPGBM individual list) -> raw_pengukuran, stg_pengukuran."""

from __future__ import annotations

import duckdb

from pipelines import trace
from pipelines.ingest.source import Source, resolve_wilayah, run_sql_file, scope_staged
from pipelines.readers import ColumnSpec, TableSpec
from pipelines.who.zscore import zscore_select

C = ColumnSpec
# Read only to build the child key, then gone: never in raw, staging, rejects or logs.
PERSONAL = frozenset({"nik", "nama", "nama_ortu", "nama_ibu", "nama_ayah", "nik_ibu", "nik_ayah",
                      "no_kk", "alamat"})

# Numbers, dates, codes and sex: a word like a name there is masked when read.
TYPED = frozenset({"no", "jk", "tgl_lahir", "bb_lahir", "tb_lahir", "prov", "rt", "rw",
                   "usia_saat_ukur", "tanggal_pengukuran", "berat", "tinggi", "lila", "zs_bbu",
                   "zs_tbu", "zs_bbtb", "pmt_diterima", "jml_vit_a", "lingkar_kepala", "zs_imtu",
                   "tahun", "bulan"})
# Unknown columns raw keeps in `extra`; any other is dropped when the header is read.
EXTRAS = (
    C("catatan", ("Catatan", "Catatan Kader", "Keterangan", "Ket")),
    C("lingkar_kepala", ("Lingkar Kepala", "LK", "Lingkar Kepala (cm)")),
    C("kat_imtu", ("IMT/U",)),
    C("zs_imtu", ("ZS IMT/U",)),
    C("status_gizi", ("Status Gizi",)),
    C("tahun", ("Tahun",)),
    C("bulan", ("Bulan",)),
    C("kode_wilayah", ("Kode Desa", "Kode Wilayah", "Kode Kemendagri", "Kode Posyandu")),
)

SPEC = TableSpec(
    source="posyandu",
    columns=(
        C("no", ("No", "No Urut")),
        C("nik", ("NIK", "NIK Anak")),
        C("nama", ("Nama", "Nama Anak", "Nama Balita")),
        C("jk", ("JK", "Jenis Kelamin", "L/P")),
        C("tgl_lahir", ("Tgl Lahir", "Tanggal Lahir")),
        C("bb_lahir", ("BB Lahir", "Berat Lahir", "Berat Lahir (kg)")),
        C("tb_lahir", ("TB Lahir", "Panjang Lahir", "Panjang Lahir (cm)")),
        C("nama_ortu", ("Nama Ortu", "Nama Orang Tua", "Nama Orangtua")),
        C("nama_ibu", ("Nama Ibu",)),
        C("nama_ayah", ("Nama Ayah",)),
        C("nik_ibu", ("NIK Ibu",)),
        C("nik_ayah", ("NIK Ayah",)),
        C("no_kk", ("No KK", "No. KK", "Nomor KK")),
        C("alamat", ("Alamat",)),
        C("prov", ("Prov", "Provinsi")),
        C("kab_kota", ("Kab/Kota", "Kabupaten/Kota", "Kab Kota")),
        C("kec", ("Kec", "Kecamatan")),
        C("puskesmas", ("Pukesmas", "Puskesmas")),
        C("desa_kel", ("Desa/Kel", "Desa/Kelurahan", "Desa Kel", "Kelurahan/Desa")),
        C("posyandu", ("Posyandu", "Nama Posyandu")),
        C("rt", ("RT",)),
        C("rw", ("RW",)),
        C("usia_saat_ukur", ("Usia Saat Ukur", "Umur Saat Ukur")),
        C("tanggal_pengukuran", ("Tanggal Pengukuran", "Tgl Pengukuran", "Tanggal Ukur", "Tgl Ukur")),
        C("berat", ("Berat", "Berat Badan", "BB", "Berat (kg)")),
        C("tinggi", ("Tinggi", "Tinggi Badan", "TB", "Tinggi (cm)", "PB/TB")),
        C("cara_ukur", ("Cara Ukur",)),
        C("lila", ("LiLA", "LILA (cm)")),
        C("kat_bbu", ("BB/U",)),
        C("zs_bbu", ("ZS BB/U",)),
        C("kat_tbu", ("TB/U", "PB/U")),
        C("zs_tbu", ("ZS TB/U", "ZS PB/U")),
        C("kat_bbtb", ("BB/TB", "BB/PB")),
        C("zs_bbtb", ("ZS BB/TB", "ZS BB/PB")),
        C("naik_berat_badan", ("Naik Berat Badan",)),
        C("pmt_diterima", ("PMT Diterima (kg)", "PMT Diterima")),
        C("jml_vit_a", ("Jml Vit A", "Jumlah Vit A")),
        C("kpsp", ("KPSP",)),
        C("kia", ("KIA",)),
        C("kelas_ibu_balita", ("Kelas Ibu Balita",)),
        C("mbg", ("MBG",)),
    ),
    required=(("jk",), ("tgl_lahir",), ("tanggal_pengukuran",), ("kab_kota",), ("kec",),
              ("desa_kel",), ("posyandu",), ("berat", "tinggi")),
    # A footer or total row has no dates; its JK cell may hold a count ("Jumlah", "L=2 P=0").
    key_columns=("tgl_lahir", "tanggal_pengukuran"),
    personal=PERSONAL,
    typed=TYPED,
    extras=EXTRAS,
)


def stage(con: duckdb.DuckDBPyConnection) -> int:
    resolve_wilayah(con, per_row=False)
    run_sql_file(con, "10_posyandu_parse.sql")
    # the duplicate check reads earlier staged rows of the batch's months only
    months = [m for (m,) in con.execute(
        "SELECT DISTINCT strftime(measurement_date, '%Y-%m') FROM pos_parsed "
        "WHERE reason IS NULL AND measurement_date IS NOT NULL").fetchall()]
    scope_staged(con, "stg_pengukuran", months)
    run_sql_file(con, "11_posyandu_duplicates.sql")
    run_sql_file(con, "12_posyandu_rejects.sql")
    run_sql_file(con, "13_posyandu_to_stage.sql")
    with trace.step("staging zscores insert"):
        return con.execute(f"INSERT INTO delta.stg_pengukuran BY NAME SELECT * FROM "
                           f"({zscore_select('pos_to_stage')})").fetchone()[0]


SOURCE = Source(name="posyandu", spec=SPEC, raw_table="raw_pengukuran",
                parsed_table="pos_parsed", stage=stage)
