#!/usr/bin/env python3
"""A TLS front for loopback test servers.

Terminates TLS with the given certificate and forwards each connection to an
upstream plain-HTTP server (the emulated clouds), or, without --upstream, answers
every request with a fixed JSON reply. Prints "listening PORT" once ready and stops
when its standard input closes, so a test or benchmark that dies cannot leave it
running. Loopback only.
"""
import argparse
import os
import signal
import socket
import ssl
import sys
import threading


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def fixed_reply(conn, body):
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
             + str(len(body)).encode() + b"\r\n\r\n" + body)
    try:
        buf = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
            while b"\r\n\r\n" in buf:
                head, buf = buf.split(b"\r\n\r\n", 1)
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                while len(buf) < length:
                    more = conn.recv(65536)
                    if not more:
                        return
                    buf += more
                buf = buf[length:]
                conn.sendall(reply)
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def serve(args):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(128)
    print(f"listening {listener.getsockname()[1]}", flush=True)
    body = b'{"ok":true}'

    def handle(raw):
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn = context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        if not args.upstream:
            fixed_reply(conn, body)
            return
        host, _, port = args.upstream.rpartition(":")
        try:
            up = socket.create_connection((host, int(port)))
        except OSError:
            conn.close()
            return
        up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pipe, args=(up, conn), daemon=True).start()
        pipe(conn, up)

    while True:
        raw, _ = listener.accept()
        threading.Thread(target=handle, args=(raw,), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", help="host:port of a plain HTTP server")
    args = parser.parse_args()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    threading.Thread(target=serve, args=(args,), daemon=True).start()
    # Stop when the parent closes our stdin (or dies).
    try:
        sys.stdin.buffer.read()
    except OSError:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
