#!/usr/bin/env python3
"""A TLS server without ALPN that advertises `Upgrade: h2` and speaks HTTP/2 by prior knowledge.

Usage: noalpn_h2_peer.py --tls-cert CERT --tls-key KEY

Listens on 127.0.0.1 on a free port, prints "LISTENING <port>" on the first line of stdout and
serves until it is killed. The TLS context sets no ALPN protocols, so a handshake never returns
an ALPN result, whatever the client offers: the server of an old TLS stack. Each connection is
sniffed by its first bytes:

- the HTTP/2 client preface: HTTP/2 by prior knowledge (python3-h2, server side); every request
  gets 200 and the body "served over h2 prior knowledge\\n";
- anything else: HTTP/1.1 with keep-alive; every request gets 200 with `Upgrade: h2` and
  `Connection: Upgrade` (as Apache advertises h2 on TLS) and the body "served over http/1.1\\n".

Each connection, its protocol and each request are logged on stderr, for tests to check which
connection served what.
"""

import argparse
import asyncio
import ssl
import sys

import h2.config
import h2.connection
import h2.events

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_BODY = b"served over h2 prior knowledge\n"
HTTP1_BODY = b"served over http/1.1\n"
MAX_HEAD = 64 * 1024


def log(message):
    print(f"noalpn_h2_peer: {message}", file=sys.stderr, flush=True)


async def sniff(reader):
    """Reads until the bytes are, or cannot be, the HTTP/2 client preface; returns them."""
    data = b""
    while len(data) < len(PREFACE) and PREFACE.startswith(data):
        chunk = await reader.read(65536)
        if not chunk:
            break
        data += chunk
    return data


async def serve_http1(number, reader, writer, data):
    """Answers HTTP/1.1 requests on one keep-alive connection, advertising h2 on each."""
    while True:
        while b"\r\n\r\n" not in data:
            if len(data) > MAX_HEAD:
                raise ValueError("request head too large")
            chunk = await reader.read(65536)
            if not chunk:
                return
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        log(f"conn {number}: http/1.1 request {lines[0]}")
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        # Request bodies are not expected, but a Content-Length one must not be read as a head.
        length = int(fields.get("content-length", "0"))
        while len(data) < length:
            chunk = await reader.read(65536)
            if not chunk:
                return
            data += chunk
        data = data[length:]
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Upgrade: h2\r\nConnection: Upgrade\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(HTTP1_BODY), HTTP1_BODY))
        await writer.drain()
        if "close" in fields.get("connection", "").lower():
            return


async def serve_h2(number, reader, writer, data):
    """Serves HTTP/2 by prior knowledge with the h2 library until the client goes away."""
    config = h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
    conn = h2.connection.H2Connection(config=config)
    conn.initiate_connection()
    requests = {}
    while data:
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                requests[event.stream_id] = dict(event.headers)
                if event.stream_ended:
                    respond_h2(number, conn, event.stream_id, requests.pop(event.stream_id))
            elif isinstance(event, h2.events.StreamEnded) and event.stream_id in requests:
                respond_h2(number, conn, event.stream_id, requests.pop(event.stream_id))
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.ConnectionTerminated):
                log(f"conn {number}: h2 GOAWAY from the client ({event.error_code!r})")
                writer.write(conn.data_to_send())
                return
        writer.write(conn.data_to_send())
        await writer.drain()
        data = await reader.read(65536)


def respond_h2(number, conn, stream_id, headers):
    """Queues a complete 200 response on one stream."""
    log(f"conn {number}: h2 stream {stream_id} request {headers.get(':method')} "
        f"{headers.get(':path')}")
    conn.send_headers(stream_id, [(":status", "200"), ("content-type", "text/plain"),
                                  ("content-length", str(len(H2_BODY)))])
    conn.send_data(stream_id, H2_BODY, end_stream=True)


async def serve(args):
    counter = 0

    async def handle(reader, writer):
        nonlocal counter
        counter += 1
        number = counter
        tls = writer.get_extra_info("ssl_object")
        log(f"conn {number}: accepted, {tls.version()}, alpn {tls.selected_alpn_protocol()}")
        try:
            data = await sniff(reader)
            if data.startswith(PREFACE):
                log(f"conn {number}: h2 prior knowledge")
                await serve_h2(number, reader, writer, data)
            elif data:
                log(f"conn {number}: http/1.1")
                await serve_http1(number, reader, writer, data)
            log(f"conn {number}: done")
        except (ConnectionError, ssl.SSLError) as e:
            log(f"conn {number}: client went away ({type(e).__name__}: {e})")
        except Exception as e:  # one broken connection must not stop the server
            log(f"conn {number}: error {e!r}")
        finally:
            writer.close()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    # Deliberately no set_alpn_protocols(): the handshake then carries no ALPN answer.
    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls-cert", required=True)
    parser.add_argument("--tls-key", required=True)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
