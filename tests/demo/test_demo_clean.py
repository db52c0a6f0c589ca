"""`--clean`: no mess at all, plain CSV with the header on the first line, every row valid."""

from __future__ import annotations

import pandas as pd

from demo.generate import run
from tests.demo import demo_files as D


def test_clean_run_has_no_mess(tmp_path):
    out = tmp_path / "clean"
    summary = run(out, scale=0.002, seed=5, clean=True, min_balita=60, kabkota=["35.09", "35.73", "35.76"])
    manifest = D.load_manifest(out)
    assert summary["corrupted_rows"] == 0 and len(D.load_lines(out)) == 0
    files = pd.DataFrame(manifest["files"])
    assert (files.format == "csv").all() and (files.header_row == 1).all()
    assert (files.rows_rejected == 0).all() and (files.rows_staged == files.rows_read).all()
    pos = files[files.source == "posyandu"]
    assert (pos["flags"].map(lambda f: sum(f.values())) == 0).all() and (pos.adjusted == 0).all()
    assert len(pos) == 3 * 24
    for e in pos.sample(12, random_state=0).to_dict("records"):
        df = D.as_text(D.read_table(out, e))
        assert len(df) == e["rows_read"]
        assert [D.first_reason(r, None) for _, r in df.iterrows()] == [None] * len(df)
        assert df["Tgl Lahir"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
        assert not df.Berat.str.contains(",").any()
        assert df.NIK.dropna().str.fullmatch(r"\d{16}").all()
