"""A scripted stand-in for fanout-service's /events, for what the real one cannot be made to do on demand
(report a gap, send `subscribed`/`catching-up` frames, close with a chosen code)."""

from __future__ import annotations

import json
from typing import Awaitable, Callable, List, Optional
from urllib.parse import parse_qs, urlsplit

import websockets

Script = Callable[["Connection"], Awaitable[None]]


class Connection:
    def __init__(self, socket, path: str) -> None:
        self.socket = socket
        self.path = path
        self.query = parse_qs(urlsplit(path).query)

    async def send(self, frame: dict) -> None:
        await self.socket.send(json.dumps(frame))

    async def event(self, channel: str, partition: int, offset: int, cursor: Optional[str] = None,
                    origin: str = "r1") -> None:
        frame = {"channel": channel, "partition": partition, "offset": offset, "timestamp": 0,
                 "id": f"{partition}-{offset}", "message": {"p": partition, "o": offset}}
        if cursor is not None:
            frame.update(origin=origin, cursor=cursor)
        await self.send(frame)

    async def close(self, code: int, reason: str = "") -> None:
        await self.socket.close(code, reason)


class FakeFanout:
    """Serves one script per connection, in order; the last script serves every further connection."""

    def __init__(self, scripts: List[Script]) -> None:
        self.scripts = scripts
        self.paths: List[str] = []
        self._server = None

    async def __aenter__(self) -> "FakeFanout":
        self._server = await websockets.serve(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, socket, *legacy_path) -> None:
        path = getattr(socket, "path", None) or socket.request.path
        self.paths.append(path)
        script = self.scripts[min(len(self.paths), len(self.scripts)) - 1]
        connection = Connection(socket, path)
        await script(connection)
        await socket.wait_closed()
