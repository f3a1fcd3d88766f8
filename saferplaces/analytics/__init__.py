"""Pure-Python analytics over the analytic store (DuckDB + Delta Lake).

No Django here: a notebook user can ``import saferplaces.analytics`` on its own.
"""
