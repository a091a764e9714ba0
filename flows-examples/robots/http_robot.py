#!/usr/bin/env python3
"""A robot that speaks rpad's HTTP robot protocol (SPEC §10), with the standard library only.

It is an example for third-party robots, not a replacement for `rpactl agent`: it heartbeats,
long-polls for a run, accepts it, runs its steps one at a time in `needs` order (no parallel
branches), reports every step, streams each output line, honours a cancel and finishes the run.
Actions: shell, log, sleep, http. ${{ params.X }} is substituted; secrets are not handled.

    RPA_CLIENT_TOKEN=rpc_... python3 http_robot.py --server http://127.0.0.1:8000 --client-id 7
"""

import argparse
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

VERSION = "http-robot/1"


class Rpad:
    """The robot's side of the API: JSON in, JSON out, the robot's own token."""

    def __init__(self, server, token):
        self.server = server.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, timeout=10):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read()
            try:
                return e.code, json.loads(text)
            except ValueError:
                return e.code, {"detail": text.decode(errors="replace")}


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def seconds(duration):
    """A flow duration ("250ms", "10s", "5m", "1h", "2d", or a bare number of seconds)."""
    m = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", str(duration))
    if not m:
        raise ValueError("not a duration: %r" % duration)
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2) or "s"]
    return int(m.group(1)) * unit


def substitute(value, params):
    """${{ params.NAME }} in every string of a step's `with`."""
    if isinstance(value, str):
        return re.sub(r"\$\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}",
                      lambda m: str(params.get(m.group(1), "")), value)
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    return value


def in_needs_order(steps):
    """The steps in an order where each comes after everything it needs."""
    done, out, rest = set(), [], list(steps)
    while rest:
        ready = [s for s in rest if set(s.get("needs", [])) <= done]
        out += ready
        done |= {s["id"] for s in ready}
        rest = [s for s in rest if s["id"] not in done]
    return out


class Cancelled(Exception):
    pass


