"""asyncio client for fanout: ``subscribe`` resumes by itself across disconnects and instances, ``publish`` acks.

    async for event in subscribe("ws://127.0.0.1:8081", ["orders"], last=10):
        if isinstance(event, (Gap, CursorAhead)):
            ...  # events the server no longer keeps; a cursor not in this region yet
        else:
            print(event["offset"], event["message"])
"""

from ._position import format_position, parse_cursors, parse_position
from ._publish import publish
from ._subscribe import Subscription, events_url, subscribe
from ._types import CursorAhead, FanoutError, Gap, PublishError, StateChange, SubscriptionRefused

__all__ = [
    "subscribe",
    "Subscription",
    "publish",
    "Gap",
    "CursorAhead",
    "StateChange",
    "FanoutError",
    "SubscriptionRefused",
    "PublishError",
    "events_url",
    "parse_position",
    "format_position",
    "parse_cursors",
]
