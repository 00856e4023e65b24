#!/usr/bin/env python3
"""A proxy that misbehaves on purpose, for the CLI's proxy tests.

Usage: bad_proxy.py SCENARIO

Listens on 127.0.0.1 on a free port, prints "LISTENING <port>" on the first line of stdout and
serves every connection with the one scenario until it is killed. Each request head it reads is
logged on stderr (Proxy-Authorization included), for tests to check what the client sent.

HTTP proxy scenarios (the client sends CONNECT or an absolute-form request):
- 407: answers "407 Proxy Authentication Required" with a small body, keeps the connection;
- 200-close: answers "200 Connection established", then closes at once;
- garbage: answers with an SSH banner instead of a status line;
- head-flood: a "200" status line followed by an endless header, 64 KiB at a time;
- close: closes without a byte;
- silent: reads the request and never answers.

SOCKS5 scenarios:
- socks-refused: accepts "no authentication", then replies 5 (connection refused);
- socks-no-method: answers the greeting with 0xFF (no acceptable method);
- socks-garbage: answers the greeting with an HTTP status line.
"""

import asyncio
import sys

MAX_HEAD = 64 * 1024


def log(message):
    print(f"bad_proxy: {message}", file=sys.stderr, flush=True)


async def read_head(reader):
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > MAX_HEAD:
            raise ValueError("request head too large")
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        log("head: " + line.decode("latin-1"))
    return head


async def wait_closed(reader):
    while await reader.read(65536):
        pass


async def http_scenario(name, reader, writer):
    await read_head(reader)
    if name == "407":
        body = b"proxy credentials required\n"
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                     b"Proxy-Authenticate: Basic realm=\"hopscope test\"\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        await writer.drain()
        await wait_closed(reader)
    elif name == "200-close":
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
    elif name == "garbage":
        writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n")
        await writer.drain()
        await wait_closed(reader)
    elif name == "head-flood":
        writer.write(b"HTTP/1.1 200 Connection established\r\nX-Flood: ")
        piece = b"f" * 65536
        for _ in range(128):
            writer.write(piece)
            await writer.drain()
        await wait_closed(reader)
    elif name == "close":
        pass
    elif name == "silent":
        await wait_closed(reader)


async def socks_scenario(name, reader, writer):
    greeting = await reader.readexactly(2)
    methods = await reader.readexactly(greeting[1])
    log(f"socks greeting: version {greeting[0]}, methods {list(methods)}")
    if name == "socks-no-method":
        writer.write(b"\x05\xff")
        await writer.drain()
        await wait_closed(reader)
        return
    if name == "socks-garbage":
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()
        await wait_closed(reader)
        return
    writer.write(b"\x05\x00")
    await writer.drain()
    request = await reader.readexactly(4)
    if request[3] == 1:
        await reader.readexactly(4 + 2)
    elif request[3] == 4:
        await reader.readexactly(16 + 2)
    else:
        length = (await reader.readexactly(1))[0]
        await reader.readexactly(length + 2)
    log(f"socks request: command {request[1]}, address type {request[3]}")
    writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
    await writer.drain()
    await wait_closed(reader)


async def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    name = sys.argv[1]

    async def handle(reader, writer):
        log(f"connection, scenario {name}")
        try:
            if name.startswith("socks-"):
                await socks_scenario(name, reader, writer)
            else:
                await http_scenario(name, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as error:
            log(f"connection ended: {error!r}")
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
