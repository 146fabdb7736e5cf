"""The fake gateway: HELLO, heartbeats, IDENTIFY/READY, RESUME with replay, and injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import zlib
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from ._model import JSON, Waitable

if TYPE_CHECKING:
    from .server import FakeDiscord

log = logging.getLogger(__name__)

OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE = 3
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

REPLAY_BUFFER = 5000


@dataclass
class GatewayEvent:
    """A frame received from or sent to the bot (ops other than heartbeats are kept)."""

    direction: str  # "recv" (from the bot) or "send"
    op: int
    t: str | None
    s: int | None
    d: Any
    connection: int


@dataclass
class Session:
    """A gateway session: survives disconnections until invalidated."""

    id: str
    seq: int = 0
    log: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    resumable: bool = True
    intents: int = 0


class Connection:
    """One websocket; frames are queued and written by a single task so zlib output stays in order."""

    def __init__(self, number: int, ws: web.WebSocketResponse, request: web.Request, compress: bool) -> None:
        self.number = number
        self.ws = ws
        self.request = request
        self.compressor = zlib.compressobj() if compress else None
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.session: Session | None = None
        self.closed = False
        self.url = str(request.rel_url)

    def send(self, text: str) -> None:
        if not self.closed:
            self.queue.put_nowait(text)

    async def writer(self) -> None:
        while True:
            text = await self.queue.get()
            if text is None or self.ws.closed:
                return
            try:
                if self.compressor is not None:
                    data = self.compressor.compress(text.encode()) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return


class Shard:
    """One shard's gateway state: its session (kept across connections until invalidated)."""

    def __init__(self, shard_id: int) -> None:
        self.id = shard_id
        self.session: Session | None = None
        self.current: Connection | None = None
        self.ready = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self.current is not None and not self.current.closed and self.current.session is not None


def shard_of(guild_id: int | None, shard_count: int) -> int:
    """Discord's rule: a guild's events go to shard ``(guild_id >> 22) % shard_count``; DMs to shard 0."""
    return 0 if guild_id is None else (guild_id >> 22) % shard_count


