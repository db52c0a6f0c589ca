"""Ingestion per source. Each module exposes SOURCE (pipelines.ingest.load.Source)."""

from __future__ import annotations

import importlib
from pathlib import Path

SOURCE_MODULES = {
    "posyandu": "pipelines.ingest.posyandu",
    "pkk": "pipelines.ingest.pkk",
    "spm": "pipelines.ingest.spm",
    "intervensi": "pipelines.ingest.intervensi",
}
EXPORT_SUFFIXES = {".csv", ".txt", ".xlsx", ".xls", ".html", ".htm"}


def get_source(name: str):
    return importlib.import_module(SOURCE_MODULES[name]).SOURCE


def files_in(folder: Path) -> list[Path]:
    """Export files below a folder in a stable order (months sort chronologically by path)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXPORT_SUFFIXES)
