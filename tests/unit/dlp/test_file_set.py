"""The exact-object regex file set, checked with RE2 itself (google-re2), the engine DLP uses."""

from __future__ import annotations

import string

import pytest
import re2

from airflow_provider_dataops.dlp.file_set import (
    exact_object_file_set,
    name_from_regex,
    object_regex,
    uri_from_file_set,
)

NAMES = [
    "customers[2024].csv",
    "uploads/a*b?.csv",
    "folder/",
    "x.csv",
    "dir/.*",
    "caf\u00e9 \u65e5\u672c/report (1).csv",
    "tab\there\x01\x7f",
    string.punctuation,
    "^anchored$",
]
# What a pattern that is unescaped, unanchored or a character class would wrongly also match.
DECOYS = [
    "customers2.csv",
    "customers[2024].csv.bak",
    "old/customers[2024].csv",
    "uploads/aXbY.csv",
    "folder/inner.csv",
    "xXcsv",
    "dir/anything",
    "anchored",
]


@pytest.mark.parametrize("name", NAMES)
def test_regex_matches_exactly_the_name_under_re2(name: str) -> None:
    regex = object_regex(name)
    assert re2.fullmatch(regex, name)
    for other in DECOYS + [n for n in NAMES if n != name] + [name + "x", "x" + name, name[:-1]]:
        assert not re2.fullmatch(regex, other), (regex, other)
        assert not re2.search(regex, other), (regex, other)


@pytest.mark.parametrize("name", NAMES)
def test_regex_round_trips_to_the_uri(name: str) -> None:
    file_set = exact_object_file_set("bucket", name)
    assert file_set == {"regex_file_set": {"bucket_name": "bucket", "include_regex": [object_regex(name)]}}
    assert uri_from_file_set(file_set) == f"gs://bucket/{name}"
    camel = {"regexFileSet": {"bucketName": "bucket", "includeRegex": [object_regex(name)]}}
    assert uri_from_file_set(camel) == f"gs://bucket/{name}"


@pytest.mark.parametrize(
    "file_set",
    [
        {"regex_file_set": {"bucket_name": "b", "include_regex": ["dir/.*"]}},
        {"regex_file_set": {"bucket_name": "b", "include_regex": ["^a$", "^b$"]}},
        {"regex_file_set": {"bucket_name": "b", "include_regex": ["^a$"], "exclude_regex": ["x"]}},
        {"regex_file_set": {"bucket_name": "b"}},
    ],
)
def test_file_set_that_is_not_one_exact_object_has_no_uri(file_set: dict[str, object]) -> None:
    assert uri_from_file_set(file_set) is None


def test_name_from_regex_refuses_unescaped_patterns() -> None:
    assert name_from_regex("^a.b$") is None
    assert name_from_regex("^a\\.b$") == "a.b"
