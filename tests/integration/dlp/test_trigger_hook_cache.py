"""DlpJobTrigger's shared DLP clients: one per connection, at most HOOK_CACHE_SIZE kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_dataops.triggers import dlp as trigger_module
from tests.fixtures.dlp import FakeDlp, gcp_connection_env

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_cache() -> Iterator[None]:
    trigger_module._HOOKS.clear()
    yield
    trigger_module._HOOKS.clear()


def test_cache_keeps_at_most_the_bound_evicting_the_least_recently_used(
    empty_cache: None, dlp_fake: FakeDlp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: ``_HOOKS`` never evicted, so every connection ever seen kept its client."""
    bound = getattr(trigger_module, "HOOK_CACHE_SIZE", 32)
    conn_ids = [
        gcp_connection_env(monkeypatch, f"dlp_cache_{i}", api_endpoint=dlp_fake.url, transport="rest")
        for i in range(bound + 5)
    ]
    first = trigger_module._shared_hook(conn_ids[0], None)
    for conn_id in conn_ids[1:bound]:
        trigger_module._shared_hook(conn_id, None)
    assert trigger_module._shared_hook(conn_ids[0], None) is first  # a hit refreshes it
    for conn_id in conn_ids[bound:]:
        trigger_module._shared_hook(conn_id, None)

    assert len(trigger_module._HOOKS) == bound
    cached = {key[0] for key in trigger_module._HOOKS}
    assert conn_ids[0] in cached
    assert not cached & set(conn_ids[1:6])
    assert set(conn_ids[-5:]) <= cached
    assert trigger_module._shared_hook(conn_ids[0], None) is first


def test_edited_connection_gets_a_new_client_and_the_old_one_ages_out(
    empty_cache: None, dlp_fake: FakeDlp, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn_id = gcp_connection_env(monkeypatch, "dlp_cache_edit", api_endpoint=dlp_fake.url, transport="rest")
    before = trigger_module._shared_hook(conn_id, None)
    gcp_connection_env(monkeypatch, conn_id, api_endpoint=dlp_fake.url, transport="rest", project="other")
    after = trigger_module._shared_hook(conn_id, None)
    assert after is not before
    assert len(trigger_module._HOOKS) == 2
