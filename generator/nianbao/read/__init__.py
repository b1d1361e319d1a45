"""The readers: a report file (YAML), a collection workbook, the wizard's answers or a published report (importer) → one loaded Report with its findings."""
