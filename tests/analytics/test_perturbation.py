"""Cell key perturbation against ONS's own package (cell-key-perturbation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table
from cell_key_perturbation.utils.generate_test_ptable import (
    generate_ptable_10_5_rule,
)

from saferplaces.analytics.perturbation import (
    PTable,
    PTableError,
    default_ptable,
    ptable_from_csv,
)


def microdata(rows: int, seed: int) -> pd.DataFrame:
    """Records in areas and groups, some cells large (over 750, where ONS
    reuses ptable rows) and many small."""
    rng = np.random.default_rng(seed)
    area = rng.choice(
        ["A", "B", "C", "D", "E"], size=rows, p=[0.6, 0.2, 0.1, 0.07, 0.03]
    )
    group = rng.choice(["x", "y", "z"], size=rows, p=[0.7, 0.25, 0.05])
    return pd.DataFrame(
        {"area": area, "group": group, "record_key": rng.integers(0, 256, rows)}
    )


def ours(data: pd.DataFrame, table: PTable) -> dict[tuple[str, str], float]:
    cells = data.groupby(["area", "group"]).agg(
        n=("record_key", "size"), key_sum=("record_key", "sum")
    )
    published = table.perturb(cells["n"], table.cell_keys(cells["key_sum"]))
    return dict(zip(cells.index, published, strict=True))


def theirs(data: pd.DataFrame, ptable: pd.DataFrame, threshold: int) -> dict:
    result = create_perturbed_table(
        data, ptable, geog=["area"], tab_vars=["group"],
        record_key="record_key", threshold=threshold,
    )  # fmt: skip
    return {
        (row.area, row.group): np.nan if pd.isna(row.count) else float(row.count)
        for row in result.itertuples()
        if row.pre_sdc_count > 0
    }


def as_frame(table: PTable) -> pd.DataFrame:
    return pd.DataFrame(table.rows(), columns=["pcv", "ckey", "pvalue"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_default_ptable_gives_onss_cells(seed):
    data = microdata(6000, seed)
    table = default_ptable(threshold=10)
    expected = theirs(data, as_frame(table), threshold=10)
    got = ours(data, table)
    assert got.keys() == expected.keys()
    for cell, value in expected.items():
        assert got[cell] == value or (np.isnan(got[cell]) and np.isnan(value)), cell


def test_onss_own_10_5_ptable_read_from_csv_gives_onss_cells(tmp_path):
    ptable = generate_ptable_10_5_rule()
    path = tmp_path / "ptable_10_5_rule.csv"
    ptable.to_csv(path, index=False)
    table = ptable_from_csv(path, threshold=10)
    data = microdata(8000, 7)
    expected = theirs(data, ptable, threshold=10)
    got = ours(data, table)
    assert {k: v for k, v in got.items() if not np.isnan(v)} == {
        k: v for k, v in expected.items() if not np.isnan(v)
    }


def test_counts_over_750_reuse_rows_501_to_750():
    table = default_ptable()
    # 1001 uses row (1000 % 250) + 501 = 501.
    for key in (0, 17, 255):
        assert table.perturb([1001], [key])[0] == 1001 + table.noise[501, key]


def test_the_default_noise_is_small_unbiased_and_half_exact():
    table = default_ptable(threshold=10)
    row = table.noise[200]
    assert row.mean() == 0
    assert (row == 0).mean() == 0.5
    assert table.most_noise == 5
    # Counts that no noise lifts to the threshold are always withheld...
    assert np.isnan(table.perturb([1, 2, 3, 4] * 256, np.repeat(range(256), 4))).all()
    # ...and a count just under it is sometimes published (so a published
    # count near the threshold does not prove the truth reaches it).
    nine = table.perturb([9] * 256, range(256))
    assert np.isnan(nine).mean() > 0.5
    assert set(nine[~np.isnan(nine)]) == {10, 11, 12, 13, 14}


def test_the_same_cell_always_gets_the_same_noise():
    table = default_ptable()
    first = table.perturb([57] * 256, range(256))
    assert (first == table.perturb([57] * 256, range(256))).all()
    assert len(set(first)) > 1  # but different cells differ


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pcv,ckey\n1,0\n", "no column pvalue"),
        ("pcv,ckey,pvalue\n1,0,x\n", "line 2: pcv, ckey and pvalue must be whole"),
        ("pcv,ckey,pvalue\n1,0,-2\n", "line 2: pvalue -2 makes 1 negative"),
        ("pcv,ckey,pvalue\n800,0,0\n", "line 2: pcv must be 1 to 750"),
        ("pcv,ckey,pvalue\n1,0,0\n1,1,0\n", "no row for pcv 2, ckey 0"),
        ("pcv,ckey,pvalue\n1,0,0\n1,1,0\n1,2,0\n", "key range must be a power"),
    ],
)
def test_a_bad_ptable_is_refused_with_line_and_reason(tmp_path, text, message):
    path = tmp_path / "ptable.csv"
    path.write_text(text)
    with pytest.raises(PTableError, match=message):
        ptable_from_csv(path, threshold=10)
