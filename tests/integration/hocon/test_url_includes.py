"""``include url(...)`` is refused unless enabled, before any request is made (issue 10 item 8).

A real HTTP server serves the included config; its request log proves whether anything was fetched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from airflow_provider_dataops.hocon import HoconConfigError, load_config

pytestmark = pytest.mark.usefixtures("hocon_engine")

FORMS = {
    "url()": 'include url("{url}")',
    "quoted URL": 'include "{url}"',
    "required(url())": 'include required(url("{url}"))',
    "newline before url()": 'include\n  url("{url}")',
    "inside an object": 'sub {{ include url("{url}") }}',
    "after a comma": 'a = 1, include url("{url}")',
    "upper-case INCLUDE (pyhocon reads it)": 'INCLUDE url("{url}")',
}


@pytest.fixture
def served(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/remote.conf").respond_with_data("remote = fetched\n")
    return httpserver.url_for("/remote.conf")


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_url_include_is_refused_with_one_line_and_nothing_is_fetched(
    form: str, served: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    main = tmp_path / "a.conf"
    main.write_text("x = 1\n" + form.format(url=served) + "\n")
    with pytest.raises(HoconConfigError) as caught:
        load_config(main)
    message = str(caught.value)
    assert message.startswith(f"{main}:2:"), message
    assert "\n" not in message
    assert f"include of URL '{served}' refused; set DATAOPS_HOCON_ALLOW_URL_INCLUDES=true" in message
    assert httpserver.log == []


def test_url_include_in_an_included_file_is_refused_naming_that_file(
    served: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    inner = tmp_path / "inner.conf"
    inner.write_text(f'# fetches\ninclude url("{served}")\n')
    main = tmp_path / "a.conf"
    main.write_text('include "inner.conf"\n')
    with pytest.raises(HoconConfigError, match=rf"^{inner}:2:1: include of URL"):
        load_config(main)
    assert httpserver.log == []


def test_url_text_inside_strings_and_comments_is_not_an_include(
    served: str, httpserver: HTTPServer, tmp_path: Path
) -> None:
    main = tmp_path / "a.conf"
    main.write_text(
        f'doc = "include url(\\"{served}\\")"\n'
        f'# include url("{served}")\n'
        f'more = """\ninclude url("{served}")\n"""\n'
    )
    config = load_config(main)
    assert config["doc"] == f'include url("{served}")'
    assert httpserver.log == []


def test_enabled_url_include_is_fetched(
    served: str, httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAOPS_HOCON_ALLOW_URL_INCLUDES", "true")
    main = tmp_path / "a.conf"
    main.write_text(f'include url("{served}")\nx = ${{remote}}\n')
    assert load_config(main) == {"remote": "fetched", "x": "fetched"}
    assert len(httpserver.log) == 1


def test_a_bad_value_of_the_setting_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATAOPS_HOCON_ALLOW_URL_INCLUDES", "maybe")
    main = tmp_path / "a.conf"
    main.write_text("x = 1\n")
    with pytest.raises(HoconConfigError) as caught:
        load_config(main)
    assert str(caught.value) == "DATAOPS_HOCON_ALLOW_URL_INCLUDES='maybe': expected true or false"
