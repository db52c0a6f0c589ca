"""PKK Dasa Wisma recaps rolled up to desa (Rekap Catatan Data dan Kegiatan Warga, domain.md 4.2)
-> raw_pkk, stg_pkk. One row per desa/kelurahan and month."""

from __future__ import annotations

import duckdb

from pipelines.ingest.source import Source, resolve_wilayah, run_sql_file
from pipelines.readers import ColumnSpec, TableSpec

C = ColumnSpec

# The measure block of the 4.16/4.17 recap forms: canonical name -> header texts (first one is
# the contract's). Household counts unless the form says otherwise (domain.md 4.3).
MEASURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("jml_dasa_wisma", ("Jml Dasa Wisma", "Jumlah Dasa Wisma", "Jml Dasawisma", "Jumlah Dasawisma")),
    ("jml_krt", ("Jml KRT", "Jumlah KRT", "Jumlah Kepala Rumah Tangga", "Jml Kepala Rumah Tangga")),
    ("jml_kk", ("Jml KK", "Jumlah KK", "Jumlah Kepala Keluarga")),
    ("total_l", ("Total L", "Jumlah Anggota Keluarga L", "Anggota Keluarga L")),
    ("total_p", ("Total P", "Jumlah Anggota Keluarga P", "Anggota Keluarga P")),
    ("balita_l", ("Balita L", "Jumlah Balita L", "Balita Laki-laki")),
    ("balita_p", ("Balita P", "Jumlah Balita P", "Balita Perempuan")),
    ("pus", ("PUS", "Jumlah PUS", "Pasangan Usia Subur")),
    ("wus", ("WUS", "Jumlah WUS", "Wanita Usia Subur")),
    ("ibu_hamil", ("Ibu Hamil", "Jumlah Ibu Hamil", "Bumil")),
    ("ibu_menyusui", ("Ibu Menyusui", "Jumlah Ibu Menyusui", "Buteki")),
    ("lansia", ("Lansia", "Jumlah Lansia")),
    ("tiga_buta", ("3 Buta", "Tiga Buta", "Jumlah 3 Buta")),
    # Some app exports split 3 Buta by sex; staging adds the two when the total is absent.
    ("tiga_buta_l", ("3 Buta L", "Tiga Buta L")),
    ("tiga_buta_p", ("3 Buta P", "Tiga Buta P")),
    ("berkebutuhan_khusus", ("Berkebutuhan Khusus", "Jumlah Berkebutuhan Khusus", "Disabilitas")),
    ("sehat_layak_huni", ("Sehat Layak Huni", "Rumah Sehat Layak Huni", "Kriteria Rumah Sehat")),
    ("tidak_sehat_layak_huni", ("Tidak Sehat Layak Huni", "Tidak Sehat Huni",
                                "Rumah Tidak Sehat Layak Huni", "Kriteria Rumah Kurang Sehat")),
    ("tempat_sampah", ("Memiliki Tempat Pembuangan Sampah", "Memiliki Tmp. Pemb. Sampah",
                       "Tempat Pembuangan Sampah", "Memiliki Tempat Sampah")),
    ("spal", ("Memiliki SPAL/Pembuangan Air", "Memiliki SPAL", "SPAL", "Memiliki Saluran Air",
              "Memiliki Saluran Pembuangan Air Limbah")),
    ("jamban_septic", ("Memiliki Sarana MCK dan Septic Tank", "Memiliki Jamban Keluarga",
                       "Memiliki Jamban", "Jamban Keluarga", "Sarana MCK dan Septic Tank")),
    ("air_pdam", ("PDAM", "Sumber Air PDAM", "Air PDAM")),
    ("air_sumur", ("Sumur", "Sumber Air Sumur", "Air Sumur")),
    ("air_sungai", ("Sungai", "Sumber Air Sungai", "Air Sungai")),
    ("air_lainnya", ("DLL", "Sumber Air Lainnya", "Sumber Air Lainya", "Air Lainnya")),
    ("makanan_beras", ("Beras", "Makanan Pokok Beras")),
    ("makanan_non_beras", ("Non Beras", "Makanan Pokok Non Beras")),
    ("stiker_p4k", ("Menempel Stiker P4K", "Stiker P4K", "Tempel Stiker P4K")),
    ("up2k", ("UP2K", "UP2K PKK", "Kegiatan UP2K")),
    ("pemanfaatan_pekarangan", ("Pemanfaatan Tanah Pekarangan", "Pemanfaatan dan Pekarangan",
                                "Pemanfaatan Pekarangan")),
    ("industri_rumah_tangga", ("Industri Rumah Tangga",)),
    ("kesehatan_lingkungan", ("Kesehatan Lingkungan", "Kegiatan Kesehatan Lingkungan")),
)

