# Full HTTP reverse proxy: new back-end connections from a small pool (reused across clients),
# X-Forwarded-For added.
import http.server, socketserver, http.client, threading, queue
POOL = queue.Queue()
for _ in range(3): POOL.put(None)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        c = POOL.get()
        try:
            if c is None: c = http.client.HTTPConnection("10.2.0.2", 8000, timeout=5)
            c.request("GET", self.path, headers={"Host": self.headers.get("Host", ""), "X-Forwarded-For": self.client_address[0], "Via": "1.1 tmproxy"})
            r = c.getresponse(); body = r.read()
        except Exception:
            c = None; body = b"err"
        finally:
            POOL.put(c)
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, socketserver.TCPServer): daemon_threads = True; allow_reuse_address = True
S(("10.1.0.1", 80), H).serve_forever()
