"""The report model: the official formats (standard), the report file's schema and YAML, the Report every reader builds and every check and writer reads, and the places of its cells."""
