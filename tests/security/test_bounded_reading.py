"""Bounded reading (issue 16, point 5): a zip bomb, a sheet or table over the row ceiling, a
header over the column ceiling are refused, each with a message naming its [limits] setting,
within seconds and without the memory; a file that is not UTF-8 is read as Windows-1252 only
when that is plausible, and the load record says which encoding was read."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.config import ConfigError, default_config
from pipelines.ingest import get_source
from pipelines.ingest.load import ingest_files
from pipelines.readers import FatalFileError, read_table
from pipelines.readers.encoding import cp1252_problem
from pipelines.readers.limits import Limits
from pipelines.warehouse import connect_readonly
from tests.pipelines.ingest.conftest import HEADER, TODAY, row, write_csv
from tests.security.hostile_inputs import write

SPEC = get_source("posyandu").spec
GIB = 2**30


def make_bomb(path: Path, inflated: int, text: bytes = b"SITI AMINAH 3509012345670001") -> Path:
    """A real XLSX whose one sheet inflates to `inflated` bytes of repeated rows."""
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    chunk = (b"<row><c t=\"inlineStr\"><is><t>" + text + b"</t></is></c></row>") * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info.filename))
                continue
            with out.open(info.filename, "w", force_zip64=True) as fh:
                fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                         b'main"><sheetData>')
                for _ in range(inflated // len(chunk)):
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    return path


def refusal(path: Path, limits: Limits | None = None) -> str:
    with duckdb.connect() as con, pytest.raises(FatalFileError) as caught:
        read_table(con, path, SPEC, limits=limits)
    return caught.value.reason


def test_a_one_gigabyte_bomb_is_refused_in_seconds_and_little_memory(tmp_path):
    """The probe's bomb: a few MB inflating to 1.07 GB, refused before a byte is inflated. A
    fresh process measures the time and the peak memory of the whole read."""
    bomb = make_bomb(tmp_path / "bomb.xlsx", int(1.07e9))
    assert bomb.stat().st_size < 20 * 2**20
    # peak memory: the process's own high-water mark (VmHWM; ru_maxrss would count the pytest
    # process the child was forked from, which Linux carries across exec)
    code = (
        "import re, sys, time, duckdb\n"
        "from pipelines.ingest.posyandu import SPEC\n"
        "from pipelines.readers import FatalFileError, read_table\n"
        "start = time.perf_counter()\n"
        "try:\n"
        "    read_table(duckdb.connect(), sys.argv[1], SPEC)\n"
        "except FatalFileError as exc:\n"
        "    print(exc.reason)\n"
        "print(time.perf_counter() - start)\n"
        "status = open('/proc/self/status').read()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)) * 1024)\n")
    done = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True,
                          text=True, check=True)
    reason, seconds, peak = done.stdout.strip().splitlines()
    assert "[limits] xlsx_max_uncompressed_mb" in reason
    assert float(seconds) < 5
    assert int(peak) < GIB


def test_a_bomb_under_the_size_limit_is_refused_by_its_ratio(tmp_path):
    bomb = make_bomb(tmp_path / "ratio.xlsx", 200 * 2**20)
    start = time.perf_counter()
    reason = refusal(bomb)
    assert time.perf_counter() - start < 2
    assert "xl/worksheets/sheet1.xml expands" in reason and "[limits] xlsx_max_ratio" in reason


def test_an_ordinary_workbook_passes_the_zip_checks(tmp_path):
    path = write(tmp_path / "ok.xlsx", HEADER, [row(n) for n in range(1, 2001)], titles=())
    with duckdb.connect() as con:
        assert read_table(con, path, SPEC).rows_read == 2000


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls"])
def test_ten_thousand_columns_are_refused_naming_the_limit(tmp_path, suffix):
    header = HEADER + [f"Kolom {i}" for i in range(10_000)]
    path = write(tmp_path / f"wide{suffix}", header, [row(1) + ["x"] * 10_000], titles=())
    start = time.perf_counter()
    reason = refusal(path)
    assert time.perf_counter() - start < 10
    assert reason == "refused: the header has more than 500 columns ([limits] max_columns)"


def test_trailing_empty_header_cells_and_far_cells_are_no_columns(tmp_path):
    """A stray cell far right (column XFD) widens no row past the ceiling's reach."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for n in range(1, 51):
        ws.append(row(n))
        ws.cell(row=n + 1, column=16_384, value="stray")
    wb.save(tmp_path / "far.xlsx")
    with duckdb.connect() as con:
        result = read_table(con, tmp_path / "far.xlsx", SPEC)
    assert result.rows_read == 50 and result.dropped_columns == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xls"])
def test_rows_over_the_ceiling_are_refused_naming_the_limit(tmp_path, suffix):
    path = write(tmp_path / f"long{suffix}", HEADER, [row(n) for n in range(1, 31)], titles=())
    limits = Limits(max_rows=20)
    assert refusal(path, limits) == ("refused: more than 20 rows after the header "
                                     "([limits] max_rows)")
    with duckdb.connect() as con:
        assert read_table(con, path, SPEC, limits=Limits(max_rows=30)).rows_read == 30


