"""Readers: one export file (CSV, XLSX, legacy XLS or an HTML table saved as .xls) -> a DuckDB
temp table of text cells with canonical column names, plus file metadata (ReadResult).

The table (`read_table(con, path, spec, table="src_rows")`) holds data rows only, in file order:
  row_number INTEGER  the physical 1-based row in the file or sheet (a text editor's line number
                      for CSV, Excel's row number for workbooks, the <tr> index for HTML)
  <canonical> VARCHAR one per spec column present in the file, in spec order
  extra VARCHAR       JSON object text {"Original Header": "value" | null, ...} of the unknown
                      columns the spec allows (TableSpec.extras); NULL when the row has nothing
                      in any of them. Every other unknown column is dropped when the header is
                      read (ReadResult.dropped_columns)
Cells are stripped of surrounding whitespace (empty -> NULL); nothing is parsed: dates, numbers,
sex and wilayah names are the staging SQL's job. Blank rows and footer rows (key columns empty
and a cell starting with Total/Jumlah/Dicetak/Keterangan/Sumber...) are left out.

Details the staging code can rely on:
- a second header for a canonical column goes to `extra` as "Berat (2)" (of a personal one: it is
  dropped); an unnamed header cell is dropped ("column_<position>" in dropped_columns); cells to
  the right of the header's last kept cell are dropped;
- kept cells are masked (pipelines/readers/mask.py): NIK-like runs, mobile numbers, e-mails
  everywhere, text like a name in the spec's typed columns; the personal columns are read as
  they are (for the child key) and never written;
- a file over a ceiling (pipelines/readers/limits.py) is a FatalFileError naming the limit;
- workbook values: integral floats lose ".0" (NIK 3509012345670001.0 -> "3509012345670001"),
  dates are ISO ("2025-12-05", " HH:MM:SS" only when not midnight), an Excel serial stored as a
  plain number stays a number ("45234"), booleans are "TRUE"/"FALSE";
- CSV cells are trimmed in SQL only when they start with whitespace/a non-ASCII character or
  end with a space (trimming every value would make the read about four times slower), so a
  CSV value that ends in other whitespace (tab, no-break space) without starting with any
  keeps it.
"""

from pipelines.readers.spec import ColumnSpec, FatalFileError, ReadResult, TableSpec
from pipelines.readers.table import read_table

__all__ = ["ColumnSpec", "FatalFileError", "ReadResult", "TableSpec", "read_table"]
