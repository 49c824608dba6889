"""``publish``: one event to the ingest-service, answered with Kafka's ack."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any, Optional

from ._types import PublishError


async def publish(
    ingest_url: str,
    channel: str,
    message: Any,
    idempotency_key: Optional[str] = None,
    *,
    token: Optional[str] = None,
    timeout: float = 30.0,
) -> dict:
    """Publish ``message`` (any JSON value) to ``channel`` through ``POST /push``; return the ack once Kafka has it.

    The ack is ``{"channel", "message", "id", "partition", "offset", "timestamp"}``; subscribers see the same
    ``partition`` and ``offset``. With ``idempotency_key`` a retry within the server's window returns the first ack
    and writes nothing twice, so retrying after a :class:`PublishError` with ``retry_after`` (429, 503) or status 0
    (no answer) is safe. Refusals (400, 401, 403, 413, 422) raise :class:`PublishError` with the server's detail.

    The HTTP call runs on a worker thread (the standard library's ``urllib``), so the event loop never blocks.
    """
    body = json.dumps({"channel": channel, "message": message}).encode("utf-8")
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(ingest_url.rstrip("/") + "/push", data=body, headers=headers, method="POST")
    return await asyncio.to_thread(_send, request, timeout)


def _send(request: urllib.request.Request, timeout: float) -> dict:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as refused:
        raw = refused.read()
        try:
            detail = json.loads(raw).get("detail") or refused.reason
        except (ValueError, AttributeError):
            detail = raw.decode("utf-8", "replace") or str(refused.reason)
        retry_after = refused.headers.get("Retry-After")
        raise PublishError(refused.code, str(detail), float(retry_after) if _is_number(retry_after) else None) from None
    except (urllib.error.URLError, OSError) as broken:
        raise PublishError(0, f"no answer from {request.full_url}: {broken}") from broken


def _is_number(text: Optional[str]) -> bool:
    try:
        float(text)  # type: ignore[arg-type]
        return True
    except (TypeError, ValueError):
        return False
