"""The hall instance's gunicorn settings (gjj.core.gunicorn_conf)."""

from __future__ import annotations

from gjj.core.gunicorn_conf import on_starting


def test_an_instance_starting_again_begins_its_metrics_anew(tmp_path, monkeypatch) -> None:
    directory = tmp_path / "metrics" / "hall-1"
    directory.mkdir(parents=True)
    (directory / "counter_4242.db").write_bytes(b"old run")
    (directory / "README").write_text("not prometheus_client's")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    on_starting(None)

    assert sorted(path.name for path in directory.iterdir()) == ["README"]


def test_the_metrics_directory_is_made_when_missing(tmp_path, monkeypatch) -> None:
    directory = tmp_path / "metrics" / "hall-2"
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))

    on_starting(None)

    assert directory.is_dir()


def test_without_multiprocess_metrics_nothing_is_touched(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    (tmp_path / "counter_1.db").write_bytes(b"")
    monkeypatch.chdir(tmp_path)

    on_starting(None)

    assert (tmp_path / "counter_1.db").exists()
