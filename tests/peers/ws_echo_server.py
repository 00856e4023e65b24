#!/usr/bin/env python3
"""A WebSocket echo server on Debian's python3-websockets (10.4, asyncio API).

Usage: ws_echo_server.py [--tls-cert CERT --tls-key KEY] [--subprotocol NAME ...]
                         [--greeting TEXT] [--close-after N] [--ping-interval SECONDS]

Listens on 127.0.0.1 on a free port, prints "LISTENING <port>" on the first line of stdout and
echoes every text and binary message back as it came, until it is killed. Options make it do
what a real server does besides echoing:

  --greeting TEXT       send TEXT first, right after the handshake
  --close-after N       after echoing N messages, close with 1000 "bye" (the server closes first)
  --ping-interval S     ping every S seconds; a client that does not pong is dropped
  --subprotocol NAME    accept this subprotocol when the client offers it (repeatable)

It logs connections, messages and close codes on stderr.
"""

import argparse
import asyncio
import ssl
import sys

import websockets


def log(message):
    print(f"ws_echo_server: {message}", file=sys.stderr, flush=True)


async def serve(args):
    async def echo(websocket, path=None):
        log(f"connection from {websocket.remote_address}, subprotocol {websocket.subprotocol}")
        if args.greeting is not None:
            await websocket.send(args.greeting)
        count = 0
        try:
            async for message in websocket:
                kind = "text" if isinstance(message, str) else "binary"
                log(f"{kind} message of {len(message)}")
                await websocket.send(message)
                count += 1
                if args.close_after and count >= args.close_after:
                    await websocket.close(1000, "bye")
                    break
        finally:
            log(f"closed: code {websocket.close_code} reason {websocket.close_reason!r}")

    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    server = await websockets.serve(
        echo, "127.0.0.1", 0, ssl=context,
        subprotocols=args.subprotocol or None,
        ping_interval=args.ping_interval, ping_timeout=5,
        max_size=None)
    port = server.sockets[0].getsockname()[1]
    print(f"LISTENING {port}", flush=True)
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--subprotocol", action="append")
    parser.add_argument("--greeting")
    parser.add_argument("--close-after", type=int, default=0)
    parser.add_argument("--ping-interval", type=float, default=None)
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
