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
from compare import labels_by_text, record, spans_by_text, survival
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


def _project(api: Api, kind: str) -> dict[str, Any]:
    """A doccano project: ``DocumentClassification`` or ``SequenceLabeling``."""
    resource = {"DocumentClassification": "TextClassificationProject",
                "SequenceLabeling": "SequenceLabelingProject"}[kind]
    return api.call("POST", "/v1/projects", {
        "name": f"interop {kind}", "description": "issue 9", "guideline": "",
        "project_type": kind, "resourcetype": resource})


def _upload(api: Api, project: dict[str, Any], path: Path) -> None:
    """Our JSONL file through doccano's own upload (filepond, then its import task)."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="filepond"; '
            f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    upload = api.call("POST", "/v1/fp/process/", raw=body,
                      content_type=f"multipart/form-data; boundary={boundary}")
    upload_id = upload.decode() if isinstance(upload, bytes) else str(upload)
    task = api.call("POST", f"/v1/projects/{project['id']}/upload", {
        "format": "JSONL", "task": project["project_type"], "uploadIds": [upload_id],
        "column_data": "text", "column_label": "label", "delimiter": "", "encoding": "utf_8"})
    status = _wait(api, task["task_id"])
    assert status["result"]["error"] == []  # uniform keys: no NaN in doccano's meta column
    examples = api.call("GET", f"/v1/projects/{project['id']}/examples?limit=1")
    assert examples["count"] == len(path.read_text(encoding="utf-8").splitlines())


def _download(api: Api, project: dict[str, Any], folder: Path) -> list[str]:
    """doccano's JSONL export of the project, unpacked into ``folder``: the file names."""
    task = api.call("POST", f"/v1/projects/{project['id']}/download",
                    {"format": "JSONL", "exportApproved": False})
    done = _wait(api, task["task_id"])
    with zipfile.ZipFile(io.BytesIO(Path(done["result"]).read_bytes())) as z:
        names = z.namelist()
        z.extractall(folder)
    return names


def test_doccano_round_trip(doccano: tuple[Api, Path], tmp_path: Path) -> None:
    api, home = doccano
    src = build_project(tmp_path / "source.annot", n_articles=4)
    export(src, tmp_path / "ours.jsonl", "doccano")
    with Project.open(src) as p:
        before = labels_by_text(p)
    project = _project(api, "DocumentClassification")
    _upload(api, project, tmp_path / "ours.jsonl")
    names = _download(api, project, tmp_path / "back")
    assert names == ["admin.jsonl"]  # doccano writes one file per user
    with Project.open(tmp_path / "fresh.annot") as p:
        report = p.import_files([tmp_path / "back" / "admin.jsonl"], ner=False)
        assert not report.issues, report.issues
        after = labels_by_text(p)
    # Every label, with its annotator, gold and decided_by (doccano keeps them as metadata).
    assert after == before
    counts = {**survival(before, after), "skipped": report.skipped}
    record("doccano", "export -> doccano 1.8 text classification -> import", counts)
    print("\ndoccano round trip:", json.dumps(counts))


def test_doccano_sequence_labelling_round_trip(doccano: tuple[Api, Path], tmp_path: Path) -> None:
    """Our doccano-spans export in a real SequenceLabeling project and back: every entity span
    (text, label, sentence) returns, as a mention whose origin is the doccano user."""
    api, _home = doccano
    src = build_project(tmp_path / "source.annot", n_articles=4)
    export(src, tmp_path / "spans.jsonl", "doccano-spans")
    rows = [json.loads(line) for line in
            (tmp_path / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({tuple(sorted(r)) for r in rows}) == 1  # uniform keys
    with Project.open(src) as p:
        before = {(t, lab, s) for t, lab, _origin, s in spans_by_text(p)}
    assert before
    project = _project(api, "SequenceLabeling")
    _upload(api, project, tmp_path / "spans.jsonl")
    names = _download(api, project, tmp_path / "back")
    assert names == ["admin.jsonl"]
    back = [json.loads(line) for line in
            (tmp_path / "back" / "admin.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(len(r["label"]) for r in back) == len(before)  # doccano's own shape: [s, e, L]
    with Project.open(tmp_path / "fresh.annot") as p:
        report = p.import_files([tmp_path / "back" / "admin.jsonl"], ner=False)
        assert not report.issues, report.issues
        after = spans_by_text(p)
    assert {(t, lab, s) for t, lab, _o, s in after} == before
    assert {o for *_x, o, _s in after} == {"annotator:admin"}
    assert report.tally[("span", "imported as an entity")] == len(before)
    counts = {"spans": len(before),
              "spans_kept": len({(t, lab, s) for t, lab, _o, s in after} & before),
              "annotators": len({o for *_x, o, _s in after}), "skipped": report.skipped}
    record("doccano", "doccano-spans export -> doccano 1.8 sequence labelling -> import", counts)
    print("\ndoccano sequence labelling round trip:", json.dumps(counts))
