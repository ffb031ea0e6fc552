"""A real doccano 1.8 server (gunicorn on 127.0.0.1 and its celery worker): our doccano export
imported through its API and exported back, every label and annotator compared."""
from __future__ import annotations

import io
import json
import os
import subprocess
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from annotator import Project
from annotator.export import export
from compare import labels_by_text, survival
from servers import Api, Server, free_port, venv
from test_export import build_project


@pytest.fixture(scope="module")
def doccano(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Path]]:
    env_dir = venv("doccano")
    if env_dir is None:
        pytest.skip("doccano could not be installed here (see scripts/interop-install.sh)")
    home = tmp_path_factory.mktemp("doccano")
    backend = next((env_dir / "lib").glob("python3*/site-packages/backend"))
    env = {"DOCCANO_HOME": str(home), "DATABASE_URL": f"sqlite:///{home}/db.sqlite3",
           "MEDIA_ROOT": str(home / "media"),
           "CELERY_BROKER_URL": f"sqla+sqlite:///{home}/broker.sqlite3"}
    doccano_bin = str(env_dir / "bin" / "doccano")
    for argv in ([doccano_bin, "init"],
                 [doccano_bin, "createuser", "--username", "admin", "--password", "interop-pass"]):
        subprocess.run(argv, env={**os.environ, **env}, check=True, timeout=300,
                       capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    py = str(env_dir / "bin" / "python")
    worker = Server([py, "-m", "celery", "--app=config", f"--workdir={backend}", "worker",
                     "--concurrency=1", "--loglevel=info"], env, home / "celery.log", url, None,
                    ready_log=" ready.")
    web = None
    try:
        web = Server([py, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                      "--chdir", str(backend), "config.wsgi"], env, home / "web.log", url,
                     "/v1/health/")
        token = Api(url, {}).call("POST", "/v1/auth/login/",
                                  {"username": "admin", "password": "interop-pass"})["key"]
        yield Api(url, {"Authorization": f"Token {token}"}), home
    finally:
        if web is not None:
            web.stop()
        worker.stop()


def _wait(api: Api, task_id: str) -> dict[str, Any]:
    for _ in range(240):
        status = api.call("GET", f"/v1/tasks/status/{task_id}")
        if status.get("ready"):
            assert not status.get("error"), status
            return status
        time.sleep(0.5)
    raise AssertionError(f"doccano task {task_id} did not finish in 120 s")


def test_doccano_round_trip(doccano: tuple[Api, Path], tmp_path: Path) -> None:
    api, home = doccano
    src = build_project(tmp_path / "source.annot", n_articles=4)
    export(src, tmp_path / "ours.jsonl", "doccano")
    with Project.open(src) as p:
        before = labels_by_text(p)
    project = api.call("POST", "/v1/projects", {
        "name": "interop", "description": "issue 9", "guideline": "",
        "project_type": "DocumentClassification", "resourcetype": "TextClassificationProject"})
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; '
            'filename="ours.jsonl"\r\nContent-Type: application/octet-stream\r\n\r\n').encode() \
        + (tmp_path / "ours.jsonl").read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    upload = api.call("POST", "/v1/fp/process/", raw=body,
                      content_type=f"multipart/form-data; boundary={boundary}")
    upload_id = upload.decode() if isinstance(upload, bytes) else str(upload)
    task = api.call("POST", f"/v1/projects/{project['id']}/upload", {
        "format": "JSONL", "task": "DocumentClassification", "uploadIds": [upload_id],
        "column_data": "text", "column_label": "label", "delimiter": "", "encoding": "utf_8"})
    status = _wait(api, task["task_id"])
    assert status["result"]["error"] == []  # uniform keys: no NaN in doccano's meta column
    examples = api.call("GET", f"/v1/projects/{project['id']}/examples?limit=1")
    rows = (tmp_path / "ours.jsonl").read_text(encoding="utf-8").splitlines()
    assert examples["count"] == len(rows)
    task = api.call("POST", f"/v1/projects/{project['id']}/download",
                    {"format": "JSONL", "exportApproved": False})
    done = _wait(api, task["task_id"])
    with zipfile.ZipFile(io.BytesIO(Path(done["result"]).read_bytes())) as z:
        names = z.namelist()
        z.extractall(tmp_path / "back")
    assert names == ["admin.jsonl"]  # doccano writes one file per user
    with Project.open(tmp_path / "fresh.annot") as p:
        report = p.import_files([tmp_path / "back" / "admin.jsonl"], ner=False)
        assert not report.issues, report.issues
        after = labels_by_text(p)
    # Every label, with its annotator, gold and decided_by (doccano keeps them as metadata).
    assert after == before
    print("\ndoccano round trip:", json.dumps({**survival(before, after),
                                               "skipped": report.skipped}))
