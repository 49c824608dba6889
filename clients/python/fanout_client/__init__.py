"""asyncio client for fanout: ``subscribe`` resumes by itself across disconnects and instances, ``publish`` acks.

    async for event in subscribe("ws://127.0.0.1:8081", ["orders"], last=10):
        if isinstance(event, Gap):
            ...  # events the server no longer keeps
        else:
            print(event["offset"], event["message"])
"""

from ._position import format_position, parse_position
from ._publish import publish
from ._subscribe import events_url, subscribe
from ._types import FanoutError, Gap, PublishError, StateChange, SubscriptionRefused

__all__ = [
    "subscribe",
    "publish",
    "Gap",
    "StateChange",
    "FanoutError",
    "SubscriptionRefused",
    "PublishError",
    "events_url",
    "parse_position",
    "format_position",
]
