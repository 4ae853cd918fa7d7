"""The command line: ``rnnshapes verify`` and ``rnnshapes shapes``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from collections.abc import Callable

import pytest
import torch

from rnnshapes import Report, claims
from rnnshapes.cli import main

warnings.filterwarnings("ignore", "LSTM with projections is not supported with oneDNN")


def _replay(report: Report) -> Callable[..., Report]:
    """A stand-in for verify that reports ``report``'s results one by one, as verify does."""

    def fake(device: str, configs: object, progress: Callable[[object], object]) -> Report:
        for result in report.results:
            progress(result)
        return report

    return fake


def test_verify_lists_every_claim_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(claims) + 1
    for line, cid in zip(lines, claims, strict=False):
        assert re.match(rf"{cid} +holds +(equal|close|structure) +\d+ configs", line), line
    summary = f"{len(claims)} claims hold on torch {torch.__version__} (cpu)"
    assert re.fullmatch(
        re.escape(summary) + r", checked on \d+ configurations in \d+\.\d s", lines[-1]
    ), lines[-1]


def test_verify_shows_each_claim_as_soon_as_it_is_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Progress, not silence: when a claim's check starts, every earlier claim's line is out."""
    from rnnshapes import verification

    real = verification._check_claim
    printed_before: list[int] = []
    seen = ""

    def spy(item: object, pool: list[object]) -> object:
        nonlocal seen
        seen += capsys.readouterr().out
        printed_before.append(len(seen.splitlines()))
        return real(item, pool)  # type: ignore[arg-type]

    monkeypatch.setattr(verification, "_check_claim", spy)
    assert main(["verify"]) == 0
    assert printed_before == list(range(len(claims)))


def test_verify_json(
    report: Report, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json: the report alone on stdout, machine-readable; the progress lines on stderr."""
    monkeypatch.setattr("rnnshapes.verification.verify", _replay(report))
    assert main(["verify", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["ok"] is True and data["device"] == "cpu"
    assert [c["id"] for c in data["claims"]] == list(claims)
    assert data["configs"] == report.configs and data["seconds"] == report.seconds
    assert captured.err.splitlines()[: len(claims)] == [r.line() for r in report.results]
    assert captured.err.splitlines()[-1] == f"{report.summary()}, {report.timing()}"


def test_version_names_rnnshapes_and_torch(capsys: pytest.CaptureFixture[str]) -> None:
    import rnnshapes

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert (
        capsys.readouterr().out
        == f"rnnshapes {rnnshapes.__version__} (torch {torch.__version__})\n"
    )


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
    monkeypatch.setattr("rnnshapes.verification.verify", _replay(failing))
    assert main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "output-last-step-is-h-n" in out and "FAILS" in out and "fails on " in out


def test_verify_thorough_walks_every_edge(
    report: Report, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rnnshapes.configs import default_configs, thorough_configs

    seen: dict[str, object] = {}

    def fake(device: str, configs: object, progress: object) -> Report:
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


def test_shapes_of_a_batch_of_zero_as_torch_returns_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = "shapes GRU --input-size 4 --hidden-size 5 --num-layers 2 --seq-len 7 --batch 0"
    assert main(argv.split()) == 0
    out = capsys.readouterr().out.splitlines()
    output, h_n = torch.nn.GRU(4, 5, num_layers=2)(torch.zeros(7, 0, 4))
    assert out[1].split()[0] == "output" and str(tuple(output.shape)) in out[1]
    assert out[2].split()[0] == "h_n" and str(tuple(h_n.shape)) in out[2]
    assert out[-1] == "note: a batch of zero sequences: torch returns empty tensors of these shapes"


def test_shapes_says_batch_first_does_nothing_unbatched(capsys: pytest.CaptureFixture[str]) -> None:
    argv = "shapes RNN --input-size 4 --hidden-size 5 --seq-len 7 --batch-first"
    assert main(argv.split()) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("input   (7, 4)")
    assert out[-1].startswith("note: batch_first=True has no effect on unbatched input")
    assert main([*argv.split(), "--batch", "3"]) == 0
    assert "note:" not in capsys.readouterr().out


def test_shapes_help_explains_proj_size_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["shapes", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "0, the default, means no projection" in help_text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ("shapes GRU --input-size 4 --hidden-size 5 --seq-len 7 --proj-size 2", "LSTM option"),
        ("shapes LSTM --input-size 4 --hidden-size 5 --seq-len 7 --proj-size 5", "--proj-size"),
        ("shapes LSTM --input-size 0 --hidden-size 5 --seq-len 7", "--input-size must be"),
        ("shapes LSTM --input-size 4 --hidden-size 5 --seq-len 7 --batch -1", "--batch must be"),
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
