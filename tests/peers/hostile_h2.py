"""HTTP/2 and upgrade scenarios of the hostile peer: 101s that lie, GOAWAY and RST_STREAM at bad
moments, header blocks too big or too many, pushes nobody asked for, frames on streams nobody
opened. hostile_peer.py imports this module, which registers them there."""

from hostile_peer import (CONTINUATION, DATA, FLAG_END_HEADERS, FLAG_END_STREAM, GOAWAY, HEADERS,
                          HPACK_ENTRY_OVERHEAD, INTERNAL_ERROR, NEWEST_DYNAMIC_ENTRY, NO_ERROR,
                          PREFACE, PROTOCOL_ERROR, PUSH_PROMISE, frame, goaway_frame, h2_session,
                          hpack_block, hpack_indexed, hpack_literal, log, rst_stream_frame,
                          scenario, settings_frame)


@scenario("101-no-upgrade-header")
async def switch_without_upgrade_header(peer):
    """Answers an upgrade offer with a 101 that does not say what it switched to."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n")
    await peer.wait_closed()


@scenario("101-other-protocol")
async def switch_to_other_protocol(peer):
    """Answers an upgrade offer with a 101 to websocket, which was not offered."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                     b"Upgrade: websocket\r\n\r\n")
    await peer.wait_closed()


