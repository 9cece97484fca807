"""DlpFindingsSlackOperator through the real SlackWebhookHook to a local webhook server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from airflow_provider_dataops.operators.dlp import DlpFindingsSlackOperator

pytestmark = pytest.mark.integration

WEBHOOK = "/services/T9/B9/integrationtoken"
SUMMARY = {
    "job_name": "projects/p/dlpJobs/i-1",
    "state": "DONE",
    "uri": "gs://b/o.csv",
    "findings": {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1},
    "total_findings": 3,
    "processed_bytes": 10,
    "extra_key": "ignored",
}


@pytest.fixture
def slack_conn(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {"conn_type": "slackwebhook", "host": httpserver.url_for("/").rstrip("/"), "password": WEBHOOK}
    monkeypatch.setenv("AIRFLOW_CONN_SLACK_DLP_IT", json.dumps(conn))
    return "slack_dlp_it"


def _operator(slack_conn: str, summary: Any, **kwargs: Any) -> DlpFindingsSlackOperator:
    return DlpFindingsSlackOperator(
        task_id="alert", summary=summary, slack_webhook_conn_id=slack_conn, **kwargs
    )


def test_rendered_jinja_string_summary_is_accepted(slack_conn: str, httpserver: HTTPServer) -> None:
    httpserver.expect_request(WEBHOOK, method="POST").respond_with_data("ok")
    assert _operator(slack_conn, str(SUMMARY)).execute(context={}) is True  # type: ignore[arg-type]
    assert _operator(slack_conn, json.dumps(SUMMARY)).execute(context={}) is True  # type: ignore[arg-type]
    payloads = [request.get_json() for request, _ in httpserver.log]
    assert [p["text"] for p in payloads] == ["DLP found 3 sensitive item(s) in gs://b/o.csv"] * 2


def test_info_type_filter_applies_before_the_threshold(slack_conn: str, httpserver: HTTPServer) -> None:
    op = _operator(slack_conn, SUMMARY, min_findings=2, info_types=["PHONE_NUMBER"])
    assert op.execute(context={}) is False  # type: ignore[arg-type]
    assert httpserver.log == []
    op = _operator(slack_conn, SUMMARY, min_findings=1, info_types=["PHONE_NUMBER"])
    httpserver.expect_request(WEBHOOK, method="POST").respond_with_data("ok")
    assert op.execute(context={}) is True  # type: ignore[arg-type]
    blocks = json.dumps(httpserver.log[0][0].get_json()["blocks"])
    assert "PHONE_NUMBER" in blocks
    assert "EMAIL_ADDRESS" not in blocks


def test_summary_that_is_not_a_dict_is_named(slack_conn: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    with pytest.raises(AirflowFailException, match="summary: expected the DlpJobSensor result"):
        _operator(slack_conn, "not a summary").execute(context={})  # type: ignore[arg-type]


HOSTILE_NAMES = ["<!channel>.csv", "<https://evil.example|Review>.csv", "a`b`c <@U0> & x.csv"]


def _mrkdwn_texts(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if block.get("text", {}).get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        texts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return texts


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_object_names_reach_slack_escaped(slack_conn: str, httpserver: HTTPServer, name: str) -> None:
    """Before: the top-level text carried the name raw, so ``<!channel>`` pinged everyone."""
    httpserver.expect_request(WEBHOOK, method="POST").respond_with_data("ok")
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    summary = {**SUMMARY, "uri": f"gs://b/{name}"}
    assert _operator(slack_conn, summary).execute(context={}) is True  # type: ignore[arg-type]
    _assert_escaped(httpserver.log[-1][0].get_json(), escaped)
    not_scanned = _operator(slack_conn, None, gcs_uri=f"gs://b/{name}")
    assert not_scanned.execute(context={}) is True  # type: ignore[arg-type]
    _assert_escaped(httpserver.log[-1][0].get_json(), escaped)


def _assert_escaped(payload: dict[str, Any], escaped: str) -> None:
    for text in _mrkdwn_texts(payload):
        assert "<!" not in text
        assert "<http" not in text.replace("<https://console.cloud.google.com/", "")
        assert "<@" not in text
        assert "`" not in text.replace(escaped, "")
    assert f"gs://b/{escaped}" in payload["text"]


def test_missing_summary_alerts_not_scanned_whatever_the_threshold(
    slack_conn: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(WEBHOOK, method="POST").respond_with_data("ok")
    op = _operator(slack_conn, "None", gcs_uri="gs://b/never-scanned.csv", min_findings=1000)
    assert op.execute(context={}) is True  # type: ignore[arg-type]
    payload = httpserver.log[0][0].get_json()
    assert payload["text"].startswith("DLP NOT SCANNED: gs://b/never-scanned.csv (no DLP result")
