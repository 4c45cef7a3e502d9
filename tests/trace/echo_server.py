"""The Real Python echo server, unchanged but for port 0 and "PID PORT" on stdout."""
import os
import socket

HOST = "127.0.0.1"

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, 0))
    s.listen()
    print(os.getpid(), s.getsockname()[1], flush=True)
    conn, addr = s.accept()
    with conn:
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
