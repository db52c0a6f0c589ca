"""tumbuh pipelines: the only writer of the warehouse (raw exports -> staging -> marts)."""
