#!/usr/bin/env python3
"""Hopscope's scriptable hostile HTTP peer.

Usage: hostile_peer.py [--tls-cert CERT --tls-key KEY] [--alpn LIST] SCENARIO

Listens on 127.0.0.1 on a free port, prints "LISTENING <port>" on the first line of stdout and
serves every connection with the named scenario until it is killed. Python 3 stdlib only.

A scenario is a small async function that gets a Peer (one accepted connection) and plays a
script against it with a tiny step API:

    head = await peer.read_head()      # the request head, bytes up to and including CRLFCRLF
    await peer.write(b"...")           # write and wait until the kernel took it (back-pressure)
    await peer.sleep(0.5)
    await peer.wait_closed()           # hold the socket open until the client goes away
    peer.close()

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

    def __init__(self, reader, writer, number):
        self.reader = reader
        self.writer = writer
        self.number = number
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


@scenario("silent")
async def silent(peer):
    """Reads the request and never answers; the socket stays open until the client leaves."""
    await peer.read_head()
    await peer.wait_closed()


@scenario("bad-chunk-size")
async def bad_chunk_size(peer):
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nhello\r\nzz\r\nnot a chunk\r\n0\r\n\r\n")
    await peer.wait_closed()


@scenario("endless-chunked")
async def endless_chunked(peer):
    """64 KiB chunks forever, as fast as the client reads them (drain gives back-pressure)."""
    await peer.read_head()
    await peer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
    payload = bytes(range(256)) * 256
    chunk = b"%x\r\n" % len(payload) + payload + b"\r\n"
    while True:
        await peer.write(chunk)


# --- Server -----------------------------------------------------------------------------------


async def serve(args):
    script = SCENARIOS[args.scenario]
    counter = 0

    async def handle(reader, writer):
        nonlocal counter
        counter += 1
        peer = Peer(reader, writer, counter)
        log(f"conn {peer.number}: accepted, scenario {args.scenario}")
        try:
            await script(peer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError) as e:
            log(f"conn {peer.number}: client went away ({type(e).__name__})")
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
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
