"""WebSocket scenarios of the hostile peer: fragments without end, ping floods, data after the
server's close and a close followed by silence. hostile_peer.py imports this module, which
registers them there."""

import asyncio

from hostile_peer import (WS_BINARY, WS_CONT, WS_PING, WS_TEXT, log, scenario, ws_close_frame,
                          ws_frame, ws_handshake, ws_log_client_frames)


async def ws_flood(peer, unit, count, what, batch=1000):
    """Writes `unit` count times, batch by batch, without reading what the client answers."""
    log(f"conn {peer.number}: ws out: {count} {what}")
    data = unit * batch
    for _ in range(count // batch):
        await peer.write(data)
    log(f"conn {peer.number}: flood written; the client is still there")


async def ws_flood_logging_client(peer, unit, count, what):
    """ws_flood() while the client's frames are read and logged (its close, when it fails the
    flood, must show in the log) until its close or until it goes away."""
    reader = asyncio.ensure_future(ws_log_client_frames(peer))
    try:
        await ws_flood(peer, unit, count, what)
        await reader
    finally:
        if not reader.done():
            # The client went away in the middle of the flood: let the reader log what came.
            await asyncio.wait([reader], timeout=1)
            reader.cancel()


@scenario("ws-endless-fragments")
async def ws_endless_fragments(peer):
    """A binary message in 1000-byte fragments that never ends (200000 continuation frames
    without FIN, 200 MB): only the message size limit can stop it."""
    await ws_handshake(peer)
    await peer.write(ws_frame(WS_BINARY, b"f" * 1000, fin=False))
    await ws_flood_logging_client(peer, ws_frame(WS_CONT, b"f" * 1000, fin=False), 200000,
                                  "1000-byte continuation frames")
    await peer.wait_closed()


@scenario("ws-endless-empty-fragments")
async def ws_endless_empty_fragments(peer):
    """A text message started with "start", then 5000000 empty continuation frames without FIN
    (10 MB): the message never grows, so its size limit never fires."""
    await ws_handshake(peer)
    await peer.write(ws_frame(WS_TEXT, b"start", fin=False))
    await ws_flood_logging_client(peer, ws_frame(WS_CONT, b"", fin=False), 5000000,
                                  "empty continuation frames")
    await peer.write(ws_frame(WS_CONT, b" end"))
    await peer.wait_closed()


@scenario("ws-ping-flood")
async def ws_ping_flood(peer):
    """200000 pings of 125 bytes (25 MB) without reading the client's pongs, then close 1000
    (a client that answers them all never gets there before its memory holds 26 MB of pongs)."""
    await ws_handshake(peer)
    await ws_flood(peer, ws_frame(WS_PING, b"p" * 125), 200000, "125-byte pings")
    await peer.write(ws_close_frame(1000, b"flood over"))
    await peer.wait_closed()


@scenario("ws-data-after-close")
async def ws_data_after_close(peer):
    """A message, close 1000 "bye", then (same write) a text and a ping after the close, which
    RFC 6455 §5.5.1 forbids: the client must not deliver or answer them."""
    await ws_handshake(peer)
    await peer.write(ws_frame(WS_TEXT, b"before close") + ws_close_frame(1000, b"bye") +
                     ws_frame(WS_TEXT, b"after close") + ws_frame(WS_PING, b"after close"))
    await ws_log_client_frames(peer)
    await peer.wait_closed()


@scenario("ws-close-then-silence")
async def ws_close_then_silence(peer):
    """Close 1000, then nothing: the client's close is never read and the server never closes
    the TCP connection (it would hold it for 60 s)."""
    await ws_handshake(peer)
    await peer.write(ws_close_frame(1000, b"bye"))
    await peer.sleep(60)


@scenario("ws-ping-storm")
async def ws_ping_storm(peer):
    """A ping every 2 ms for up to 30 s while the client's pongs are read: answered as they
    come, no flood, and no activity either, so the client's --linger still ends the session."""
    await ws_handshake(peer)
    reader = asyncio.ensure_future(ws_log_client_frames(peer, answer_close=True))
    try:
        for number in range(15000):
            if reader.done():
                break
            await peer.write(ws_frame(WS_PING, b"storm %d" % number))
            await peer.sleep(0.002)
    finally:
        if not reader.done():
            reader.cancel()
    await peer.wait_closed()
