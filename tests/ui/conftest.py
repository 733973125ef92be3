"""One `dagster dev` (webserver + daemon) for every test under tests/ui: started once per
session (it takes tens of seconds), on a free port, with its own DAGSTER_HOME (a copy of
dagster.yaml) and XXGK_DATA_DIR, and stopped with its whole process group."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCATION = "xxgk_warehouse"  # workspace.yaml


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"dagster dev exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


@dataclass
class DagsterDev:
    url: str
    home: Path
    data: Path
    log: Path
    startup_s: float  # until the webserver answered

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        assert "errors" not in answer, answer["errors"]
        return answer["data"]

    def runs(self) -> list[dict]:
        """Every run of the instance, newest first: id, status, tags."""
        data = self.graphql("""{ runsOrError { __typename ... on Runs { results {
            runId status startTime endTime tags { key value } } } } }""")
        return data["runsOrError"]["results"]

    def run_messages(self, run_id: str) -> list[str]:
        """Every event message of a run's event log (paged)."""
        query = """query($runId: ID!, $cursor: String) {
          logsForRun(runId: $runId, afterCursor: $cursor, limit: 1000) { __typename
            ... on EventConnection { cursor hasMore events { __typename
              ... on MessageEvent { message }
              ... on ExecutionStepFailureEvent { error { message } } } }
            ... on PythonError { message } } }"""
        messages, cursor = [], None
        while True:
            page = self.graphql(query, {"runId": run_id, "cursor": cursor})["logsForRun"]
            assert page["__typename"] == "EventConnection", page
            for event in page["events"]:
                messages.append(event.get("message") or "")
                if event.get("error"):
                    messages.append(event["error"]["message"])
            if not page["hasMore"]:
                return messages
            cursor = page["cursor"]

    def launch_run(self, job: str = "warehouse_job", tags: dict | None = None) -> str:
        """Launch a run through GraphQL, as the UI's Materialize button does; its run id."""
        query = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
            __typename ... on LaunchRunSuccess { run { runId } }
            ... on PythonError { message stack } ... on RunConfigValidationInvalid { errors { message } } } }"""
        params = {"selector": {"repositoryLocationName": LOCATION, "repositoryName": "__repository__",
                               "jobName": job},
                  "runConfigData": {},
                  "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]}}
        answer = self.graphql(query, {"params": params})["launchRun"]
        assert answer["__typename"] == "LaunchRunSuccess", answer
        return answer["run"]["runId"]

    def log_tail(self, lines: int = 80) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def diagnosis(self) -> str:
        """What a CI failure needs: run statuses and the end of the dagster dev log."""
        try:
            runs = [(r["runId"][:8], r["status"], {t["key"]: t["value"] for t in r["tags"]})
                    for r in self.runs()]
        except Exception as exc:  # noqa: BLE001 - the webserver itself may be the problem
            runs = [f"GraphQL failed: {exc!r}"]
        return f"runs: {json.dumps(runs, ensure_ascii=False, indent=1)}\n--- dagster dev log ---\n{self.log_tail()}"


@pytest.fixture(scope="session")
def dagster_dev(tmp_path_factory) -> DagsterDev:
    root = tmp_path_factory.mktemp("dagster_dev")
    home, data = root / "dagster_home", root / "data"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "XXGK_DATA_DIR": str(data),
           "XXGK_PARSE_WORKERS": "1"}
    for var in ("XXGK_INBOX", "XXGK_ARCHIVE", "XXGK_WAREHOUSE", "XXGK_PUBLISHED", "XXGK_VALIDATION"):
        env.pop(var, None)
    log = root / "dagster-dev.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster")), "dev", "-w", "workspace.yaml",
             "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.monotonic()
        wait_for(f"http://127.0.0.1:{port}/server_info", 180, proc)
        yield DagsterDev(f"http://127.0.0.1:{port}", home, data, log, time.monotonic() - started)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:  # the daemon can take 30 s to wind down; this instance is thrown away anyway
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