class Run:
    """One accepted run: its steps, its log's next seq, whether rpad asked to stop it."""

    def __init__(self, rpad, assignment, workdir):
        self.rpad = rpad
        self.id = assignment["run_id"]
        self.flow = assignment["flow"]
        self.spec = assignment["spec"]
        self.params = assignment.get("params", {})
        self.dir = os.path.join(workdir, "run-%d" % self.id)
        self.seq = 1
        self.cancel = threading.Event()
        self.process = None

    def path(self, what):
        return "/api/v1/client/runs/%d/%s" % (self.id, what)

    def post(self, what, body):
        status, reply = self.rpad.call("POST", self.path(what), body)
        if status != 200:
            raise RuntimeError("%s: HTTP %d %s" % (what, status, reply))
        if reply.get("state") == "cancelling":
            self.cancel.set()
        return reply

    def log(self, step, stream, line):
        reply = self.post("logs", {"seq": self.seq, "lines": [
            {"step": step, "stream": stream, "ts": now(), "line": line}]})
        self.seq = reply["next_seq"]

    def event(self, step, state, attempt, exit_code=None, error=""):
        body = {"step": step, "state": state, "attempt": attempt}
        if exit_code is not None:
            body["exit_code"] = exit_code
        if error:
            body["error"] = error
        self.post("events", body)

    def stop(self):
        """Called when rpad says cancel: the step's whole process group gets SIGTERM."""
        self.cancel.set()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def execute(self):
        os.makedirs(self.dir, exist_ok=True)
        self.post("accept", {})
        failed = None
        for step in in_needs_order(self.spec.get("steps", [])):
            if failed or self.cancel.is_set():
                self.event(step["id"], "skipped", 1)
                continue
            error = self.step(step)
            if error:
                failed = error
        if self.cancel.is_set():
            self.post("finish", {"state": "cancelled"})
        elif failed:
            self.post("finish", {"state": "failed", "error": failed})
        else:
            self.post("finish", {"state": "succeeded"})

    def step(self, step):
        """Runs one step with its retries; returns the error that failed it, or None."""
        retry = step.get("retry", {})
        attempts = retry.get("attempts", 1)
        for attempt in range(1, attempts + 1):
            self.event(step["id"], "running", attempt)
            try:
                code = self.action(step, substitute(step.get("with", {}), self.params))
            except Cancelled:
                self.event(step["id"], "cancelled", attempt, error="cancelled")
                return "cancelled"
            except Exception as e:  # a step's failure, reported, never the robot's
                self.log(step["id"], "system", str(e))
                code = 1
            if code == 0:
                self.event(step["id"], "succeeded", attempt, exit_code=0)
                return None
            last = attempt == attempts
            self.event(step["id"], "failed", attempt, exit_code=code,
                       error="exit code %d" % code)
            if last:
                return "step %s failed" % step["id"]
            if self.cancel.wait(seconds(retry.get("delay", "0s"))):
                return "cancelled"
        return None

    def action(self, step, inputs):
        uses = step["uses"]
        if uses == "log":
            self.log(step["id"], "stdout", str(inputs.get("message", "")))
            return 0
        if uses == "sleep":
            if self.cancel.wait(seconds(inputs.get("duration", "0s"))):
                raise Cancelled()
            return 0
        if uses == "http":
            req = urllib.request.Request(inputs["url"], method=inputs.get("method", "GET"))
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    status = resp.status
            except urllib.error.HTTPError as e:
                status = e.code
            self.log(step["id"], "system", "HTTP %d from %s" % (status, inputs["url"]))
            expected = inputs.get("expect_status")  # a code or a list of codes
            if isinstance(expected, list):
                ok = status in expected
            else:
                ok = status == int(expected) if expected else 200 <= status < 300
            return 0 if ok else 1
        if uses == "shell":
            return self.shell(step, inputs)
        raise RuntimeError("this robot has no action %r" % uses)

    def shell(self, step, inputs):
        env = dict(os.environ, RPA_RUN_ID=str(self.id), RPA_FLOW=self.flow, RPA_STEP=step["id"])
        env.update({k: str(v) for k, v in inputs.get("env", {}).items()})
        self.process = subprocess.Popen(
            [inputs.get("shell", "bash"), "-c", inputs["command"]], cwd=self.dir, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        for line in self.process.stdout:
            self.log(step["id"], "stdout", line.rstrip("\n"))
        code = self.process.wait()
        if self.cancel.is_set():
            raise Cancelled()
        return code


class Robot:
    def __init__(self, args, token):
        self.args = args
        self.rpad = Rpad(args.server, token)
        self.run = None  # the run in progress
        self.quit = threading.Event()

    def heartbeat(self):
        body = {"client_id": self.args.client_id, "timestamp": now(),
                "status": "busy" if self.run else "idle", "version": VERSION}
        status, reply = self.rpad.call("POST", "/api/v1/client/heartbeat", body)
        if status != 200:
            raise RuntimeError("heartbeat: HTTP %d %s" % (status, reply))
        run = self.run
        if run and run.id in reply.get("runs", {}).get("cancel", []):
            run.stop()
        return max(1, reply.get("next_heartbeat_seconds", 20))

    def beat_forever(self):
        """Beats at rpad's advisory interval, and every second while a run may be cancelled."""
        interval, last = 20, time.monotonic()
        while not self.quit.wait(1):
            if self.run is None and time.monotonic() - last < interval:
                continue
            last = time.monotonic()
            try:
                interval = self.heartbeat()
            except (OSError, RuntimeError) as e:  # rpad away: the next beat tries again
                print("heartbeat failed: %s" % e, file=sys.stderr)

    def stop(self):
        """SIGTERM: the run in progress is cancelled, then the robot says offline and exits."""
        self.quit.set()
        if self.run:
            self.run.stop()

    def serve(self):
        self.heartbeat()
        threading.Thread(target=self.beat_forever, daemon=True).start()
        done = 0
        while not self.quit.is_set():
            try:
                status, assignment = self.rpad.call(
                    "GET", "/api/v1/client/runs/next?wait=%d" % self.args.wait,
                    timeout=self.args.wait + 10)
            except OSError as e:
                print("poll failed: %s" % e, file=sys.stderr)
                time.sleep(1)
                continue
            if status == 204:
                continue
            if status != 200:
                raise SystemExit("runs/next: HTTP %d %s" % (status, assignment))
            self.run = Run(self.rpad, assignment, self.args.workdir)
            print("run %d (%s)" % (self.run.id, self.run.flow), flush=True)
            try:
                self.run.execute()
            except Exception as e:  # rpad away or the run gone: give up this run, not the robot
                print("run %d abandoned: %s" % (self.run.id, e), file=sys.stderr, flush=True)
                self.run.stop()
            finally:
                self.run = None
            done += 1
            if self.args.runs and done >= self.args.runs:
                break
        self.quit.set()
        self.rpad.call("POST", "/api/v1/client/heartbeat",
                       {"client_id": self.args.client_id, "status": "offline"})


def main():
    p = argparse.ArgumentParser(description="An example robot speaking rpad's HTTP protocol.")
    p.add_argument("--server", default="http://127.0.0.1:8000")
    p.add_argument("--client-id", type=int, required=True)
    p.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "http-robot"))
    p.add_argument("--wait", type=int, default=25, help="long-poll seconds (at most 60)")
    p.add_argument("--runs", type=int, default=0, help="exit after this many runs (0: never)")
    args = p.parse_args()
    token = os.environ.get("RPA_CLIENT_TOKEN")
    if not token:
        p.error("set RPA_CLIENT_TOKEN to the robot's token")
    robot = Robot(args, token)
    signal.signal(signal.SIGTERM, lambda *_: robot.stop())
    robot.serve()


if __name__ == "__main__":
    main()
