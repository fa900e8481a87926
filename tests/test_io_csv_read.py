"""egovsem.io.read_data on CSV after the issue-17 shortcuts (the raw header read only when pandas may have
renamed a duplicate; the missing-code scan's first check on the numpy array): the same DataFrame as pandas'
own read_csv, bit for bit, and the same messages."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _refcompare import DATA
from egovsem._errors import DataError
from egovsem.io import DataWarning, read_data, suspect_codes


def _same(df: pd.DataFrame, ref: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(df, ref, check_exact=True)
    for c in ref.columns:
        if pd.api.types.is_float_dtype(ref[c]):
            # bit for bit, NaN in the same cells
            assert np.array_equal(df[c].to_numpy().view(np.int64), ref[c].to_numpy().view(np.int64)), c


def test_holzinger_swineford_as_pandas_reads_it():
    path = DATA / "HolzingerSwineford1939.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df = read_data(path)
    _same(df, pd.read_csv(path))
    assert df.shape == (301, 15)


def test_missing_cells_and_text_column_as_pandas_reads_them(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text('id,school,x1,x2,x3\n1,"Pasteur",3.5,,1\n2,Grant-White,,2.25,NA\n3,"a, b",0.1,7,\n'
                    '4,,1e-3,-0.0,2\n')
    df = read_data(path)
    ref = pd.read_csv(path)
    _same(df, ref)
    assert df["school"].tolist()[:3] == ["Pasteur", "Grant-White", "a, b"] and pd.isna(df["school"][3])
    assert np.isnan(df["x1"][1]) and np.isnan(df["x3"][1]) and np.isnan(df["x3"][2])


def test_duplicate_headers_still_refused_and_dotted_names_kept(tmp_path):
    dup = tmp_path / "dup.csv"
    dup.write_text("a,b,a\n1,2,3\n4,5,6\n")
    with pytest.raises(DataError, match=r"has duplicate column names: \['a'\]\."):
        read_data(dup)
    dotted = tmp_path / "dotted.csv"  # a column really named a.1 beside a: no duplicate
    dotted.write_text("a,a.1,b.2\n1,2,3\n4,5,6\n")
    _same(read_data(dotted), pd.read_csv(dotted))
    assert read_data(dotted).columns.tolist() == ["a", "a.1", "b.2"]


def test_missing_code_scan_unchanged(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("q1,q2,q3,name\n1,-99,7,x\n2,3,8,y\n5,4,8,z\n3,-99,7,w\n4,2,,v\n")
    with pytest.warns(DataWarning, match=r"column 'q2': the value\(s\) -99 \(2 rows\)"):
        df = read_data(path)
    _same(df, pd.read_csv(path))
    assert suspect_codes(pd.Series([np.nan, np.nan])) == []
    assert suspect_codes(pd.Series([1.0, np.nan, 2.0, -99.0, 3.0])) == [(-99.0, 1)]
    assert suspect_codes(pd.Series([1, 2, 3], dtype="Int64")) == []
    assert suspect_codes(pd.Series([1, 2, 5, -99, pd.NA], dtype="Int64")) == [(-99.0, 1)]
