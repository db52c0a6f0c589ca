"""Tests of pipelines/: one folder per module or source domain (readers, ingest, who, warehouse,
marts, spm, intervensi, hotspot)."""
