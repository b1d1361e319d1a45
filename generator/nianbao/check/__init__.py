"""The checks on one Report: the tables' rules (R), against last year (X), before publishing (P), and over cells that could not be read."""