def test_limits_come_from_the_config_and_refuse_one_file_only(tmp_path):
    config = default_config().replace(limits={"max_rows": 5, "max_columns": 100})
    short = write_csv(tmp_path / "short.csv", [row(n) for n in range(1, 4)])
    long = write_csv(tmp_path / "long.csv", [row(n) for n in range(4, 14)])
    results = ingest_files([(get_source("posyandu"), p) for p in (short, long)],
                           warehouse=tmp_path / "w.duckdb", today=TODAY, config=config)
    assert [(r.fatal, r.rows_staged) for r in results] == [(False, 3), (True, 0)]
    assert results[1].error == "refused: more than 5 rows after the header ([limits] max_rows)"
    with pytest.raises(ConfigError, match=r"limits\.max_rowz: unknown key.*did you mean 'max_rows'"):
        default_config().replace(limits={"max_rowz": 1})


def _csv_bytes(encoding: str, names: list[str]) -> bytes:
    lines = ["Daftar Status Gizi Balita", ";".join(HEADER)]
    lines += [";".join(row(n + 1, Catatan_Kader=name)) for n, name in enumerate(names)]
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def test_windows_1252_is_read_when_plausible_and_recorded(tmp_path):
    names = ["“cek ulang” – kader", "RENÉ", "naïve café", "berat ± 0,5"]
    path = tmp_path / "ansi.csv"
    path.write_bytes(_csv_bytes("cp1252", names))
    warehouse = tmp_path / "w.duckdb"
    [result] = ingest_files([(get_source("posyandu"), path)], warehouse=warehouse, today=TODAY)
    assert not result.fatal and result.rows_staged == 4
    with connect_readonly(warehouse) as con:
        assert con.execute("SELECT encoding FROM load_files").fetchall() == [("cp1252",)]
        notes = con.execute("SELECT extra FROM raw_pengukuran ORDER BY row_number").fetchall()
    assert [json.loads(e)["Catatan Kader"] for (e,) in notes] == names


@pytest.mark.parametrize(("data", "why"), [
    # UTF-8 with one damaged byte: reading it as Windows-1252 would garble every é
    ("RENÉ Zoë Ñoño".encode() + b"\xff", "a UTF-8 file with damaged bytes"),
    ("ДМИТРИЙ ИВАНОВ".encode("cp1251"), "a run of 7 non-ASCII bytes"),
    ("王秀英".encode("gbk"), "a run of 6 non-ASCII bytes"),
    (b"caf\xe9 \x81", "byte 0x81 is no Windows-1252 character"),
])
def test_implausible_encodings_are_refused(tmp_path, data, why):
    path = tmp_path / "odd.csv"
    path.write_bytes(_csv_bytes("utf-8", ["x"]) + b";;;;" + data + b"\r\n")
    reason = refusal(path)
    assert reason.startswith("not a readable table (encoding: not valid UTF-8, and not "
                             "Windows-1252 either: ")
    assert why in reason and reason.endswith("; save it as UTF-8)")


def test_the_plausibility_rules():
    assert cp1252_problem([b"plain ascii \x93quoted\x94 caf\xe9"]) is None
    assert "of its bytes are non-ASCII" in cp1252_problem([b"ab\xe9\xe9 " * 20])
    assert cp1252_problem([b"x" * 1000, b"\x81"]).startswith("byte 0x81")


def test_a_large_non_utf8_csv_is_checked_too(tmp_path):
    """A file over the in-memory size goes the streamed way; the same rules apply."""
    from pipelines.readers.csv_lines import SMALL_FILE

    body = _csv_bytes("utf-8", ["x"] * 2)
    filler = (";".join(row(3)) + "\r\n").encode() * (SMALL_FILE // 100)
    path = tmp_path / "big.csv"
    path.write_bytes(body + filler + "Zoë Ñoño".encode() + b"\xff\r\n")
    assert path.stat().st_size > SMALL_FILE
    assert "damaged bytes" in refusal(path)


def test_html_encodings(tmp_path):
    from tests.pipelines.ingest.conftest import write_html_xls

    plain = write_html_xls(tmp_path / "a.xls", [row(1)])
    ansi = tmp_path / "b.xls"
    ansi.write_bytes(plain.read_text(encoding="utf-8").replace("ANAK 1", "REN\u00c9")
                     .encode("cp1252"))
    with duckdb.connect() as con:
        assert read_table(con, plain, SPEC).encoding == "utf-8"
        assert read_table(con, ansi, SPEC).encoding == "cp1252"
    damaged = tmp_path / "c.xls"
    damaged.write_bytes(plain.read_bytes().replace(b"ANAK 1", "ZOË".encode() + b"\xfe"))
    assert "damaged bytes" in refusal(damaged)
