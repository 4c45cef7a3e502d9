#!/usr/bin/env python3
"""The docs' echo client (Real Python's echo-client.py), with a port argument
and a timeout so that a test never waits for ever."""
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.settimeout(30)
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")
sys.exit(0 if data == b"Hello, world" else 1)