class Gateway:
    """Serves the websocket at ``/`` (and the resume URL) for one :class:`FakeDiscord`.

    With ``shard_count`` > 1 every IDENTIFY must name its ``[shard_id, shard_count]`` (close code 4011
    otherwise, 4010 for a wrong pair); each shard has its own session, READY lists only its guilds,
    and a dispatch goes to the shard of the guild it concerns (DMs to shard 0). The shards may be
    served by different bot processes.
    """

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval_ms: int = 41_250, shard_count: int = 1) -> None:
        self.fake = fake
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.shard_count = shard_count
        self.shards = {n: Shard(n) for n in range(shard_count)}
        self.connections = 0
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeats = 0
        self.events: list[GatewayEvent] = []
        self.record_sent = True
        #: Set while every shard has identified (or resumed); cleared by a fault.
        self.ready = asyncio.Event()
        self.changed = Waitable()
        self._conn_counter = 0
        self._open: set[Connection] = set()

    # ----------------------------------------------------------------------------- public helpers

    @property
    def session(self) -> Session | None:
        """Shard 0's session (the only one unless the fake is sharded)."""
        return self.shards[0].session

    @property
    def current(self) -> Connection | None:
        """Shard 0's live connection."""
        return self.shards[0].current

    @property
    def connected(self) -> bool:
        """Whether any shard is connected (after a kill: whether the fake has noticed yet)."""
        return any(shard.connected for shard in self.shards.values())

    def shard_for(self, guild_id: int | None) -> Shard:
        return self.shards[shard_of(guild_id, self.shard_count)]

    def dispatch(self, event: str, data: JSON, *, guild_id: int | None = None) -> int:
        """Send a DISPATCH to the shard of ``guild_id`` (read from ``data`` when not given).

        If that shard is disconnected, the event is kept for replay on RESUME.
        """
        if guild_id is None:
            guild_id = _guild_of(event, data)
        shard = self.shard_for(guild_id)
        session = shard.session
        if session is None:
            raise RuntimeError(f"cannot dispatch {event}: shard {shard.id} has not identified")
        return self._dispatch_to(shard, event, data)

    def _dispatch_to(self, shard: Shard, event: str, data: JSON) -> int:
        session = shard.session
        assert session is not None
        session.seq += 1
        seq = session.seq
        text = json.dumps({"op": OP_DISPATCH, "t": event, "s": seq, "d": data}, separators=(",", ":"))
        session.log.append((seq, text))
        conn = shard.current
        if conn is not None and conn.session is session and not conn.closed:
            conn.send(text)
        if self.record_sent:
            self.events.append(GatewayEvent("send", OP_DISPATCH, event, seq, data, conn.number if conn else 0))
        return seq

    async def fault(self, kind: str, *, code: int = 4000, resumable: bool = True, shard: int = 0) -> None:
        """Inject a gateway fault on one shard's current connection.

        ``close``: close frame with ``code``; ``drop``: TCP dropped with no close frame;
        ``reconnect``: op 7; ``invalid_session``: op 9 with ``d=resumable``.
        ``resumable=False`` on close/drop also invalidates the session, so RESUME gets op 9 false.
        """
        target = self.shards[shard]
        conn = target.current
        if conn is None or conn.closed:
            raise RuntimeError(f"no gateway connection to fault on shard {shard}")
        self.ready.clear()
        target.ready.clear()
        if not resumable and target.session is not None:
            target.session.resumable = False
        if kind == "close":
            await self._close(conn, code)
        elif kind == "drop":
            self._mark_closed(conn)
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
        elif kind == "reconnect":
            self._send_op(conn, OP_RECONNECT, None)
        elif kind == "invalid_session":
            if not resumable:
                target.session = None
            self._send_op(conn, OP_INVALID_SESSION, resumable)
        else:
            raise ValueError(f"unknown gateway fault {kind!r}")

    async def close_all(self) -> None:
        for conn in list(self._open):
            if not conn.closed:
                await self._close(conn, 1001)

    # ---------------------------------------------------------------------------------- internals

    def _mark_closed(self, conn: Connection) -> None:
        if conn.closed:
            return
        conn.closed = True
        conn.queue.put_nowait(None)
        self._open.discard(conn)
        for shard in self.shards.values():
            if shard.current is conn:
                shard.current = None
                shard.ready.clear()
                self.ready.clear()
        self.changed.notify()

    async def _close(self, conn: Connection, code: int) -> None:
        self._mark_closed(conn)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await asyncio.wait_for(conn.ws.close(code=code), 2.0)

    def _send_op(self, conn: Connection, op: int, d: Any) -> None:
        conn.send(json.dumps({"op": op, "d": d, "s": None, "t": None}))
        if op not in (OP_HEARTBEAT_ACK,):
            self.events.append(GatewayEvent("send", op, None, None, d, conn.number))

    async def _take_over(self, shard: Shard, conn: Connection) -> None:
        """``conn`` now serves ``shard``; an older connection still open for it is closed."""
        previous = shard.current
        if previous is not None and previous is not conn and not previous.closed:
            await self._close(previous, 4000)
        shard.current = conn

    def _mark_ready(self, shard: Shard) -> None:
        shard.ready.set()
        if all(s.ready.is_set() for s in self.shards.values()):
            self.ready.set()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        compress = request.query.get("compress") == "zlib-stream"
        ws = web.WebSocketResponse(autoping=True, max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        self._conn_counter += 1
        conn = Connection(self._conn_counter, ws, request, compress)
        self.connections += 1
        self._open.add(conn)
        writer = asyncio.create_task(conn.writer())
        self._send_op(conn, OP_HELLO, {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake"]})
        try:
            async for msg in ws:
                if conn.closed:
                    break
                if msg.type is not WSMsgType.TEXT:
                    if msg.type is WSMsgType.BINARY:
                        await self._close(conn, 4002)
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    await self._close(conn, 4002)
                    break
                await self._on_frame(conn, payload)
        finally:
            self._mark_closed(conn)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer
        return ws

    async def _on_frame(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            self._send_op(conn, OP_HEARTBEAT_ACK, None)
            return
        self.events.append(GatewayEvent("recv", op if isinstance(op, int) else -1, None, None, d, conn.number))
        if op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif op in (OP_PRESENCE, OP_REQUEST_MEMBERS):
            return
        else:
            await self._close(conn, 4001)
        self.changed.notify()

    async def _identify(self, conn: Connection, d: JSON) -> None:
        if d.get("token") != self.fake.token:
            await self._close(conn, 4004)
            return
        if conn.session is not None:
            await self._close(conn, 4005)
            return
        pair = d.get("shard")
        if pair is None:
            if self.shard_count > 1:
                await self._close(conn, 4011)  # sharding required
                return
            pair = [0, 1]
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or pair[1] != self.shard_count
            or not 0 <= pair[0] < self.shard_count
        ):
            await self._close(conn, 4010)  # invalid shard
            return
        shard = self.shards[pair[0]]
        await self._take_over(shard, conn)
        self.identify_count += 1
        session = Session(id=uuid.uuid4().hex, intents=int(d.get("intents") or 0))
        shard.session = session
        conn.session = session
        fake = self.fake
        bot_guilds = [g for g in fake.guilds.values() if g.bot_member and self.shard_for(g.id) is shard]
        self._dispatch_to(
            shard,
            "READY",
            {
                "v": 10,
                "user": {**fake.bot_user.to_payload(), "verified": True, "mfa_enabled": False},
                "guilds": [{"id": str(g.id), "unavailable": True} for g in bot_guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": fake.resume_gateway_url,
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": ["fake"],
                "auth": {},
                "user_settings": {},
                "application": {"id": str(fake.application_id), "flags": fake.application_flags},
                "shard": [shard.id, self.shard_count],
                "_trace": ["fake-gateway"],
            },
        )
        for guild in bot_guilds:
            self._dispatch_to(shard, "GUILD_CREATE", fake.guild_create_payload(guild))
        self._mark_ready(shard)

    async def _resume(self, conn: Connection, d: JSON) -> None:
        if d.get("token") != self.fake.token:
            await self._close(conn, 4004)
            return
        shard = next((s for s in self.shards.values() if s.session and s.session.id == d.get("session_id")), None)
        session = shard.session if shard is not None else None
        if shard is None or session is None or not session.resumable:
            if shard is not None:
                shard.session = None
            self._send_op(conn, OP_INVALID_SESSION, False)
            return
        seq = d.get("seq") or 0
        oldest = session.log[0][0] if session.log else session.seq + 1
        if seq + 1 < oldest:
            self._send_op(conn, OP_INVALID_SESSION, False)
            return
        await self._take_over(shard, conn)
        self.resume_count += 1
        conn.session = session
        replay = [text for s, text in session.log if s > seq]
        for text in replay:
            conn.send(text)
        self._dispatch_to(shard, "RESUMED", {"_trace": ["fake-gateway"]})
        self._mark_ready(shard)


def _guild_of(event: str, data: JSON) -> int | None:
    """The guild an event concerns: its ``guild_id``, or its own id for GUILD_* events about a guild."""
    raw = data.get("guild_id")
    if raw is None and event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
        raw = data.get("id")
    return int(raw) if raw is not None else None
