"""(e) The same case through the JSON API of a live server on 127.0.0.1.

The server is gunicorn (one sync worker) serving ``web:create_app()`` on a SQLite database of its
own, started as a subprocess; the client is ``http.client`` with one keep-alive connection.  Per
step the client reads the case (``GET /api/v1/cases/<id>``, untimed, as the other variants look
the task id up untimed) and times ``POST .../tasks/<task_id>/complete`` with ``{"data", "version"}``.
When this checkout's app does not serve ``/api/v1`` yet, the variant is left out and said so."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from engine.domain import roles

from . import databases

clock = time.perf_counter
COMPLETE_RULE = "/api/v1/cases/<"


def api_available() -> bool:
    try:
        from web import create_app
        app = create_app({"TESTING": True, "SCHEDULER": False})
    except Exception:
        return False
    rules = [r.rule for r in app.url_map.iter_rules()]
    return any(r.startswith("/api/v1/cases") and r.endswith("/complete") for r in rules)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, workers: int = 1, port: int | None = None, threads: int = 1):
    """Start gunicorn on ``web:create_app()``; returns (process, port) once /health answers."""
    port = port or free_port()
    env = dict(os.environ, HABEAS_DATABASE_URL=url, HABEAS_SCHEDULER="0")
    # the benchmark's throwaway database anchors its trail beside itself, not under instance/
    env.setdefault("HABEAS_AUDIT_ANCHOR", os.path.join(tempfile.gettempdir(), f"habeas-bench-{port}.anchor.jsonl"))
    cmd = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "web:create_app()"]
    proc = subprocess.Popen(cmd, env=env, cwd=str(databases.PROCESSES.parent))
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not come up")


class Client:
    """A JSON client on one keep-alive connection with a Bearer token."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                return response.status, (json.loads(raw) if raw else {})
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise


class Server:
    def __init__(self, scenario, port: int, tokens: dict):
        self.scenario, self.port = scenario, port
        self.clients = {role: Client(port, token) for role, token in tokens.items()}

    def case(self) -> tuple[float, list[float]]:
        sc = self.scenario
        opener = self.clients[roles.INVESTIGATOR]
        t0 = clock()
        status, body = opener.call("POST", "/api/v1/cases", {"process": "criminal_case", "data": sc.opening,
                                                            "prosecutor": roles.PROSECUTOR})
        opening = clock() - t0
        assert status in (200, 201), (status, body)
        case_id = body.get("id") or body.get("case", {}).get("id")
        times = []
        for step in sc.steps:
            for checkpoint, data, occurred_at in sc.evidence.get(step.name, ()):
                s, b = opener.call("POST", f"/api/v1/cases/{case_id}/evidence",
                                   {"checkpoint": checkpoint, "data": data, "occurred_at": occurred_at})
                assert s in (200, 201), (s, b)
            s, view = self.clients[roles.REVIEWER].call("GET", f"/api/v1/cases/{case_id}")
            task_id = next(t["id"] for t in view["tasks"] if t["name"] == step.name)
            client = self.clients[step.lane]
            t0 = clock()
            s, b = client.call("POST", f"/api/v1/cases/{case_id}/tasks/{task_id}/complete",
                               {"data": step.data, "version": view["version"]})
            times.append(clock() - t0)
            assert s == 200, (step.name, s, b)
        return opening, times


def start_if_available(stack, scenario, log):
    """The live server for (e), or ``None`` (said why) when the API is not there."""
    if not api_available():
        log("  (e) skipped: this checkout's web app does not serve the JSON API (/api/v1) yet")
        return None
    url, engine = stack.enter_context(databases.sqlite_database("http"))
    ctx = databases.habeas_for(engine)
    tokens = databases.seed(ctx, password=None)
    proc, port = serve(url)
    stack.callback(_stop, proc)
    return Server(scenario, port, tokens)


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
