"""tests/ mirrors the source tree (README): every test folder is named after the module, package
or source domain it tests, so a maintainer finds a module's tests by its path. tests/security is
the one cross-cutting folder (hostile input and personal data, across every layer)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CROSS_CUTTING = {"security"}
# folders that hold data or helpers of the tests beside them, not tests of a module
NOT_TESTS = {"fixtures", "__pycache__"}


def _mirrors(folder: Path) -> bool:
    """tests/<a>/<b> tests <a>/<b>/, <a>/<b>.py, or the source domain <b> of pipelines (its
    ingest module and its folder of mart models)."""
    source = ROOT / folder.relative_to(ROOT / "tests")
    domain = folder.name
    return (source.is_dir() or source.with_suffix(".py").is_file()
            or (ROOT / "pipelines" / "ingest" / f"{domain}.py").is_file()
            or (ROOT / "pipelines" / "sql" / "marts" / domain).is_dir())


def test_every_test_folder_mirrors_a_source_path():
    folders = [p for p in (ROOT / "tests").rglob("*") if p.is_dir()
               and not NOT_TESTS & set(p.relative_to(ROOT / "tests").parts)
               and p.relative_to(ROOT / "tests").parts[0] not in CROSS_CUTTING]
    assert len(folders) >= 10
    assert [str(p.relative_to(ROOT)) for p in folders if not _mirrors(p)] == []


def test_test_modules_at_the_top_test_top_level_modules():
    """tests/test_<name>.py tests the top-level module <name>.py (the CLI) or the layout."""
    tops = {p.stem.removeprefix("test_") for p in (ROOT / "tests").glob("test_*.py")}
    assert tops <= {"tumbuh_cli", "layout"}
    assert (ROOT / "tumbuh_cli.py").is_file()
