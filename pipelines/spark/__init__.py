"""The marts on Apache Spark (`tumbuh rebuild --engine spark`, decision D37): the same model
files and builder code as DuckDB, run through a DuckDB-shaped connection over a SparkSession
(connection.py), with the SQL rewritten in one place (dialect.py). PySpark is an optional extra:
`pip install 'tumbuh[spark]'`, with Java 17 (Debian: openjdk-17-jre-headless)."""
