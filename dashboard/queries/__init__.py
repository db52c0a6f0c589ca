"""Every query the dashboard runs, as a named function in the module of its domain:

- build:      the published build's tables, columns, build time and extraction dates
- wilayah:    reference tables (kab/kota, kecamatan)
- stunting:   prevalence (mart_prevalensi) and the survey reference (mart_target_list)
- hotspot:    spatial clusters of the smoothed kecamatan prevalence (mart_hotspot, mart_moran)
- spm:        SPM coverage per field and indicator, PKK indicators beside stunting
- intervensi: campaign progress, reporting gaps, outcome
- kualitas:   data quality, ingestion rejects, audits

Pages and helpers call these (`from dashboard import queries as q`; `q.wilayah.kabkota(repo)`)
and never write SQL; the functions own the SQL text and run it through `_base.run`, the one
choke point where a user's wilayah scope will be applied (see there).
"""

from dashboard.queries import build, hotspot, intervensi, kualitas, spm, stunting, wilayah

__all__ = ["build", "hotspot", "intervensi", "kualitas", "spm", "stunting", "wilayah"]
