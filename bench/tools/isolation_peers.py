#!/usr/bin/env python3
"""The peers of bench/isolation.sh, in one process (standard library only):
- a black hole on HANG_PORT: accepts connections and reads, never answers (a client whose ping endpoint hangs);
- a device service on DEVICE_PORT (/notify): approves every request of the hung client through its callback, and
  forwards every other notification unchanged to the load generator's device listener (FORWARD_URL), answering with
  the generator's status. Forwarding lets any build be measured the same way, whatever channels it has.
- then, on a command line flag, creates COUNT ping requests of the hung client (so that COUNT pings hang)."""
import http.client, json, socket, sys, threading, time, urllib.parse, urllib.request, base64
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_PORT, DEVICE_PORT, FORWARD_URL, PROVIDER, HUNG_CLIENT, SECRET, COUNT = (
    int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]))
approved = 0
lock = threading.Lock()

def black_hole():
    server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", HANG_PORT)); server.listen(4096)
    held = []
    while True:
        connection, _ = server.accept()
        held.append(connection)  # never answered, never closed

def call_back(url, token):
    global approved
    request = urllib.request.Request(url, data=b'{"status":"approved"}', method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=30).read()
        with lock:
            approved += 1
    except Exception as error:  # reported in the summary line
        print("callback failed:", error, file=sys.stderr)

class Device(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        notification = json.loads(body)
        if notification.get("client_id") == HUNG_CLIENT:
            self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
            threading.Thread(target=call_back, args=(notification["callback_url"], notification["callback_token"]), daemon=True).start()
            return
        target = urllib.parse.urlparse(FORWARD_URL)
        try:
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            connection.request("POST", target.path, body, {"Authorization": self.headers.get("Authorization", ""), "Content-Type": "application/json"})
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = 503  # the generator is not listening (yet): the provider retries
        self.send_response(status); self.send_header("Content-Length", "0"); self.end_headers()

def create_hung_requests():
    basic = base64.b64encode(f"{HUNG_CLIENT}:{SECRET}".encode()).decode()
    def one(i):
        form = urllib.parse.urlencode({"scope": "openid", "login_hint": "alice", "binding_message": f"hung {i}",
                                       "client_notification_token": "hung-notification-token-0123456789abcdef"}).encode()
        request = urllib.request.Request(PROVIDER + "/bc-authorize", data=form, method="POST",
                                         headers={"Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
        urllib.request.urlopen(request, timeout=30).read()
    threads = []
    for i in range(COUNT):
        thread = threading.Thread(target=one, args=(i,), daemon=True); thread.start(); threads.append(thread)
        if len(threads) >= 64:
            for t in threads: t.join()
            threads = []
    for t in threads: t.join()

threading.Thread(target=black_hole, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", DEVICE_PORT), Device); server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print("peers ready", flush=True)
sys.stdin.readline()  # the script says when to create the hung requests
started = time.time()
create_hung_requests()
deadline = time.time() + 60
while approved < COUNT and time.time() < deadline:
    time.sleep(0.2)
print(f"hung requests: {COUNT} created and {approved} approved in {time.time() - started:.1f} s", flush=True)
sys.stdin.readline()  # until the script ends
