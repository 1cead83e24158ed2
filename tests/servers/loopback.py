"""What the loopback test servers share: a quiet HTTP/1.1 handler that sends
answers without Nagle delays, and serving on a free 127.0.0.1 port whose
number is written (atomically) to a file for the test to read."""
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # answers are written as head then body: without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back by 40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *a):
        pass


class Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops the connections of a client that
    # opens many at once; each dropped SYN costs a second before it is sent again
    request_queue_size = 128


def serve(handler, portfile):
    server = Server(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()
