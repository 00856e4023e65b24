"""HTTP/1.1 scenarios of the hostile peer: broken heads and bodies, floods that a limit must stop,
silence and slow drips, answers at the wrong moment. hostile_peer.py imports this module, which
registers them there."""

import asyncio

from hostile_peer import scenario


@scenario("close-mid-body")
async def close_mid_body(peer):
    """Announces 100000 body bytes, sends 10000 and closes."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Content-Length: 100000\r\n\r\n")
    await peer.write(b"x" * 10000)
    await peer.sleep(0.05)
    peer.close()


@scenario("bad-status-line")
async def bad_status_line(peer):
    await peer.read_head()
    await peer.write(b"HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    await peer.wait_closed()


@scenario("header-8mib")
async def header_8mib(peer):
    """One 8 MiB header line, sent in 64 KiB pieces, so a client must stop at its limit."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nX-Huge: ")
    piece = b"h" * 65536
    for _ in range(8 * 1024 * 1024 // len(piece)):
        await peer.write(piece)
    await peer.write(b"\r\nContent-Length: 2\r\n\r\nok")
    await peer.wait_closed()


@scenario("interim-flood")
async def interim_flood(peer):
    """500,000 `100 Continue` heads and no final response: a client must stop at its limit."""
    await peer.read_head()
    burst = b"HTTP/1.1 100 Continue\r\n\r\n" * 1000
    for _ in range(500):
        await peer.write(burst)
    await peer.wait_closed()


@scenario("slow-drip")
async def slow_drip(peer):
    """A head, then a 1000-byte body one byte every 0.5 s: alive, never idle, never done.

    Only a low-speed abort (curl's -Y/-y) or a total timeout ends it; --idle-timeout never fires.
    """
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 1000\r\n\r\n")
    for _ in range(1000):
        await peer.write(b"x")
        await peer.sleep(0.5)


@scenario("close-without-reply")
async def close_without_reply(peer):
    """Reads the request and closes without a byte: curl's "Empty reply from server" (52)."""
    await peer.read_head()
    peer.close()


@scenario("silent")
async def silent(peer):
    """Reads the request and never answers; the socket stays open until the client leaves."""
    await peer.read_head()
    await peer.wait_closed()


@scenario("cleartext-reply")
async def cleartext_reply(peer):
    """A cleartext HTTP server that a TLS client reached by mistake: whatever arrives (a TLS
    ClientHello) is answered at once with a 400 and the connection closed, as nginx does."""
    await peer.reader.read(65536)
    await peer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 12\r\nConnection: close\r\n\r\nbad request\n")
    peer.close()


@scenario("header-count-flood")
async def header_count_flood(peer):
    """100,000 tiny header lines (10 bytes each, well under the byte limits): only a count of
    header lines stops a client from indexing every one."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\n")
    burst = b"X-N: 12\r\n" * 1000
    for _ in range(100):
        await peer.write(burst)
    await peer.write(b"Content-Length: 2\r\n\r\nok")
    await peer.wait_closed()


@scenario("trailer-flood")
async def trailer_flood(peer):
    """A chunked body, then 8 MiB of trailer lines after the last chunk: trailers count against
    the header limits like a head does."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\n0\r\n")
    burst = b"X-Trailer: " + b"t" * 53 + b"\r\n"  # 66 bytes a line
    for _ in range(8 * 1024 * 1024 // (len(burst) * 1000)):
        await peer.write(burst * 1000)
    await peer.write(b"\r\n")
    await peer.wait_closed()


@scenario("early-response")
async def early_response(peer):
    """Answers 413 as soon as the head arrives, without reading the body the client is still
    sending, and closes (what Apache and nginx do for a body over their limit). A client must
    show the 413, not a write error about the body it could not finish."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 413 Payload Too Large\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 9\r\nConnection: close\r\n\r\ntoo large")
    await peer.sleep(0.2)
    peer.close()


@scenario("garbage-after-response")
async def garbage_after_response(peer):
    """A complete response with 13 bytes of garbage after it on a keep-alive connection, then
    whatever the client sends next is left unanswered: the first response must be kept, and the
    garbage must not be taken for the next request's response."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirstGARBAGE\x00\xff\r\n!")
    await peer.wait_closed()


@scenario("bad-chunk-size")
async def bad_chunk_size(peer):
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\nzz\r\nnot a chunk\r\n0\r\n\r\n")
    await peer.wait_closed()


ENDLESS_RATE = 64 * 1024 * 1024  # bytes per second: enough to prove streaming, kind to CI disks
ENDLESS_BURST = 1024 * 1024


@scenario("endless-chunked")
async def endless_chunked(peer):
    """64 KiB chunks forever at about ENDLESS_RATE (and no faster than the client reads them).

    Unthrottled, a client streaming to disk wrote ~600 MB/s in CI; the tests only need to see
    the output file pass 100 MiB while the client's memory stays flat.
    """
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
    payload = bytes(range(256)) * 256
    chunk = b"%x\r\n" % len(payload) + payload + b"\r\n"
    burst = chunk * (ENDLESS_BURST // len(payload))
    loop = asyncio.get_running_loop()
    started = loop.time()
    sent = 0
    while True:
        await peer.write(burst)
        sent += len(burst)
        ahead = started + sent / ENDLESS_RATE - loop.time()
        if ahead > 0:
            await peer.sleep(ahead)
