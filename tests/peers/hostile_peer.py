#!/usr/bin/env python3
"""Hopscope's scriptable hostile HTTP peer.

Usage: hostile_peer.py [--tls-cert CERT --tls-key KEY] [--alpn LIST] [--mode prior|h2c] SCENARIO

Listens on 127.0.0.1 on a free port, prints "LISTENING <port>" on the first line of stdout and
serves every connection with the named scenario until it is killed. Python 3 stdlib only.

A scenario is a small async function that gets a Peer (one accepted connection) and plays a
script against it with a tiny step API:

    head = await peer.read_head()      # the request head, bytes up to and including CRLFCRLF
    await peer.write(b"...")           # write and wait until the kernel took it (back-pressure)
    await peer.sleep(0.5)
    await peer.wait_closed()           # hold the socket open until the client goes away
    peer.close()

HTTP/2 scenarios (named h2-*) start with `h2 = await h2_session(peer)`, which brings the
connection to HTTP/2 the way --mode says: `prior` (the default) reads the client preface of
HTTP/2 with prior knowledge, `h2c` first answers the client's `Upgrade: h2c` offer with a proper
101. Either way the client's first request is stream 1 when it returns, and the scenario goes on
with raw frames: `await h2.send(frame(...), ...)`, `await h2.read_frame()`.

This file holds the step API, the HTTP/2 and WebSocket framing, the tunnel and WebSocket
scenarios and the server; the other scenarios live next to it by protocol (hostile_h1.py,
hostile_h2.py, hostile_h2_floods.py, hostile_ws_floods.py), imported at the end of this file.

Add a scenario by writing such a function and decorating it with @scenario("name"). The peer
closes the connection after the function returns; a client that disconnects in the middle
(which is what a well-behaved client does against most scenarios) ends the script quietly.
"""

import argparse
import asyncio
import ssl
import sys

SCENARIOS = {}


def scenario(name):
    """Registers a scenario function under a name used on the command line."""

    def register(func):
        SCENARIOS[name] = func
        return func

    return register


