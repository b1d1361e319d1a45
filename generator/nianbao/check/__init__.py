"""The checks on one Report: the tables' rules (R), against last year (X, with the repetition rates compare shows), before publishing (P), and over cells that could not be read."""