@scenario("101-garbage")
async def switch_then_garbage(peer):
    """A proper 101 to h2c followed, in the same write, by an HTTP/1.1 response, not SETTINGS."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                     b"Upgrade: h2c\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"
                     b"ok\n")
    await peer.wait_closed()


@scenario("h2-ok")
async def h2_ok(peer):
    """Correct HTTP/2 responses to every request, to check the harness and each --mode."""
    h2 = await h2_session(peer)
    await h2.send(*h2.response(1, 200, [("content-type", "text/plain")], b"hello over h2\n"))
    while True:
        kind, flags, stream, _ = await h2.read_frame()
        if kind == GOAWAY:
            return
        if kind in (HEADERS, CONTINUATION) and flags & FLAG_END_HEADERS and stream > 1:
            await h2.send(*h2.response(stream, 200, [("content-type", "text/plain")],
                                       b"hello over h2\n"))


@scenario("h2-goaway-after-settings")
async def goaway_after_settings(peer):
    """SETTINGS, then GOAWAY(last stream 0, PROTOCOL_ERROR, "go away"): no request processed."""
    h2 = await h2_session(peer)
    await h2.send(goaway_frame(0, PROTOCOL_ERROR, b"go away"))
    await peer.wait_closed()


@scenario("h2-goaway-no-error")
async def goaway_no_error(peer):
    """A graceful GOAWAY(last stream 0, NO_ERROR) before answering, on every connection.

    Stream 1 was not processed, so a client may retry it on a new connection; this peer refuses
    that one too, and the client must still end with an error rather than retry forever.
    """
    h2 = await h2_session(peer)
    await h2.send(goaway_frame(0, NO_ERROR))
    await peer.wait_closed()


@scenario("h2-goaway-first-connection")
async def goaway_first_connection(peer):
    """GOAWAY(last stream 0, NO_ERROR) on the first connection, correct responses on later ones.

    The refused request is retried on a new connection and completes there: what a retried
    request reports about its two attempts (its timings) can be checked.
    """
    if peer.number > 1:
        await h2_ok(peer)
        return
    h2 = await h2_session(peer)
    await h2.send(goaway_frame(0, NO_ERROR))
    await peer.wait_closed()


@scenario("h2-rst-mid-body")
async def rst_mid_body(peer):
    """Announces 100000 body bytes on stream 1, sends 10000, then RST_STREAM(INTERNAL_ERROR)."""
    h2 = await h2_session(peer)
    await h2.send(*h2.response(1, 200, [("content-type", "application/octet-stream"),
                                        ("content-length", "100000")]),
                  frame(DATA, 0, 1, b"x" * 10000))
    await peer.sleep(0.05)
    await h2.send(rst_stream_frame(1, INTERNAL_ERROR))
    await peer.wait_closed()


def indexed_header_block(h2, decoded_bytes):
    """A header block that decodes to more than decoded_bytes of fields for few wire bytes.

    One literal field goes into the client's dynamic table as large as the table allows, then
    one-byte references to it repeat it; :status 200 comes first. The decoded list is
    (references + 1) * (name + value) bytes, the block about one byte per reference.
    """
    name = b"x-big"
    value_length = min(8192, h2.header_table_size - HPACK_ENTRY_OVERHEAD - len(name))
    if value_length <= 0:
        raise ValueError("the client's HPACK table is too small to index a header")
    field = len(name) + value_length
    references = decoded_bytes // field + 1
    return (hpack_indexed(8) +  # :status 200 from the static table
            hpack_literal(name, b"b" * value_length, index=True) +
            hpack_indexed(NEWEST_DYNAMIC_ENTRY) * references)


@scenario("h2-big-headers")
async def big_headers(peer):
    """A response header list of about 320 KiB, over the 300 KiB a client should accept.

    HEADERS plus CONTINUATIONs that each respect the client's frame size, well under any
    CONTINUATION cap: the bytes come from HPACK indexing, not from the frame count. A client
    that accepts the list gets a complete response, so acceptance is visible.
    """
    h2 = await h2_session(peer)
    block = indexed_header_block(h2, 320 * 1024)
    third = len(block) // 3 + 1
    frames = [frame(HEADERS, 0, 1, block[:third]),
              frame(CONTINUATION, 0, 1, block[third:2 * third]),
              frame(CONTINUATION, FLAG_END_HEADERS, 1, block[2 * third:])]
    await h2.send(*frames, frame(DATA, FLAG_END_STREAM, 1, b"ok\n"))
    await peer.wait_closed()


@scenario("h2-hpack-bomb")
async def hpack_bomb(peer):
    """About 64 MiB of decoded header list from one 16 KiB HEADERS frame (an HPACK bomb)."""
    h2 = await h2_session(peer)
    block = indexed_header_block(h2, 64 * 1024 * 1024)
    await h2.send(*h2.header_frames(1, block), frame(DATA, FLAG_END_STREAM, 1, b"ok\n"))
    await peer.wait_closed()


@scenario("h2-many-continuations")
async def many_continuations(peer):
    """One small header block split over HEADERS and 20 CONTINUATION frames (the CVE-2024-27316
    pattern, bounded), followed by a body, so a client without a cap completes the response."""
    h2 = await h2_session(peer)
    parts = [hpack_literal(b"x-part-%d" % number, b"v") for number in range(20)]
    frames = [frame(HEADERS, 0, 1, hpack_indexed(8))]
    frames += [frame(CONTINUATION, FLAG_END_HEADERS if number == len(parts) - 1 else 0, 1, part)
               for number, part in enumerate(parts)]
    await h2.send(*frames, frame(DATA, FLAG_END_STREAM, 1, b"ok\n"))
    await peer.wait_closed()


@scenario("h2-push-promise")
async def push_promise(peer):
    """PUSH_PROMISE for stream 2 on stream 1 although the client sent ENABLE_PUSH=0, then a
    valid response to stream 1 (a client that ignores the promise would complete it)."""
    h2 = await h2_session(peer)
    promised = hpack_block([(":method", "GET"), (":scheme", "http"),
                            (":authority", "127.0.0.1"), (":path", "/pushed")])
    await h2.send(*h2.header_frames(1, promised, kind=PUSH_PROMISE, prefix=(2).to_bytes(4, "big")),
                  *h2.response(1, 200, [("content-type", "text/plain")], b"ok\n"))
    await peer.wait_closed()


@scenario("h2-settings-flood")
async def settings_flood(peer):
    """500000 empty SETTINGS frames (4.5 MB), written without reading the client's ACKs.

    A client that acknowledges them all queues half a million ACKs the peer never reads; it
    must call it a flood and stop instead.
    """
    await h2_session(peer)
    batch = settings_frame() * 2000
    log(f"conn {peer.number}: h2 out: 500000 empty SETTINGS frames")
    for _ in range(250):
        await peer.write(batch)
    log(f"conn {peer.number}: flood written; the client is still there")
    await peer.wait_closed()


@scenario("h2-no-preface")
async def no_server_preface(peer):
    """Answers the client preface with an HTTP/1.1 error instead of the server's SETTINGS, as an
    HTTP/1.1-only server does (with --mode h2c: after a proper 101, in a later write)."""
    if peer.mode == "h2c":
        await peer.read_head()
        await peer.write(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                         b"Upgrade: h2c\r\n\r\n")
    await peer.read_exact(len(PREFACE))
    await peer.sleep(0.05)
    await peer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 12\r\n\r\nbad request\n")
    await peer.wait_closed()


@scenario("h2-frame-too-big")
async def frame_too_big(peer):
    """A DATA frame of 20000 bytes on stream 1 while the client allows 16384 (or 3616 bytes
    over whatever the client allows)."""
    h2 = await h2_session(peer)
    length = min(h2.max_frame_size + 3616, (1 << 24) - 1)
    await h2.send(*h2.response(1, 200, [("content-length", str(length))]),
                  frame(DATA, FLAG_END_STREAM, 1, b"x" * length))
    await peer.wait_closed()


def headers_on_unopened_stream(stream):
    """A scenario: a response HEADERS on a stream the client never opened, then a valid
    response on stream 1 (which a client that ignores the bad frame would complete)."""

    async def play(peer):
        h2 = await h2_session(peer)
        await h2.send(*h2.response(stream, 200, [("content-type", "text/plain")], b"stray\n"),
                      *h2.response(1, 200, [("content-type", "text/plain")], b"ok\n"))
        await peer.wait_closed()

    play.__doc__ = f"HEADERS on stream {stream}, which the client never opened."
    return play


# Stream 7: a client-initiated (odd) id the client has not used yet, out of order.
scenario("h2-stream-id-out-of-order")(headers_on_unopened_stream(7))
# Stream 2: a server-initiated (even) id, which only a PUSH_PROMISE could have reserved.
scenario("h2-headers-even-stream")(headers_on_unopened_stream(2))