class Peer:
    """One accepted connection and the step API scenarios are written in."""

    def __init__(self, reader, writer, number, mode="prior"):
        self.reader = reader
        self.writer = writer
        self.number = number
        self.mode = mode  # how h2_session() reaches HTTP/2: "prior" or "h2c"
        self.requests = []
        self._pending = b""

    async def read_head(self, limit=1024 * 1024):
        """Reads one request head (through the empty line) and returns it.

        Returns None when the client closed cleanly before sending anything (the end of a
        keep-alive connection); a head cut off in the middle raises ConnectionResetError.
        """
        data = bytearray(self._pending)
        while b"\r\n\r\n" not in data:
            chunk = await self.reader.read(65536)
            if not chunk:
                if not data:
                    return None
                raise ConnectionResetError("client closed before finishing the request head")
            data += chunk
            if len(data) > limit:
                raise ValueError("request head too large")
        end = data.index(b"\r\n\r\n") + 4
        head = bytes(data[:end])
        rest = bytes(data[end:])
        # Request bodies are read by scenarios that care (read_body); keep what came with the head.
        self._pending = rest
        self.requests.append(head)
        request_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
        log(f"conn {self.number}: request {request_line}")
        return head

    async def read_body(self, length):
        data = bytearray(self._pending)
        while len(data) < length:
            chunk = await self.reader.read(length - len(data))
            if not chunk:
                break
            data += chunk
        self._pending = bytes(data[length:])
        return bytes(data[:length])

    async def read_exact(self, length):
        """Reads exactly `length` bytes (after whatever read_head() left over)."""
        data = bytearray(self._pending)
        while len(data) < length:
            chunk = await self.reader.read(max(65536, length - len(data)))
            if not chunk:
                raise ConnectionResetError(f"client closed after {len(data)} of {length} bytes")
            data += chunk
        self._pending = bytes(data[length:])
        return bytes(data[:length])

    async def write(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def sleep(self, seconds):
        await asyncio.sleep(seconds)

    async def wait_closed(self):
        """Keeps the connection open, reading and discarding, until the client closes it."""
        while await self.reader.read(65536):
            pass

    def close(self):
        if not self.writer.is_closing():
            self.writer.close()


def log(message):
    print(f"hostile_peer: {message}", file=sys.stderr, flush=True)


# --- Scenarios --------------------------------------------------------------------------------


@scenario("ok")
async def ok(peer):
    """A correct small response, keep-alive, for sanity checks of the harness itself."""
    while (head := await peer.read_head()) is not None:
        body = b"hello from the hostile peer\n"
        await peer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        if b"\r\nconnection: close\r\n" in head.lower():
            return


# --- HTTP/2 framing, just enough to misbehave precisely ----------------------------------------
#
# Raw frames rather than the h2 library: h2 refuses to send most of what these scenarios are
# about (frames over the size limit, PUSH_PROMISE to a client that disabled push, HEADERS on a
# stream nobody opened), and a frame is only a nine-byte header in front of a payload.

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

(DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE,
 CONTINUATION) = range(10)
FRAME_NAMES = ("DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING",
               "GOAWAY", "WINDOW_UPDATE", "CONTINUATION")

FLAG_END_STREAM = 0x1
FLAG_ACK = 0x1
FLAG_END_HEADERS = 0x4

NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2

SETTINGS_HEADER_TABLE_SIZE = 0x1
SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
SETTINGS_MAX_FRAME_SIZE = 0x5

DEFAULT_MAX_FRAME_SIZE = 16384
DEFAULT_HEADER_TABLE_SIZE = 4096
# The index of the newest entry in the decoder's dynamic table (RFC 7541 §2.3.3).
NEWEST_DYNAMIC_ENTRY = 62
# RFC 7541 §4.1: an entry's size is its name and value length plus 32.
HPACK_ENTRY_OVERHEAD = 32


def frame(kind, flags, stream, payload=b""):
    """One frame: 24-bit length, type, flags, 31-bit stream id, then the payload."""
    return (len(payload).to_bytes(3, "big") + bytes((kind, flags)) +
            (stream & 0x7FFFFFFF).to_bytes(4, "big") + payload)


def settings_frame(settings=None):
    """A SETTINGS frame carrying {identifier: value} (empty when settings is None)."""
    payload = b"".join(ident.to_bytes(2, "big") + value.to_bytes(4, "big")
                       for ident, value in (settings or {}).items())
    return frame(SETTINGS, 0, 0, payload)


def rst_stream_frame(stream, error_code):
    return frame(RST_STREAM, 0, stream, error_code.to_bytes(4, "big"))


def goaway_frame(last_stream, error_code, debug=b""):
    return frame(GOAWAY, 0, 0, last_stream.to_bytes(4, "big") + error_code.to_bytes(4, "big") +
                 debug)


def describe_frames(data):
    """'HEADERS s1 [END_HEADERS] 12 bytes, DATA s1 …' for the peer log (first few frames)."""
    parts = []
    offset = 0
    while offset + 9 <= len(data) and len(parts) < 8:
        length = int.from_bytes(data[offset:offset + 3], "big")
        kind, flags = data[offset + 3], data[offset + 4]
        stream = int.from_bytes(data[offset + 5:offset + 9], "big") & 0x7FFFFFFF
        name = FRAME_NAMES[kind] if kind < len(FRAME_NAMES) else f"type {kind}"
        parts.append(f"{name} s{stream} flags 0x{flags:x} {length} bytes")
        offset += 9 + length
    if offset < len(data):
        parts.append(f"… ({len(data)} bytes in all)")
    return ", ".join(parts)


# HPACK (RFC 7541) encoding without Huffman coding: literals are easy to reason about, and the
# dynamic table is all a header-list bomb needs.

def hpack_int(value, prefix_bits, first_byte=0):
    """An integer with an N-bit prefix (RFC 7541 §5.1), OR-ed into first_byte's high bits."""
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes((first_byte | value,))
    out = bytearray((first_byte | limit,))
    value -= limit
    while value >= 128:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def hpack_string(data):
    return hpack_int(len(data), 7) + data


def hpack_indexed(index):
    """A field taken whole from the static or dynamic table."""
    return hpack_int(index, 7, 0x80)


def hpack_literal(name, value, index=False):
    """A literal field with a literal name; index=True also adds it to the dynamic table."""
    return (b"\x40" if index else b"\x00") + hpack_string(name) + hpack_string(value)


def hpack_block(headers):
    """A header block of literal fields, never indexed, from (name, value) pairs (str or bytes)."""
    def raw(text):
        return text if isinstance(text, bytes) else text.encode()

    return b"".join(hpack_literal(raw(name), raw(value)) for name, value in headers)


class H2:
    """The server end of an HTTP/2 connection, one raw frame at a time.

    It remembers what the client announced in its SETTINGS and writes whatever a scenario asks,
    valid or not. Reading returns every frame; h2_session() skips what a scenario does not wait
    for.
    """

    def __init__(self, peer):
        self.peer = peer
        self.client_settings = {}

    @property
    def max_frame_size(self):
        """The largest frame payload the client accepts."""
        return self.client_settings.get(SETTINGS_MAX_FRAME_SIZE, DEFAULT_MAX_FRAME_SIZE)

    @property
    def header_table_size(self):
        """The size of the client's HPACK decoder table, which our encoder may fill."""
        return self.client_settings.get(SETTINGS_HEADER_TABLE_SIZE, DEFAULT_HEADER_TABLE_SIZE)

    async def read_frame(self):
        """Reads one frame and returns (type, flags, stream, payload); notes client SETTINGS."""
        head = await self.peer.read_exact(9)
        length = int.from_bytes(head[:3], "big")
        kind, flags = head[3], head[4]
        stream = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
        payload = await self.peer.read_exact(length)
        log(f"conn {self.peer.number}: h2 in: {describe_frames(head + payload)}")
        if kind == SETTINGS and not flags & FLAG_ACK:
            for offset in range(0, len(payload) - 5, 6):
                ident = int.from_bytes(payload[offset:offset + 2], "big")
                self.client_settings[ident] = int.from_bytes(payload[offset + 2:offset + 6], "big")
        return kind, flags, stream, payload

    async def send(self, *frames):
        """Writes the frames in one write, so they arrive together as far as TCP allows."""
        data = b"".join(frames)
        log(f"conn {self.peer.number}: h2 out: {describe_frames(data)}")
        await self.peer.write(data)

    def header_frames(self, stream, block, end_stream=False, kind=HEADERS, prefix=b""):
        """A header block as HEADERS (or PUSH_PROMISE, with its prefix) plus CONTINUATIONs.

        Each frame stays within the client's SETTINGS_MAX_FRAME_SIZE, so only what a scenario
        means to break is broken.
        """
        room = self.max_frame_size - len(prefix)
        pieces = [block[:room]]
        pieces += [block[i:i + self.max_frame_size]
                   for i in range(room, len(block), self.max_frame_size)]
        frames = []
        for number, piece in enumerate(pieces):
            flags = FLAG_END_HEADERS if number == len(pieces) - 1 else 0
            if number == 0:
                flags |= FLAG_END_STREAM if end_stream and kind == HEADERS else 0
                frames.append(frame(kind, flags, stream, prefix + piece))
            else:
                frames.append(frame(CONTINUATION, flags, stream, piece))
        return frames

    def response(self, stream, status=200, headers=(), body=None):
        """The frames of a complete, valid response (just the head when body is None)."""
        fields = [(":status", str(status))] + list(headers)
        if body is None:
            return self.header_frames(stream, hpack_block(fields))
        fields.append(("content-length", str(len(body))))
        frames = self.header_frames(stream, hpack_block(fields), end_stream=not body)
        if body:
            frames.append(frame(DATA, FLAG_END_STREAM, stream, body))
        return frames


async def h2_session(peer, wait_for_request=True, settings=None):
    """Brings the connection to HTTP/2 the way peer.mode says and returns its H2.

    prior: reads the client preface. h2c: reads the HTTP/1.1 request offering h2c, answers a
    proper 101 and then reads the preface. Either way it sends the server's SETTINGS (`settings`,
    {identifier: value}; MAX_CONCURRENT_STREAMS 100 when None) and acknowledges the client's. With wait_for_request it returns once the client's first request
    exists as stream 1: at once after an h2c upgrade (the upgraded request is stream 1), after
    its complete HEADERS block with prior knowledge.
    """
    if peer.mode == "h2c":
        head = await peer.read_head()
        if head is None:
            raise ConnectionResetError("client closed before sending a request")
        if b"\r\nupgrade: h2c\r\n" not in head.lower():
            raise ValueError("--mode h2c, but the request offers no Upgrade: h2c")
        await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                         b"Upgrade: h2c\r\n\r\n")
    preface = await peer.read_exact(len(PREFACE))
    if preface != PREFACE:
        raise ValueError(f"expected the HTTP/2 client preface, got {preface!r}")
    h2 = H2(peer)
    await h2.send(settings_frame(settings or {SETTINGS_MAX_CONCURRENT_STREAMS: 100}))
    have_settings = False
    have_request = peer.mode == "h2c" or not wait_for_request
    while not (have_settings and have_request):
        kind, flags, stream, _ = await h2.read_frame()
        if kind == SETTINGS and not flags & FLAG_ACK:
            have_settings = True
            await h2.send(frame(SETTINGS, FLAG_ACK, 0))
        elif kind in (HEADERS, CONTINUATION) and stream == 1 and flags & FLAG_END_HEADERS:
            have_request = True
    return h2


