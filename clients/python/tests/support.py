"""Helpers for the client tests: an extra fan-out JVM, a background subscriber, waiting without fixed sleeps."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from typing import Callable, List, Optional, Set
from urllib.parse import urlsplit

from fanout_client import Gap, StateChange, subscribe

TIMEOUT_S = 180.0  # the box is small and shared: generous bounds, never fixed sleeps


def channel(name: str) -> str:
    return f"py.{name}.{uuid.uuid4().hex[:12]}"


def run(coroutine, timeout: float = TIMEOUT_S):
    """Runs one test scenario on a fresh event loop, failing it when it takes longer than ``timeout`` seconds."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def until(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


class Subscriber:
    """Iterates ``subscribe(...)`` in a task of its own and records every item and state change."""

    def __init__(self, urls, channels, **options) -> None:
        self.items: List[object] = []
        self.states: List[StateChange] = []
        self.error: Optional[BaseException] = None
        self._iterator = subscribe(urls, channels, on_state=self.states.append, **options)
        self._task = asyncio.get_running_loop().create_task(self._consume())

    async def _consume(self) -> None:
        try:
            async for item in self._iterator:
                self.items.append(item)
        except Exception as error:  # recorded for the test to assert on
            self.error = error

    @property
    def events(self) -> List[dict]:
        return [item for item in self.items if isinstance(item, dict)]

    def messages(self, channel_name: Optional[str] = None) -> List[object]:
        return [e["message"] for e in self.events if channel_name is None or e["channel"] == channel_name]

    def position(self) -> dict:
        """The subscription's resume position (``Subscription.position()``)."""
        return self._iterator.position()

    def count(self, state: str) -> int:
        return sum(1 for change in self.states if change.state == state)

    async def connected(self, times: int = 1) -> None:
        await until(lambda: self.count("connected") >= times or self.error is not None, f"connection #{times}")
        if self.error is not None:
            raise AssertionError(f"subscription failed: {self.error!r}")

    async def received(self, n: int, timeout: float = 120.0) -> None:
        await until(lambda: len(self.events) >= n or self.error is not None, f"{n} events (have {len(self.events)})",
                    timeout)
        if self.error is not None:
            raise AssertionError(f"subscription failed after {len(self.events)} events: {self.error!r}")

    async def close(self) -> None:
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        await self._iterator.aclose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ExtraFanout:
    """A fanout-service JVM of the tests' own on a fixed port: started on demand, killed with SIGKILL, restarted."""

    def __init__(self, jar: str, bootstrap: str, ingest_url: str, topic: str) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self._command = ["java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar, f"--server.port={self.port}",
                         f"--spring.kafka.bootstrap-servers={bootstrap}", f"--fanout.replay.directory-url={ingest_url}",
                         f"--fanout.topic={topic}"]
        self._process: Optional[subprocess.Popen] = None
        self._log = tempfile.NamedTemporaryFile(prefix="fanout-extra-", suffix=".log", delete=False)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 180.0) -> None:
        """Starts the instance unless it runs, and waits until ``/actuator/health`` answers 200."""
        if self.running:
            return
        self._process = subprocess.Popen(self._command, stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(f"extra fanout-service exited with {self._process.returncode}: {self._tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/actuator/health", timeout=2) as health:
                    if health.status == 200:
                        return
            except OSError:
                pass  # not listening yet
            time.sleep(0.25)
        self.kill()
        raise AssertionError(f"extra fanout-service not healthy within {timeout}s: {self._tail()}")

    async def start_async(self) -> None:
        await asyncio.to_thread(self.start)

    def kill(self) -> None:
        """SIGKILL: no close frames, no shutdown hooks."""
        if self._process is not None and self._process.poll() is None:
            os.kill(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def _tail(self) -> str:
        with open(self._log.name, encoding="utf-8", errors="replace") as log:
            return "".join(log.readlines()[-30:])


class Relay:
    """A TCP relay on a port of its own to ``target`` (``http://host:port``), to take a fan-out instance away from a
    client without touching the instance: ``drop()`` breaks every connection through it (the port stays open),
    ``cut()`` also closes the port; ``refusing = True`` closes each new connection at once until set back."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self._host, self._port = parts.hostname, parts.port
        self._writers: Set[asyncio.StreamWriter] = set()
        self._server = None
        self.url = ""
        #: while True, every connection is closed as soon as it is accepted (the target looks down)
        self.refusing = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _serve(self, client_reader, client_writer) -> None:
        if self.refusing:
            client_writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self._host, self._port)
        except OSError:
            client_writer.close()
            return
        self._writers |= {client_writer, upstream_writer}

        async def pump(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_reader, upstream_writer), pump(upstream_reader, client_writer))

    def drop(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def cut(self) -> None:
        if self._server is not None:
            self._server.close()
        self.drop()
