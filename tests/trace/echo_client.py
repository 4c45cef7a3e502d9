"""The Real Python echo client, the port and message from the command line."""
import socket
import sys

HOST = "127.0.0.1"
PORT = int(sys.argv[1])

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(sys.argv[2].encode())
    data = s.recv(1024)

print(f"received {data.decode()}")