# --- Raw tunnel scenarios (Upgrade: tcp) -----------------------------------------------------

TCP_SWITCH = (b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
              b"Upgrade: tcp\r\n\r\n")
TCP_GREETING = b"hostile peer tcp echo ready\n"


@scenario("tcp-upgrade-echo")
async def tcp_upgrade_echo(peer):
    """A 101 to tcp and a greeting line in the SAME write (the client reads them together and
    must deliver the greeting before anything else), then every byte echoed back until the
    client closes."""
    await peer.read_head()
    await peer.write(TCP_SWITCH + TCP_GREETING)
    early, peer._pending = peer._pending, b""  # bytes the client sent right after the head
    if early:
        await peer.write(early)
    while (data := await peer.reader.read(65536)):
        await peer.write(data)


@scenario("tcp-upgrade-peer-closes")
async def tcp_upgrade_peer_closes(peer):
    """A 101 to tcp and a greeting in the same write, then the server ends the tunnel after
    200 ms, before the client does."""
    await peer.read_head()
    await peer.write(TCP_SWITCH + TCP_GREETING)
    await peer.sleep(0.2)


# --- WebSocket scenarios (RFC 6455) ------------------------------------------------------------
#
# Each starts with a correct handshake (ws_handshake), unless the handshake itself is the
# misbehaviour, then plays raw frames. ws_log_client_frames() logs what the client answers
# ("client close 1002 '...'"), so tests can check the close frame really went out.

