#!/usr/bin/env python3
"""TCP helpers of the services end-to-end tests and benchmark (127.0.0.1 only).

  tcp_load.py echo-server PORTFILE          threaded echo server on a free port (written to PORTFILE)
  tcp_load.py parallel PORT CONNS MBYTES    CONNS connections each sending MBYTES of random bytes
                                            and checking the echo by SHA-256; prints a summary
  tcp_load.py parallel-full PORT CONNS MBYTES
                                            the same, but each connection reads its whole echo
                                            before it closes (no half-close: Go EdgeVPN's service
                                            proxy ends both directions at the first end of stream)
  tcp_load.py hold PORT CONNS SECONDS       opens CONNS echo connections, checks each works, then
                                            waits until every one is closed by the far side
  tcp_load.py free-port                     prints a port nothing listens on
  tcp_load.py sink HOST PORT RESULT         accepts one connection on HOST:PORT (60 s at most) and
                                            writes "SHA256 BYTES" of what it received to RESULT
  tcp_load.py send HOST PORT FILE           sends FILE to HOST:PORT and closes
"""
import hashlib
import os
import socket
import socketserver
import sys
import threading
import time


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                data = self.request.recv(1 << 16)
                if not data:
                    break
                self.request.sendall(data)
            self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client went away: its side reports what it missed


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def echo_server(port_file):
    server = Server(("127.0.0.1", 0), Echo)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


def one_transfer(port, size, results, index, half_close=True):
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        payload = os.urandom(size)
        want = hashlib.sha256(payload).hexdigest()

        def send():
            view = memoryview(payload)
            try:
                for start in range(0, size, 1 << 16):
                    sock.sendall(view[start:start + (1 << 16)])
                if half_close:
                    sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the reader sees the connection end short and reports it

        sender = threading.Thread(target=send)
        sender.start()
        digest = hashlib.sha256()
        got = 0
        while half_close or got < size:
            data = sock.recv(1 << 16)
            if not data:
                break
            digest.update(data)
            got += len(data)
        sender.join()
        sock.close()
        results[index] = (got == size and digest.hexdigest() == want, got)
    except Exception as error:  # noqa: BLE001 - reported below
        results[index] = (False, repr(error))


def parallel(port, conns, mbytes, half_close=True):
    size = mbytes << 20
    results = [None] * conns
    threads = [threading.Thread(target=one_transfer, args=(port, size, results, i, half_close))
               for i in range(conns)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.time() - started
    bad = [(i, r) for i, r in enumerate(results) if not r or not r[0]]
    total = conns * size * 2
    print(f"{conns - len(bad)}/{conns} connections intact, {total / (1 << 20):.0f} MiB moved "
          f"in {elapsed:.1f} s ({total / (1 << 20) / elapsed:.1f} MiB/s)")
    for i, r in bad[:5]:
        print(f"connection {i}: {r}")
    return 0 if not bad else 1


def hold(port, conns, seconds):
    socks = []
    for i in range(conns):
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock.sendall(b"ping %d\n" % i)
        want = b"ping %d\n" % i
        got = b""
        while len(got) < len(want):
            data = sock.recv(100)
            if not data:
                break
            got += data
        if got != want:
            print(f"connection {i} did not echo before the kill: {got!r}")
            return 2
        socks.append(sock)
    print("held", flush=True)
    # The caller kills the service side now; every connection must end (EOF or reset) in time.
    deadline = time.time() + seconds
    open_socks = list(socks)
    while open_socks and time.time() < deadline:
        for sock in list(open_socks):
            sock.settimeout(0.2)
            try:
                data = sock.recv(100)
                if not data:
                    open_socks.remove(sock)
            except socket.timeout:
                pass
            except OSError:
                open_socks.remove(sock)
    print(f"{conns - len(open_socks)}/{conns} connections closed by the far side")
    return 0 if not open_socks else 1


def free_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    print(port)
    return 0


def sink(host, port, result):
    server = socket.create_server((host, port))
    server.settimeout(60)
    conn, _ = server.accept()
    conn.settimeout(60)
    digest, total = hashlib.sha256(), 0
    while chunk := conn.recv(1 << 16):
        digest.update(chunk)
        total += len(chunk)
    with open(result, "w") as f:
        f.write(f"{digest.hexdigest()} {total}\n")
    return 0


def send(host, port, path):
    with socket.create_connection((host, port), timeout=30) as s, open(path, "rb") as f:
        s.sendfile(f)
    return 0


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "echo-server":
        echo_server(sys.argv[2])
    elif command == "parallel":
        sys.exit(parallel(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
    elif command == "parallel-full":
        sys.exit(parallel(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), half_close=False))
    elif command == "hold":
        sys.exit(hold(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])))
    elif command == "sink":
        sys.exit(sink(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    elif command == "send":
        sys.exit(send(sys.argv[2], int(sys.argv[3]), sys.argv[4]))
    elif command == "free-port":
        sys.exit(free_port())
    else:
        sys.exit(__doc__)
