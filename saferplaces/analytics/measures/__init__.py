"""The partnership's outcome measures: each defined once, in a registry.

``REGISTRY`` holds every measure's definition (numerator as SQL over the
canonical tables, denominator, unit, polarity, source); ``series`` computes a
measure for an area by month, financial quarter, financial year or rolling
12 months, with exact intervals and SPC signals.
"""

# Measure families registered from their own modules (imported for that).
from saferplaces.analytics.measures import outcomes, stop_search  # noqa: F401
from saferplaces.analytics.measures.registry import REGISTRY, Measure, get_measure
from saferplaces.analytics.measures.series import SeriesPoint, measure_series

__all__ = ["REGISTRY", "Measure", "SeriesPoint", "get_measure", "measure_series"]