import base64  # noqa: E402 (kept with the scenarios that use them)
import hashlib  # noqa: E402

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WS_CONT, WS_TEXT, WS_BINARY, WS_CLOSE, WS_PING, WS_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def ws_accept(key):
    return base64.b64encode(hashlib.sha1(key + WS_GUID).digest())


def ws_frame(opcode, payload=b"", fin=True, rsv=0, mask=None):
    """One frame as a server would write it (unmasked unless `mask` is 4 bytes)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mbit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([mbit | n])
    elif n < 65536:
        head += bytes([mbit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([mbit | 127]) + n.to_bytes(8, "big")
    if mask:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def ws_close_frame(code=None, reason=b""):
    return ws_frame(WS_CLOSE, b"" if code is None else code.to_bytes(2, "big") + reason)


async def ws_handshake(peer, accept=None, extra=b"", then=b""):
    """Answers the client's upgrade with 101 and the right Sec-WebSocket-Accept (or `accept`),
    header lines `extra` added, and the bytes `then` in the same write."""
    head = await peer.read_head()
    key = b""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            key = value.strip()
    await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                     (accept if accept is not None else ws_accept(key)) + b"\r\n" + extra +
                     b"\r\n" + then)


async def ws_read_frame(peer):
    """One frame from the client, unmasked: (opcode, fin, payload)."""
    b0, b1 = await peer.read_exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = int.from_bytes(await peer.read_exact(2), "big")
    elif n == 127:
        n = int.from_bytes(await peer.read_exact(8), "big")
    mask = await peer.read_exact(4) if b1 & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(await peer.read_exact(n)))
    return b0 & 0x0F, bool(b0 & 0x80), payload


async def ws_log_client_frames(peer, answer_close=False):
    """Logs the client's frames until its close (answered when asked) or until it goes away."""
    while True:
        opcode, fin, payload = await ws_read_frame(peer)
        if opcode == WS_CLOSE:
            code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
            log(f"conn {peer.number}: client close {code} {payload[2:].decode(errors='replace')!r}")
            if answer_close:
                await peer.write(ws_frame(WS_CLOSE, payload[:2]))
            return
        log(f"conn {peer.number}: client frame opcode {opcode} fin {fin} {payload[:60]!r}")


