# Back end of the HTTP proxy lab: HTTP/1.1 keep-alive server on 10.2.0.2:8000; the body echoes the
# path and X-Forwarded-For, repeated 1..40 times (a deterministic function of the path).
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = (("path=%s xff=%s\n" % (self.path, self.headers.get("X-Forwarded-For"))) * (1 + sum(self.path.encode()) % 40)).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, socketserver.TCPServer): daemon_threads = True; allow_reuse_address = True
S(("10.2.0.2", 8000), H).serve_forever()
