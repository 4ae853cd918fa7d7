"""The command line: ``rnnshapes verify`` and ``rnnshapes shapes``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import pytest
import torch

from rnnshapes import Report, claims
from rnnshapes.cli import main

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def test_verify_lists_every_claim_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(claims) + 1
    for line, cid in zip(lines, claims, strict=False):
        assert re.match(rf"{cid} +holds +(equal|close|structure) +\d+ configs", line), line
    assert lines[-1] == f"{len(claims)} claims hold on torch {torch.__version__} (cpu)"


def test_verify_json(
    report: Report, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("rnnshapes.verification.verify", lambda device, configs: report)
    assert main(["verify", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["device"] == "cpu"
    assert [c["id"] for c in data["claims"]] == list(claims)


def test_verify_exits_1_when_a_claim_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnshapes import verify
    from rnnshapes.configs import Returned
    from rnnshapes.facts import layers

    real_run = layers.run
    monkeypatch.setattr(
        layers,
        "run",
        lambda m, x, hx=None: Returned(real_run(m, x, hx).output * 2, real_run(m, x, hx).h_n, None),
    )
    failing = verify(ids=["output-last-step-is-h-n", "omitted-h0-is-zeros"])
    monkeypatch.setattr("rnnshapes.verification.verify", lambda device, configs: failing)
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "output-last-step-is-h-n" in out and "FAILS" in out and "fails on " in out


def test_verify_thorough_walks_every_edge(
    report: Report, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnshapes.configs import default_configs, thorough_configs

    seen: dict[str, object] = {}

    def fake(device: str, configs: object) -> Report:
        seen["configs"] = configs
        return report

    monkeypatch.setattr("rnnshapes.verification.verify", fake)
    assert main(["verify"]) == 0
    assert seen["configs"] is None  # verify's own default: the quick sample
    assert main(["verify", "--thorough"]) == 0
    walked = list(seen["configs"])  # type: ignore[call-overload]
    assert walked == list(thorough_configs())
    assert len(walked) > 5 * len(list(default_configs()))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message without a GPU")
def test_verify_cuda_without_a_gpu_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["verify", "--device", "cuda"])
    assert exit_.value.code == 2
    assert "no CUDA device" in capsys.readouterr().err


def test_shapes_lstm_all_options(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "shapes",
        "LSTM",
        "--input-size",
        "4",
        "--hidden-size",
        "5",
        "--num-layers",
        "2",
        "--bidirectional",
        "--batch-first",
        "--proj-size",
        "2",
        "--seq-len",
        "7",
        "--batch",
        "3",
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines() == [
        "input   (3, 7, 4)  batch=3, seq_len=7, input_size=4",
        "output  (3, 7, 4)  batch=3, seq_len=7, num_directions*proj_size=2*2",
        "h_n     (4, 3, 2)  num_layers*num_directions=2*2, batch=3, proj_size=2",
        "c_n     (4, 3, 5)  num_layers*num_directions=2*2, batch=3, hidden_size=5",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("shapes GRU --input-size 4 --hidden-size 5 --seq-len 7 --proj-size 2", "LSTM option"),
        ("shapes LSTM --input-size 4 --hidden-size 5 --seq-len 7 --proj-size 5", "--proj-size"),
        ("shapes LSTM --input-size 0 --hidden-size 5 --seq-len 7", "--input-size must be"),
        ("shapes LSTM --input-size 4 --hidden-size 5 --seq-len 7 --batch 0", "--batch must be"),
        ("shapes CNN --input-size 4 --hidden-size 5 --seq-len 7", "invalid choice"),
        ("shapes LSTM --hidden-size 5 --seq-len 7", "required"),
        ("frobnicate", "invalid choice"),
    ],
)
def test_bad_usage_exits_2(argv: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv.split())
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "rnnshapes",
            "shapes",
            "rnn",
            "--input-size",
            "4",
            "--hidden-size",
            "5",
            "--seq-len",
            "7",
            "--batch",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        out.stdout.splitlines()[2]
        == "h_n     (1, 3, 5)  num_layers*num_directions=1*1, batch=3, hidden_size=5"
    )
