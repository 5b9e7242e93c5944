"""Report queries: each report is one SQL aggregate built here and run by ``reports.services``.

Everything is computed from ledger postings and order-line snapshots (never the
mutable catalog rows). Grouping, summing and counting happen in SQL; Python only
derives per-row figures (per household, percent...) from the grouped rows.
"""
