"""HTTP/2 scenarios of the hostile peer: floods of frames that cost the server nothing, flow
control broken both ways, frames on closed streams, an HPACK table resize over the limit, and a
server that falls silent. hostile_peer.py imports this module, which registers them there."""

import random

from hostile_peer import (CONTINUATION, DATA, FLAG_END_HEADERS, FLAG_END_STREAM, HEADERS, PING,
                          PRIORITY, WINDOW_UPDATE, NO_ERROR, SETTINGS_MAX_CONCURRENT_STREAMS, frame,
                          goaway_frame, h2_session, hpack_indexed, hpack_int, log,
                          rst_stream_frame, scenario)

CANCEL = 0x8
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
MAX_WINDOW = (1 << 31) - 1  # RFC 9113 §6.9.1
TEXT = [("content-type", "text/plain")]


async def read_request(h2, stream):
    """Reads (and logs) frames until the request on `stream` has its complete header block."""
    while True:
        kind, flags, sid, _ = await h2.read_frame()
        if kind in (HEADERS, CONTINUATION) and sid == stream and flags & FLAG_END_HEADERS:
            return


async def flood(peer, unit, count, what, batch=2000):
    """Writes `unit` count times (a multiple of batch), batch by batch, without reading what
    the client answers."""
    log(f"conn {peer.number}: h2 out: {count} {what}")
    data = unit * batch
    for _ in range(count // batch):
        await peer.write(data)
    log(f"conn {peer.number}: flood written; the client is still there")


async def first_answered(peer):
    """An HTTP/2 session whose stream 1 gets a complete response ("first\\n"), returned once
    the client's second request (stream 3) arrived, for scenarios that break the rules on it."""
    h2 = await h2_session(peer)
    await h2.send(*h2.response(1, 200, TEXT, b"first\n"))
    await read_request(h2, 3)
    return h2


@scenario("h2-ping-flood")
async def ping_flood(peer):
    """500000 PINGs (8.5 MB) without reading the client's ACKs: each asks for an answer that
    the client must queue, so it must call it a flood and stop (as with SETTINGS)."""
    await h2_session(peer)
    await flood(peer, frame(PING, 0, 0, b"hostile!"), 500000, "PING frames")
    await peer.wait_closed()


def window_update_frame(stream, increment=1):
    return frame(WINDOW_UPDATE, 0, stream, increment.to_bytes(4, "big"))


def priority_frame(stream, depends_on, weight=15):
    """PRIORITY (RFC 9113 §6.3, deprecated but legal on any stream, idle ones included)."""
    return frame(PRIORITY, 0, stream, (depends_on & 0x7FFFFFFF).to_bytes(4, "big") +
                 bytes((weight,)))


def random_priorities(count):
    """`count` PRIORITY frames for random streams, none depending on itself (a PROTOCOL_ERROR)."""
    rng = random.Random(9113)
    frames = []
    for _ in range(count):
        stream = rng.randrange(1, 1 << 31)
        frames.append(priority_frame(stream, (stream + rng.randrange(1, 1000)) % (1 << 31)))
    return b"".join(frames)


@scenario("h2-rst-flood")
async def rst_flood(peer):
    """Answers stream 1, then, while stream 3 waits, 200000 RST_STREAM(CANCEL) for stream 1,
    which is closed (2.6 MB), then resets stream 3. A RST_STREAM may cross a client's END_STREAM
    (RFC 9113 §5.1), so a client ignores a few; 200000 of them without progress are a flood
    (limit maxIdleControlFrames), and past a raised limit the reset of stream 3 must still be
    reported."""
    h2 = await first_answered(peer)
    await flood(peer, rst_stream_frame(1, CANCEL), 200000, "RST_STREAM frames on stream 1")
    await h2.send(rst_stream_frame(3, CANCEL))
    await peer.wait_closed()


@scenario("h2-empty-data-flood")
async def empty_data_flood(peer):
    """Answers stream 1, then a response head on stream 3 and 2000000 empty DATA frames without
    END_STREAM (18 MB): each costs the client a frame's work and moves nothing (CVE-2019-9518)."""
    h2 = await first_answered(peer)
    await h2.send(*h2.response(3, 200, TEXT), frame(DATA, 0, 3, b"some"))
    await flood(peer, frame(DATA, 0, 3), 2000000, "empty DATA frames on stream 3")
    await h2.send(frame(DATA, FLAG_END_STREAM, 3, b"end\n"))
    await peer.wait_closed()


@scenario("h2-window-update-flood")
async def window_update_flood(peer):
    """Stream 1 stays open, unanswered, while 200000 WINDOW_UPDATEs of 1 on stream 0 arrive
    (2.6 MB, the window stays far below 2^31-1): nothing the client could use, and each resets
    its idle timer."""
    await h2_session(peer)
    await flood(peer, window_update_frame(0), 200000, "WINDOW_UPDATE frames on stream 0")
    await peer.wait_closed()


@scenario("h2-window-update-closed-flood")
async def window_update_closed_flood(peer):
    """Answers stream 1, then, while stream 3 waits, 200000 WINDOW_UPDATEs of 1 for stream 1,
    which is closed: nghttp2 drops them without a callback."""
    await first_answered(peer)
    await flood(peer, window_update_frame(1), 200000, "WINDOW_UPDATE frames on stream 1")
    await peer.wait_closed()


@scenario("h2-priority-flood")
async def priority_flood(peer):
    """Stream 1 stays open, unanswered, while 200000 PRIORITY frames for random streams arrive
    (2.8 MB): a client has nothing to reprioritise."""
    await h2_session(peer)
    frames = random_priorities(2000)
    log(f"conn {peer.number}: h2 out: 200000 PRIORITY frames for random streams")
    for _ in range(100):
        await peer.write(frames)
    await peer.wait_closed()


@scenario("h2-control-flood-then-answer")
async def control_flood_then_answer(peer):
    """Answers stream 1, then answers stream 3 in pieces with 15000 useless frames before each:
    RST_STREAM for the closed stream 1, the head; WINDOW_UPDATEs on stream 0, "sec"; PRIORITY
    frames, "ond\\n" with END_STREAM. 45000 in all but 15000 at most without progress: a limit
    above 15000 lets the response complete, the default 10000 does not."""
    h2 = await first_answered(peer)
    await flood(peer, rst_stream_frame(1, CANCEL), 15000, "RST_STREAM frames on stream 1",
                batch=1000)
    await h2.send(*h2.response(3, 200, TEXT))
    await flood(peer, window_update_frame(0), 15000, "WINDOW_UPDATE frames on stream 0",
                batch=1000)
    await h2.send(frame(DATA, 0, 3, b"sec"))
    log(f"conn {peer.number}: h2 out: 15000 PRIORITY frames for random streams")
    await peer.write(random_priorities(15000))
    await h2.send(frame(DATA, FLAG_END_STREAM, 3, b"ond\n"))
    await peer.wait_closed()


def window_overflow(stream):
    """A scenario: WINDOW_UPDATE on `stream` with the largest increment, 2^31-1, which takes
    the client's send window (at least 65535 already) past 2^31-1 (RFC 9113 §6.9.1)."""

    async def play(peer):
        h2 = await h2_session(peer)
        await h2.send(frame(WINDOW_UPDATE, 0, stream, MAX_WINDOW.to_bytes(4, "big")))
        if stream != 0:  # a client that ignores it would complete this
            await h2.send(*h2.response(stream, 200, TEXT, b"ok\n"))
        await peer.wait_closed()

    play.__doc__ = f"WINDOW_UPDATE of 2^31-1 on stream {stream}: the send window overflows."
    return play


scenario("h2-window-overflow")(window_overflow(0))
scenario("h2-window-overflow-stream")(window_overflow(1))


@scenario("h2-data-beyond-window")
async def data_beyond_window(peer):
    """Ignores the client's stream window W (SETTINGS_INITIAL_WINDOW_SIZE): W/2 - 1 bytes, too
    few to make the client open the window again, then a full frame that ends beyond W. Only a
    W under twice the frame size can be overrun this way: tests lower the window to 16384."""
    h2 = await h2_session(peer)
    window = h2.client_settings.get(SETTINGS_INITIAL_WINDOW_SIZE, 65535)
    first = window // 2 - 1
    frames = [frame(DATA, 0, 1, b"w" * min(h2.max_frame_size, first - sent))
              for sent in range(0, first, h2.max_frame_size)]
    log(f"conn {peer.number}: client window {window}: {first} bytes, then "
        f"{h2.max_frame_size} more")
    await h2.send(*h2.response(1, 200, [("content-length", str(first + h2.max_frame_size))]),
                  *frames, frame(DATA, FLAG_END_STREAM, 1, b"o" * h2.max_frame_size))
    await peer.wait_closed()


@scenario("h2-frames-on-closed-stream")
async def frames_on_closed_stream(peer):
    """Answers stream 1 completely (END_STREAM), then, once stream 3 is open, sends DATA on
    stream 1 again: a stream the server itself closed (RFC 9113 §5.1: STREAM_CLOSED)."""
    h2 = await first_answered(peer)
    await h2.send(frame(DATA, 0, 1, b"after the end"),
                  *h2.response(3, 200, TEXT, b"second\n"))
    await peer.wait_closed()


@scenario("h2-hpack-table-size-update")
async def hpack_table_size_update(peer):
    """A response header block that starts with a dynamic table size update to 65536, above the
    SETTINGS_HEADER_TABLE_SIZE the client allows (4096 unless it said otherwise; RFC 7541 §6.3:
    a COMPRESSION_ERROR)."""
    h2 = await h2_session(peer)
    size = max(65536, h2.header_table_size * 2)
    block = hpack_int(size, 5, 0x20) + hpack_indexed(8)  # then :status 200
    await h2.send(*h2.header_frames(1, block), frame(DATA, FLAG_END_STREAM, 1, b"ok\n"))
    await peer.wait_closed()


@scenario("h2-goaway-then-silence")
async def goaway_then_silence(peer):
    """A graceful GOAWAY(NO_ERROR, last stream 1): stream 1 will still be served, it says; then
    nothing, ever, with the connection left open."""
    h2 = await h2_session(peer)
    await h2.send(goaway_frame(1, NO_ERROR))
    await peer.wait_closed()


@scenario("h2-zero-window")
async def zero_window(peer):
    """SETTINGS_INITIAL_WINDOW_SIZE 0 and never a WINDOW_UPDATE: a request body can never be
    sent beyond what left before the SETTINGS arrived; the server reads and stays silent."""
    await h2_session(peer, settings={SETTINGS_MAX_CONCURRENT_STREAMS: 100,
                                     SETTINGS_INITIAL_WINDOW_SIZE: 0})
    await peer.wait_closed()
