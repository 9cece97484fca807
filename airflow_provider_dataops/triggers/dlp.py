"""DlpJobTrigger: waits for a DLP job in the triggerer, so no worker slot is held."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_dataops.dlp.jobs import TERMINAL_STATES, job_errors, summarize_job

#: How many DLP clients one triggerer process keeps (least recently used evicted first).
HOOK_CACHE_SIZE = 32

# One hook (so one client and HTTP session) per connection for all triggers in this process:
# a thousand waits share it instead of each building its own client. The key includes the
# connection's content, so an edited connection gets a new client; the cache holds at most
# HOOK_CACHE_SIZE clients, so a triggerer that sees many connections (or many edits of one)
# does not keep every client it ever built.
_HOOKS: OrderedDict[tuple[str, str, Any], Any] = OrderedDict()
_HOOKS_LOCK = threading.Lock()


def _shared_hook(gcp_conn_id: str, impersonation_chain: str | Sequence[str] | None) -> Any:
    from airflow_provider_dataops.hooks.dlp import DlpHook

    chain = tuple(impersonation_chain) if isinstance(impersonation_chain, list) else impersonation_chain
    connection = DlpHook.get_connection(gcp_conn_id)
    fingerprint = hashlib.sha256(f"{connection.get_uri()}\x00{connection.extra}".encode()).hexdigest()
    key = (gcp_conn_id, fingerprint, chain)
    with _HOOKS_LOCK:
        hook = _HOOKS.get(key)
        if hook is not None:
            _HOOKS.move_to_end(key)
            return hook
    hook = DlpHook(gcp_conn_id=gcp_conn_id, impersonation_chain=impersonation_chain)
    hook.get_conn()
    with _HOOKS_LOCK:
        hook = _HOOKS.setdefault(key, hook)
        _HOOKS.move_to_end(key)
        while len(_HOOKS) > HOOK_CACHE_SIZE:
            _HOOKS.popitem(last=False)
    return hook


class DlpJobTrigger(BaseTrigger):
    """Poll a DLP job every ``poll_interval`` seconds until DONE, FAILED or CANCELED.

    ``deadline`` (epoch seconds) makes the trigger cancel the job and report ``timeout`` once
    passed, so a timed-out wait never leaves a paid scan running.

    Events: ``{"status": "success" | "error" | "timeout", "summary": {...}, "errors": [...]}``.
    """

    def __init__(
        self,
        job_name: str,
        gcp_conn_id: str = "google_cloud_default",
        poll_interval: float = 30.0,
        deadline: float | None = None,
        impersonation_chain: str | Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        self.job_name = job_name
        self.gcp_conn_id = gcp_conn_id
        self.poll_interval = poll_interval
        self.deadline = deadline
        self.impersonation_chain = impersonation_chain

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_name": self.job_name,
                "gcp_conn_id": self.gcp_conn_id,
                "poll_interval": self.poll_interval,
                "deadline": self.deadline,
                "impersonation_chain": self.impersonation_chain,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            hook = await asyncio.to_thread(_shared_hook, self.gcp_conn_id, self.impersonation_chain)
            while True:
                job = await asyncio.to_thread(hook.get_job_dict, self.job_name)
                summary = summarize_job(job)
                if summary["state"] in TERMINAL_STATES:
                    status = "success" if summary["state"] == "DONE" else "error"
                    yield TriggerEvent({"status": status, "summary": summary, "errors": job_errors(job)})
                    return
                if self.deadline is not None and time.time() >= self.deadline:
                    await asyncio.to_thread(hook.cancel_job, self.job_name)
                    yield TriggerEvent({"status": "timeout", "summary": summary, "errors": []})
                    return
                self.log.debug("DLP job %s is %s", self.job_name, summary["state"])
                await asyncio.sleep(self.poll_interval)
        except Exception as exc:
            yield TriggerEvent(
                {
                    "status": "error",
                    "summary": {"job_name": self.job_name},
                    "errors": [f"{type(exc).__name__}: {exc}"],
                }
            )
