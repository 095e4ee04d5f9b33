"""``bankbot batch run`` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankbot_tools.cli import app

SAMPLE = Path(__file__).resolve().parent.parent / "batch" / "sample_portfolio.csv"


def test_defaults_write_out_summary(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With only INPUT, outputs go to out/summary.csv and its rejects and manifest."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["batch", "run", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "120 loans processed, 6 rejected" in result.stdout
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["summary.csv", "summary.manifest.json", "summary.rejects.csv"]


def test_json_prints_manifest(runner: CliRunner, tmp_path: Path) -> None:
    """--json prints the manifest document on stdout."""
    out = tmp_path / "s.parquet"
    result = runner.invoke(
        app, ["batch", "run", str(SAMPLE), "--out", str(out), "--chunk-size", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["counts"] == {"read": 126, "processed": 120, "rejected": 6}
    assert document["outputs"]["summary"]["path"] == str(out)


def test_max_rejects_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    """Too many rejects end the job with exit 1 and no summary."""
    out = tmp_path / "s.csv"
    result = runner.invoke(
        app, ["batch", "run", str(SAMPLE), "--out", str(out), "--max-rejects", "5"]
    )
    assert result.exit_code == 1
    assert "more than --max-rejects 5" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["missing.csv"],
        [str(SAMPLE), "--map", "principal"],
        [str(SAMPLE), "--map", "rate=annual"],
        [str(SAMPLE), "--out", "summary.xlsx"],
        [str(SAMPLE), "--chunk-size", "0"],
    ],
)
def test_bad_input_or_options_exit_2(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Unreadable input and bad options exit 2 with a one-line message, writing nothing."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["batch", "run", *args])
    assert result.exit_code == 2
    assert not (tmp_path / "out").exists()
    if args != [str(SAMPLE), "--chunk-size", "0"]:
        message = [line for line in result.stderr.splitlines() if not line.startswith("{")]
        assert len(message) == 1 and message[0].startswith("bankbot: error: ")


def test_directory_input_says_it_is_a_directory(runner: CliRunner, tmp_path: Path) -> None:
    """A directory as INPUT exits 2 saying it is a directory, not that it is missing."""
    result = runner.invoke(app, ["batch", "run", str(tmp_path), "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 2
    message = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert message == [f"bankbot: error: input is a directory, not a portfolio file: {tmp_path}"]
    assert list(tmp_path.iterdir()) == []


def test_events_per_chunk_and_one_per_run(runner: CliRunner, tmp_path: Path) -> None:
    """One batch.chunk event per chunk, one batch.run and one cli.command event, sharing a run_id
    and carrying no loan ids or amounts."""
    log = tmp_path / "events.log"
    args = ["--log-file", str(log), "batch", "run", str(SAMPLE), "--out", str(tmp_path / "s.csv")]
    result = runner.invoke(app, [*args, "--chunk-size", "50"])
    assert result.exit_code == 0, result.output
    lines = log.read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["event"] for e in events] == ["batch.chunk"] * 3 + ["batch.run", "cli.command"]
    assert {e["command"] for e in events} == {"batch run"}
    assert len({e["run_id"] for e in events}) == 1
    assert len({e["invocation_id"] for e in events}) == len(events)
    assert [e["chunk"] for e in events[:3]] == [1, 2, 3]
    assert events[-2]["processed"] == events[-1]["processed"] == 120
    assert "SMP-" not in log.read_text()


def test_help_has_an_example(runner: CliRunner) -> None:
    """The command's help shows a runnable example."""
    result = runner.invoke(app, ["batch", "run", "--help"])
    assert result.exit_code == 0
    assert "bankbot batch run batch/sample_portfolio.csv" in result.stdout
