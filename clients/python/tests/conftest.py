"""Fixtures for the client tests: the running platform from the environment, and an extra fan-out instance.

The platform (Kafka, ingest-service, fanout-service) is started by ``clients/run-tests`` (or by hand with
``infra/run-local``); these tests only read where it is from FANOUT_URL, INGEST_URL, KAFKA_BOOTSTRAP, FANOUT_JAR and
FANOUT_TOPIC.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # fanout_client without installing it

from support import ExtraFanout  # noqa: E402


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through clients/run-tests, or start infra/run-local and "
                    f"export FANOUT_URL, INGEST_URL, KAFKA_BOOTSTRAP, FANOUT_JAR (see clients/python/README.md)",
                    pytrace=False)
    return value


@pytest.fixture(scope="session")
def fanout_url() -> str:
    return _env("FANOUT_URL")


@pytest.fixture(scope="session")
def ingest_url() -> str:
    return _env("INGEST_URL")


@pytest.fixture(scope="session")
def extra_fanout(ingest_url):
    """A fan-out instance of the tests' own (``java -jar $FANOUT_JAR``), to SIGKILL and restart on the same port."""
    instance = ExtraFanout(jar=_env("FANOUT_JAR"), bootstrap=_env("KAFKA_BOOTSTRAP"), ingest_url=ingest_url,
                           topic=os.environ.get("FANOUT_TOPIC", "fanout.events"))
    try:
        yield instance
    finally:
        instance.kill()