def ws_after_handshake(*frames):
    """A scenario: a correct handshake, then these frames (bytes, or a pause in seconds), then
    the client's frames logged until its close."""

    async def play(peer):
        await ws_handshake(peer)
        for f in frames:
            if isinstance(f, float):
                await peer.sleep(f)
            else:
                await peer.write(f)
        await ws_log_client_frames(peer)
        await peer.wait_closed()

    return play


@scenario("ws-bad-accept")
async def ws_bad_accept(peer):
    """A 101 whose Sec-WebSocket-Accept does not match the key."""
    await ws_handshake(peer, accept=base64.b64encode(b"0123456789abcdefghij"))
    await peer.wait_closed()


@scenario("ws-unoffered-extension")
async def ws_unoffered_extension(peer):
    """A 101 that selects permessage-deflate, which the client did not offer."""
    await ws_handshake(peer, extra=b"Sec-WebSocket-Extensions: permessage-deflate\r\n")
    await peer.wait_closed()


@scenario("ws-unoffered-subprotocol")
async def ws_unoffered_subprotocol(peer):
    """A 101 that selects the subprotocol "chat", which the client did not offer."""
    await ws_handshake(peer, extra=b"Sec-WebSocket-Protocol: chat\r\n")
    await peer.wait_closed()


scenario("ws-masked-frame")(ws_after_handshake(ws_frame(WS_TEXT, b"masked", mask=b"\x11\x22\x33\x44")))
scenario("ws-reserved-opcode")(ws_after_handshake(ws_frame(0x3, b"what")))
scenario("ws-rsv1")(ws_after_handshake(ws_frame(WS_TEXT, b"compressed?", rsv=4)))
scenario("ws-control-too-big")(ws_after_handshake(ws_frame(WS_PING, b"p" * 126)))
scenario("ws-fragmented-ping")(ws_after_handshake(ws_frame(WS_PING, b"half", fin=False)))
# A valid message first (it must stay in the trace), then "κόσμε" cut by a UTF-16 surrogate.
scenario("ws-invalid-utf8")(ws_after_handshake(
    ws_frame(WS_TEXT, "valid before ✓".encode()), 0.05,
    ws_frame(WS_TEXT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited")))
scenario("ws-close-bad-code")(ws_after_handshake(ws_close_frame(1005, b"reserved code")))
scenario("ws-close-one-byte")(ws_after_handshake(ws_frame(WS_CLOSE, b"\x03")))
scenario("ws-continuation-first")(ws_after_handshake(ws_frame(WS_CONT, b"orphan")))
scenario("ws-big-frame")(ws_after_handshake(ws_frame(WS_BINARY, b"b" * 70000)))
# 90000 bytes in three fragments of 30000: only the message, not one frame, is big.
scenario("ws-big-message")(ws_after_handshake(
    ws_frame(WS_BINARY, b"m" * 30000, fin=False), ws_frame(WS_CONT, b"m" * 30000, fin=False),
    ws_frame(WS_CONT, b"m" * 30000)))


@scenario("ws-close-empty")
async def ws_close_empty(peer):
    """A legal close with an empty payload (no code) right after the handshake."""
    await ws_handshake(peer)
    await peer.write(ws_close_frame())
    await ws_log_client_frames(peer)
    await peer.wait_closed()


@scenario("ws-server-closes")
async def ws_server_closes(peer):
    """A greeting in the same write as the 101, then a fragmented text message (a ping between
    its fragments, a multi-byte character split across them), then close 1000 "bye"."""
    await ws_handshake(peer, then=ws_frame(WS_TEXT, b"greeting"))
    text = "fragments: κόσμε ✓".encode()
    cut = text.index("ό".encode()) + 1  # inside the two bytes of "ό"
    await peer.write(ws_frame(WS_TEXT, text[:cut], fin=False) + ws_frame(WS_PING, b"mid") +
                     ws_frame(WS_CONT, text[cut:-2], fin=False) + ws_frame(WS_CONT, text[-2:]))
    opcode, _, payload = await ws_read_frame(peer)
    log(f"conn {peer.number}: client answered opcode {opcode} {payload!r}")
    await peer.write(ws_frame(WS_TEXT, b"pong ok" if (opcode, payload) == (WS_PONG, b"mid")
                              else b"pong bad"))
    await peer.write(ws_close_frame(1000, b"bye"))
    await ws_log_client_frames(peer)
    await peer.wait_closed()


@scenario("ws-cut")
async def ws_cut(peer):
    """One message, then the TCP connection closes without a close frame."""
    await ws_handshake(peer)
    await peer.write(ws_frame(WS_TEXT, b"last words"))
    await peer.sleep(0.1)


@scenario("ws-close-then-cut")
async def ws_close_then_cut(peer):
    """Reads the client's close and closes the TCP connection instead of answering it."""
    await ws_handshake(peer)
    await ws_log_client_frames(peer)
    peer.close()


@scenario("ws-no-close-answer")
async def ws_no_close_answer(peer):
    """Echoes messages but never answers the client's close frame (and keeps the socket open)."""
    await ws_handshake(peer)
    while True:
        opcode, _, payload = await ws_read_frame(peer)
        if opcode == WS_CLOSE:
            log(f"conn {peer.number}: client close, not answering")
            break
        await peer.write(ws_frame(opcode, payload))
    await peer.wait_closed()


# --- Scenarios in modules next to this file ---------------------------------------------------
#
# They import this module by name for its helpers and @scenario; when it runs as a script it is
# __main__, so the name must point here, or they would register into a second copy of it.
sys.modules.setdefault("hostile_peer", sys.modules[__name__])
import hostile_h1  # noqa: E402,F401 (registers the HTTP/1.1 scenarios)
import hostile_h2  # noqa: E402,F401 (registers the HTTP/2 and upgrade scenarios)
import hostile_h2_floods  # noqa: E402,F401 (registers the h2 flood and flow-control scenarios)
import hostile_ws_floods  # noqa: E402,F401 (registers the WebSocket flood and close scenarios)


# --- Server -----------------------------------------------------------------------------------


async def serve(args):
    script = SCENARIOS[args.scenario]
    counter = 0

    async def handle(reader, writer):
        nonlocal counter
        counter += 1
        peer = Peer(reader, writer, counter, args.mode)
        log(f"conn {peer.number}: accepted, scenario {args.scenario}")
        try:
            await script(peer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError) as e:
            log(f"conn {peer.number}: client went away ({type(e).__name__}: {e})")
        except Exception as e:  # a broken script must not kill the server for later connections
            log(f"conn {peer.number}: scenario error {e!r}")
        finally:
            peer.close()

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.alpn:
            context.set_alpn_protocols(args.alpn.split(","))
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--alpn", help="comma-separated ALPN protocols to accept (TLS only)")
    parser.add_argument("--mode", choices=("prior", "h2c"), default="prior",
                        help="how h2-* scenarios reach HTTP/2: prior knowledge or an h2c upgrade")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
