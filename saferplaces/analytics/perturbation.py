"""Cell key perturbation: published counts that survive differencing.

The method national statistics offices use for flexible table builders (ONS
for Census 2021 custom datasets and the Integrated Data Service, ABS
TableBuilder), here exactly as ONS's ``cell-key-perturbation`` package
computes it:

1. Every record gets a **record key** when it is loaded, kept in the store
   (``record_key``, 0 to 65,535; see ``saferplaces.ingest.loader``). It is a
   keyed hash of the record's own identity (the crime reference, the
   offender and index date, ...), so a record keeps its key when its file
   is loaded again.
2. A cell's **cell key** is the sum of its records' keys modulo the key
   range (default 256, so cell keys are 0 to 255). The same records always
   give the same cell key, whichever query asked for them.
3. The **perturbation table** (ptable) maps (count, cell key) to the noise
   added. Counts above 750 reuse the rows 501 to 750
   (``pcv = (count - 1) % 250 + 501``). A zero count has no records and no
   noise.
4. A perturbed count below the **threshold** is withheld.

Because a cell's noise depends only on its own records, asking for the same
cell twice gives the same answer, and a total minus its parts gives the
hidden part only up to the sum of several independent noises.

The default ptable (``default_ptable``): every count from the threshold
less 5 upwards gets noise of -5 to +5 with these chances, out of 256 cell
keys; smaller counts are always withheld (their noise takes them to 0):

=====  ===  ===  ===  ===  ===  ====  ===  ===  ===  ===  ===
noise   -5   -4   -3   -2   -1     0   +1   +2   +3   +4   +5
keys     1    2    5   15   41   128   41   15    5    2    1
=====  ===  ===  ===  ===  ===  ====  ===  ===  ===  ===  ===

Half of all counts are exact; the noise has mean 0 and variance 1.59, and
no published count is more than 5 from the truth. Two choices make it hard
to unpick by differencing (tests/analytics/test_attacks.py):

* counts just under the threshold are perturbed like any other, so one may
  be published (a true 8 as 10) and a published count near the threshold
  does not prove the truth is at least the threshold (with ONS's 10-5 rule
  it does, and a published 10 + 10 beside a total of 20 gives both away);
* the rare noise of 4 and 5 widens what an attacker must allow for, while
  the usual noise stays small.

Example:
    >>> table = default_ptable(threshold=10)
    >>> table.perturb([0, 4, 120, 120, 120], [0, 200, 2, 0, 3]).tolist()
    [nan, nan, 118.0, 120.0, 121.0]
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Record keys are stored modulo this; a key range must divide it, so that
# (sum of stored keys) mod range is the sum of the keys mod range.
STORED_KEY_RANGE = 65536
DEFAULT_KEY_RANGE = 256
DEFAULT_THRESHOLD = 10
# ONS ptables have rows for counts 1 to 750; larger counts reuse 501-750.
LARGEST_ROW = 750
REUSED_FROM = 501
REUSED_ROWS = LARGEST_ROW - REUSED_FROM + 1
# Each row's cell keys are dealt their noise in a different order, so two
# cells that share a cell key but differ in count do not share their noise.
# This seed gives the documented default's order; a store never publishes
# with it: ``with_secret_layout`` deals every row again from the store's own
# secret, so knowing the method does not give any cell's noise.
LAYOUT_SEED = 20140401
# (noise, how many of 256 cell keys get it) for counts at or above the
# threshold: the table in the module docstring.
DEFAULT_NOISE = (
    (-5, 1), (-4, 2), (-3, 5), (-2, 15), (-1, 41), (0, 128),
    (1, 41), (2, 15), (3, 5), (4, 2), (5, 1),
)  # fmt: skip


class PTableError(ValueError):
    """A perturbation table that cannot be used, with the reason."""


@dataclass(frozen=True)
class PTable:
    """A perturbation table: ``noise[pcv, cell_key]`` for pcv 0 to 750."""

    noise: npt.NDArray[np.int64]
    threshold: int
    name: str

    @property
    def key_range(self) -> int:
        return int(self.noise.shape[1])

    def cell_keys(self, key_sums: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Cell keys from the sums of the cells' record keys."""
        return np.asarray(key_sums, dtype=np.int64) % self.key_range

    def perturb(
        self, counts: npt.ArrayLike, cell_keys: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Published counts: each count plus its noise; NaN where withheld.

        A vectorised lookup over the cells (never a loop over records)."""
        count = np.asarray(counts, dtype=np.int64)
        keys = np.asarray(cell_keys, dtype=np.int64) % self.key_range
        pcv = np.where(
            count > LARGEST_ROW, (count - 1) % REUSED_ROWS + REUSED_FROM, count
        )
        published = (count + self.noise[pcv, keys]).astype(np.float64)
        published[published < self.threshold] = np.nan
        return published

    def rows(self) -> list[tuple[int, int, int]]:
        """(pcv, ckey, pvalue) for every count 1 to 750: ONS's layout."""
        return [
            (pcv, key, int(self.noise[pcv, key]))
            for pcv in range(1, LARGEST_ROW + 1)
            for key in range(self.key_range)
        ]

    def with_secret_layout(self, secret: str) -> PTable:
        """The same table with each row's cell keys dealt in an order drawn
        from ``secret`` (the store's record-key secret).

        Every row keeps its noise distribution (how many cell keys get each
        noise), so the documented chances hold; only which key gets which
        noise changes. Cell keys add (a quarter's key is the sum of its
        months' keys), so with a public layout an attacker could solve the
        keys and noise of overlapping cells; with the installation's own
        layout they cannot (docs/decisions/0007-publication-lattice.md).

        Example:
            >>> table = default_ptable()
            >>> mine = table.with_secret_layout("a store's secret")
            >>> bool((mine.noise != table.noise).any())
            True
            >>> bool((np.sort(mine.noise) == np.sort(table.noise)).all())
            True
        """
        digest = hmac.new(secret.encode(), b"ptable-layout", hashlib.sha256).digest()
        deal = np.random.default_rng(int.from_bytes(digest[:16], "big"))
        order = np.argsort(deal.random(self.noise.shape), axis=1)
        noise = np.take_along_axis(self.noise, order, axis=1)
        return PTable(noise, self.threshold, f"{self.name}, this store's layout")

    @functools.cached_property
    def most_noise(self) -> int:
        """The most a published count can differ from the truth."""
        published = self.noise[1:] + np.arange(1, LARGEST_ROW + 1)[:, None]
        differs = np.where(published >= self.threshold, np.abs(self.noise[1:]), 0)
        return int(differs.max())


def default_ptable(
    threshold: int = DEFAULT_THRESHOLD, key_range: int = DEFAULT_KEY_RANGE
) -> PTable:
    """The documented default (see the module docstring)."""
    _check_key_range(key_range)
    if threshold < 1:
        raise PTableError("the threshold must be 1 or more")
    if key_range % 256:
        raise PTableError("the default ptable needs a key range that 256 divides")
    per_key = np.repeat(
        np.array([noise for noise, _ in DEFAULT_NOISE], dtype=np.int64),
        [keys * key_range // 256 for _, keys in DEFAULT_NOISE],
    )
    shuffle = np.random.default_rng(LAYOUT_SEED)
    noise = np.stack([shuffle.permutation(per_key) for _ in range(LARGEST_ROW + 1)])
    counts = np.arange(LARGEST_ROW + 1)
    # Counts too small to reach the threshold with any noise are withheld
    # outright (so none is pushed below zero); the rest keep their noise.
    largest = max(noise for noise, _ in DEFAULT_NOISE)
    small = counts < threshold - largest
    noise[small] = -counts[small, None]
    noise[0] = 0
    return PTable(noise, threshold, f"default (threshold {threshold})")


def ptable_from_csv(path: Path, threshold: int) -> PTable:
    """A ptable in ONS's layout: columns pcv, ckey, pvalue; a row for every
    count 1 to 750 and every cell key 0 to the largest."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = {"pcv", "ckey", "pvalue"} - set(reader.fieldnames or [])
            if missing:
                raise PTableError(
                    f"{path}: no column {', '.join(sorted(missing))} "
                    "(a ptable has pcv, ckey and pvalue)"
                )
            entries = [
                _entry(path, line, row) for line, row in enumerate(reader, start=2)
            ]
    except OSError as error:
        raise PTableError(f"{path}: {error.strerror}") from None
    if not entries:
        raise PTableError(f"{path}: the ptable has no rows")
    key_range = max(key for _, key, _ in entries) + 1
    _check_key_range(key_range)
    noise = np.zeros((LARGEST_ROW + 1, key_range), dtype=np.int64)
    seen = np.zeros_like(noise, dtype=bool)
    for pcv, key, value in entries:
        noise[pcv, key], seen[pcv, key] = value, True
    if not seen[1:].all():
        pcv, key = np.argwhere(~seen[1:])[0]
        raise PTableError(f"{path}: no row for pcv {pcv + 1}, ckey {key}")
    return PTable(noise, threshold, str(path))


def _entry(path: Path, line: int, row: dict[str, str]) -> tuple[int, int, int]:
    try:
        pcv, key, value = int(row["pcv"]), int(row["ckey"]), int(row["pvalue"])
    except (TypeError, ValueError):
        raise PTableError(f"{path}, line {line}: pcv, ckey and pvalue must be whole "
                          "numbers") from None  # fmt: skip
    if not 1 <= pcv <= LARGEST_ROW:
        raise PTableError(f"{path}, line {line}: pcv must be 1 to {LARGEST_ROW}")
    if key < 0:
        raise PTableError(f"{path}, line {line}: ckey must not be negative")
    if pcv + value < 0:
        raise PTableError(f"{path}, line {line}: pvalue {value} makes {pcv} negative")
    return pcv, key, value


def _check_key_range(key_range: int) -> None:
    if key_range < 2 or STORED_KEY_RANGE % key_range:
        raise PTableError(
            f"the key range must be a power of two from 2 to {STORED_KEY_RANGE} "
            f"(the ckeys run 0 to range - 1); got {key_range}"
        )