# Measures stored in stg_pkk (the split 3 Buta columns fold into tiga_buta).
STAGED_MEASURES: tuple[str, ...] = tuple(
    name for name, _ in MEASURES if name not in ("tiga_buta_l", "tiga_buta_p"))

# Household-level files can carry the household head's name or NIK, and any recap can name the
# kader who filled it: never written to raw, staging, rejects or logs.
PERSONAL = frozenset({"nama_krt", "nik", "nama_kader", "alamat"})

# Numbers, dates and codes: a word like a name there is masked when read.
TYPED = frozenset({"no", "prov", "bulan", "tahun", *(name for name, _ in MEASURES)})
# Unknown columns raw keeps in `extra`; any other is dropped when the header is read.
EXTRAS = (
    C("catatan", ("Catatan", "Catatan Kader")),
    C("wilayah_kecil", ("RT", "RW", "Dusun", "Lingkungan")),
    C("kode_wilayah", ("Kode Desa", "Kode Wilayah", "Kode Kemendagri")),
    C("jumlah_lain", ("Jml Rumah", "Jumlah Rumah", "Jml Jiwa", "Jumlah Jiwa")),
)

SPEC = TableSpec(
    source="pkk",
    columns=(
        C("no", ("No", "No Urut")),
        C("nama_krt", ("Nama Kepala Rumah Tangga", "Nama KRT", "Kepala Rumah Tangga")),
        C("nik", ("NIK", "NIK Kepala Keluarga", "NIK KRT", "No KTP/KK", "No. KTP")),
        C("nama_kader", ("Nama Kader", "Kader", "Nama Ketua", "Ketua Dasa Wisma",
                         "Nama Ketua Dasa Wisma", "Pelapor", "Nama Pelapor")),
        C("alamat", ("Alamat",)),
        C("prov", ("Prov", "Provinsi")),
        C("kab_kota", ("Kab/Kota", "Kabupaten/Kota", "Kab Kota")),
        C("kec", ("Kec", "Kecamatan")),
        C("desa_kel", ("Desa/Kel", "Desa/Kelurahan", "Desa Kel", "Kelurahan/Desa", "Desa")),
        C("bulan", ("Bulan", "Periode", "Bulan Laporan", "Bulan/Tahun", "Periode Bulan")),
        C("tahun", ("Tahun",)),
        *(C(name, aliases) for name, aliases in MEASURES),
        C("keterangan", ("Ket", "Keterangan")),
    ),
    required=(("kab_kota",), ("kec",), ("desa_kel",), ("bulan",), ("jml_krt",)),
    # A footer (JUMLAH, Dicetak ...) has neither a month nor a household count; a total row that
    # carries a summed Jml KRT stays a data row and is rejected with a message saying so.
    key_columns=("bulan", "jml_krt"),
    personal=PERSONAL,
    typed=TYPED,
    extras=EXTRAS,
)


def stage(con: duckdb.DuckDBPyConnection) -> int:
    resolve_wilayah(con)
    run_sql_file(con, "20_pkk_spm_macros.sql")
    run_sql_file(con, "21_pkk_spm_bulan.sql")
    run_sql_file(con, "22_pkk_parse.sql")
    run_sql_file(con, "23_pkk_rejects.sql")
    cols = ", ".join(f"n_{m} AS {m}" for m in STAGED_MEASURES)
    return con.execute(
        "INSERT INTO delta.stg_pkk BY NAME SELECT file_sha256, row_number, "
        f"kode_kabkota, kode_kecamatan, kode_desa, bulan_date AS bulan, {cols} "
        "FROM pkk_parsed WHERE reason IS NULL"
    ).fetchone()[0]


SOURCE = Source(name="pkk", spec=SPEC, raw_table="raw_pkk",
                parsed_table="pkk_parsed", stage=stage)
