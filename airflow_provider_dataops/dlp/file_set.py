"""The DLP file set that scans exactly one Cloud Storage object, whatever its name.

DLP's ``FileSet.url`` reads ``*`` (and a trailing ``/``) as a pattern, so names such as
``customers[2024].csv`` or ``a*b`` cannot be named through it. A
``CloudStorageRegexFileSet`` with one anchored regex that matches only the object's full name
(everything after the bucket, as DLP defines it) scans exactly that object. DLP reads the regex
with RE2 syntax: ASCII punctuation is escaped with a backslash, control characters are written
as ``\\x{HH}``, everything else (letters, digits, space, non-ASCII) stands for itself.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

_PUNCTUATION = frozenset(string.punctuation)
_ESCAPE = re.compile(r"\\x\{([0-9A-F]{2})\}|\\(.)", re.DOTALL)


def re2_literal(text: str) -> str:
    """``text`` as an RE2 pattern that matches exactly ``text``."""
    out: list[str] = []
    for ch in text:
        if ch in _PUNCTUATION:
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{{{ord(ch):02X}}}")
        else:
            out.append(ch)
    return "".join(out)


def object_regex(name: str) -> str:
    """The anchored RE2 regex that matches the object name ``name`` and nothing else."""
    return f"^{re2_literal(name)}$"


def exact_object_file_set(bucket: str, name: str) -> dict[str, Any]:
    """``CloudStorageOptions.file_set`` (snake_case, as the Python client takes it) for one object."""
    return {"regex_file_set": {"bucket_name": bucket, "include_regex": [object_regex(name)]}}


def name_from_regex(regex: str) -> str | None:
    """The object name an :func:`object_regex` regex stands for; ``None`` for any other regex."""
    if not (regex.startswith("^") and regex.endswith("$")) or len(regex) < 2:
        return None
    body = regex[1:-1]
    name = _ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], body)
    return name if object_regex(name) == regex else None


def uri_from_file_set(file_set: Mapping[str, Any]) -> str | None:
    """The ``gs://`` URI of the single object a file set scans, if it scans exactly one.

    Accepts the snake_case (``DlpJob.to_dict``) and camelCase (REST JSON) spellings.
    """
    url = file_set.get("url")
    if url:
        return str(url)
    regex_set = file_set.get("regex_file_set") or file_set.get("regexFileSet") or {}
    bucket = regex_set.get("bucket_name") or regex_set.get("bucketName")
    includes = list(regex_set.get("include_regex") or regex_set.get("includeRegex") or [])
    excludes = regex_set.get("exclude_regex") or regex_set.get("excludeRegex")
    if not bucket or len(includes) != 1 or excludes:
        return None
    name = name_from_regex(str(includes[0]))
    return None if name is None else f"gs://{bucket}/{name}"
