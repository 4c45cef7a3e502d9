#!/usr/bin/env python3
"""The docs' echo server (Real Python's echo-server.py), with a port argument
and a timeout so that a test never waits for ever."""
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.settimeout(30)
    s.bind((HOST, PORT))
    s.listen()
    print("listening", flush=True)
    conn, addr = s.accept()
    with conn:
        conn.settimeout(30)
        print(f"Connected by {addr}", flush=True)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
