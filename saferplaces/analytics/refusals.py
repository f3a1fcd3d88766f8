"""The one exception for a question the analytics engine will not answer.

The engine raises ``Refused`` where it knowingly declines: no data for the
period asked, no LSOAs known for an area, a breakdown the measure does not
offer, a window off the publication lattice, a rate with no population
loaded. Its message says why, fit to show a person once ``results`` has
made it a sentence.

The results path (``results._engine``) turns a ``Refused``, and nothing
else, into the sentence the pages, the API and the command line show. Any
other exception (a ``KeyError``, a ``ValueError``, a failing query) is a
bug: it reaches the person as a server error and the log as a traceback,
never as an empty table that looks like missing data.

Example:
    >>> try:
    ...     raise Refused("no LSOAs are known for area 'E05999999'")
    ... except Refused as refused:
    ...     print(refused)
    no LSOAs are known for area 'E05999999'
"""

from __future__ import annotations


class Refused(Exception):
    """A question the engine declines on purpose; the message says why."""
