"""The ``rnnshapes`` command: ``verify`` the claims here, or print a module's ``shapes``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import torch

from . import __version__
from .spec import MODULES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnshapes",
        description="What PyTorch's RNN, LSTM and GRU return, checked on your torch.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"rnnshapes {__version__} (torch {torch.__version__})",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="re-check every claim on this torch and device")
    v.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.add_argument(
        "--thorough",
        action="store_true",
        help="walk every edge configuration instead of the quick seeded sample",
    )
    v.set_defaults(error=v.error)
    s = sub.add_parser("shapes", help="print the shapes a module takes and returns")
    s.add_argument("kind", type=str.upper, choices=["RNN", "LSTM", "GRU"])
    s.add_argument("--input-size", type=int, required=True)
    s.add_argument("--hidden-size", type=int, required=True)
    s.add_argument("--num-layers", type=int, default=1)
    s.add_argument("--bidirectional", action="store_true")
    s.add_argument("--batch-first", action="store_true")
    s.add_argument(
        "--proj-size",
        type=int,
        default=0,
        help="LSTM only: project each hidden state to this size; 0, the default, means no "
        "projection (h_n and output then end in hidden_size)",
    )
    s.add_argument("--seq-len", type=int, required=True)
    s.add_argument(
        "--batch",
        type=int,
        default=None,
        help="sequences in the batch (0 is allowed, as torch allows it); omit for unbatched input",
    )
    s.set_defaults(error=s.error)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (1 if a claim fails, 2 on bad usage).

    >>> main(["shapes", "gru", "--input-size", "4", "--hidden-size", "5", "--seq-len", "7"])
    input   (7, 4)  seq_len=7, input_size=4
    output  (7, 5)  seq_len=7, num_directions*hidden_size=1*5
    h_n     (1, 5)  num_layers*num_directions=1*1, hidden_size=5
    0
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "verify":
        from .configs import thorough_configs
        from .verification import ClaimResult, verify

        # each claim's line as soon as it is checked: on stdout, or on stderr under --json
        stream = sys.stderr if args.json else sys.stdout

        def show(result: ClaimResult) -> None:
            print(result.line(), file=stream, flush=True)

        try:
            configs = thorough_configs(args.device) if args.thorough else None
            report = verify(device=args.device, configs=configs, progress=show)
        except ValueError as err:
            args.error(str(err))
        if args.json:
            print(report.details().strip(), file=sys.stderr)
            print(report.to_json())
        else:
            print(report.details())
        return 0 if report.ok else 1

    from .shapes import shapes

    if args.proj_size and args.kind != "LSTM":
        args.error("--proj-size is an LSTM option")
    for flag in ("input_size", "hidden_size", "num_layers", "seq_len"):
        if getattr(args, flag) < 1:
            args.error(f"--{flag.replace('_', '-')} must be at least 1")
    if args.batch is not None and args.batch < 0:
        args.error("--batch must be at least 0 (omit it for unbatched input)")
    if args.proj_size < 0 or (args.proj_size and args.proj_size >= args.hidden_size):
        args.error("--proj-size must be between 1 and --hidden-size - 1")
    cls = MODULES[args.kind]
    extra = {"proj_size": args.proj_size} if args.proj_size else {}
    module = cls(
        args.input_size,
        args.hidden_size,
        num_layers=args.num_layers,
        bidirectional=args.bidirectional,
        batch_first=args.batch_first,
        device="meta",  # shapes need the configuration only: allocate no weights
        **extra,
    )
    print(shapes(module, args.seq_len, args.batch))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
