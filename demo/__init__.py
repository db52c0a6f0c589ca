"""Demo data for tumbuh: realistic exports of the four sources (e-PPGBM posyandu measurements,
PKK Dasa Wisma recaps, posyandu SPM service records, daily intervention reports) for the real
wilayah of Jawa Timur, with a manifest of the injected mess. Entry point: `demo.generate.run`
(`tumbuh demo`, `python -m demo`).

Modules: reference (code list, posyandu and puskesmas layer, targets), cohort (children, visits,
growth), lms (WHO tables), mess / corrupt (what goes wrong and how it is written), posyandu,
pkk, spm, intervensi (one source each), formats (CSV / XLSX / HTML writers), kabkota (one
kab/kota end to end), generate (the run and its manifest).
"""
