"""Names as people type them: the folding and the checks on what was typed (no warehouse)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from lookup.names import MAX_QUERY_LENGTH, QueryRejected, checked_query, fold
from tests.python.dbt_runner import SAMPLE_PARQUET


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("beyonce", "Beyoncé"),
        ("daft  punk", "Daft Punk"),
        ("\uff22\uff34\uff33", "BTS"),  # full-width letters
        ("sash", "Sash!"),
        ("RIKE", "Riké"),
        ("gidle", "(G)I-DLE"),
        ("guns n roses", "Guns N' Roses"),
        ("블랙 핑크", "블랙핑크"),
    ],
)
def test_names_fold_alike(typed: str, name: str) -> None:
    assert fold(typed) == fold(name)
    assert fold(typed)


def test_a_name_of_punctuation_folds_to_nothing() -> None:
    assert fold("!!!") == ""
    assert fold("  ") == ""


def test_hangul_is_kept_as_hangul() -> None:
    # NFKD splits a syllable into its jamo (not combining marks); NFC puts it back.
    assert fold("레드벨벳") == "레드벨벳"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "type an artist's name"),
        ("   ", "type an artist's name"),
        ("x" * (MAX_QUERY_LENGTH + 1), "at most 200"),
        ("'; drop table dim_artists; --", "looks like SQL"),
        ("Queen' or '1'='1", "looks like SQL"),
        ("select artist_name from dim_artists", "looks like SQL"),
        ("BTS union select 1", "looks like SQL"),
    ],
)
def test_what_cannot_be_a_name_gets_one_line(typed: str, reason: str) -> None:
    with pytest.raises(QueryRejected) as raised:
        checked_query(typed)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)


def test_every_artist_name_of_the_sample_is_accepted() -> None:
    # The SQL check must not refuse real names ("Drop Dead Gorgeous", "Khea;Omar Varela").
    names = set(pq.read_table(SAMPLE_PARQUET, columns=["track_artist"])["track_artist"].to_pylist())
    names.discard(None)
    refused = []
    for name in sorted(names):
        try:
            checked_query(name)
        except QueryRejected:
            refused.append(name)
    assert len(names) > 10_000
    assert refused == []
    assert checked_query("  Drop Dead Gorgeous ") == "Drop Dead Gorgeous"
