"""``python -m riskkit``: decide, compute features or score files (Parquet, CSV, JSON Lines).

    python -m riskkit decide --bundle DIR --input applications.parquet --output decisions.parquet
    python -m riskkit features --bundle DIR --input history.parquet --output features.parquet
    python -m riskkit predict --model credit.json --input X.parquet --output scores.parquet
    python -m riskkit version

Formats follow the extensions (.parquet, .csv, .jsonl; ``-`` = stdin/stdout as JSON
Lines). ``decide`` writes what ``riskkit decide`` (the C++ CLI) writes for CSV and JSON
Lines and exits 3 when a record was rejected, 0 otherwise; errors exit 2 with a message
on stderr. The pseudonymization key comes from RISKKIT_PSEUDONYM_KEY or
RISKKIT_PSEUDONYM_KEY_FILE, never from the command line (it would show in `ps`).
"""

from __future__ import annotations

import argparse
import sys

from . import __version__, _core, io


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m riskkit", description="riskkit decisions over files.")
    commands = parser.add_subparsers(dest="command", required=True)

    decide = commands.add_parser("decide", help="decide every record of a file")
    decide.add_argument("--bundle", required=True, help="bundle directory")
    decide.add_argument("--input", required=True, help="records: .parquet, .csv, .jsonl or - (stdin)")
    decide.add_argument("--output", required=True, help="decisions: .parquet, .csv, .jsonl or - (stdout)")
    decide.add_argument("--threads", type=int, default=0, help="worker threads (0 = all cores)")
    decide.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")

    features = commands.add_parser("features", help="offline features of a history sorted by event time")
    features.add_argument("--bundle", required=True)
    features.add_argument("--input", required=True)
    features.add_argument("--output", required=True)
    features.add_argument("--keep", action="append", default=[], help="input column to copy (repeatable)")

    predict = commands.add_parser("predict", help="score a file of model inputs")
    predict.add_argument("--model", required=True)
    predict.add_argument("--input", required=True)
    predict.add_argument("--output", required=True)
    predict.add_argument("--margin", action="store_true", help="raw margin instead of the probability")
    predict.add_argument("--threads", type=int, default=0)
    predict.add_argument("--keep", action="append", default=[], help="input column to copy (repeatable)")

    commands.add_parser("version", help="print the library version")

    report = commands.add_parser("report", add_help=False,
                                 help="HTML monitoring report: report DECISIONS.jsonl --out report.html [--labels CSV]")
    report.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns the process exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "report":
            from . import report  # matplotlib is imported only when a report is asked for

            return report.main(args.rest)
        if args.command == "version":
            print(__version__)
            return 0
        if args.command == "decide":
            progress = sys.stderr.isatty() if args.progress is None else args.progress
            counts = io.decide_file(args.bundle, args.input, args.output, nthread=args.threads, progress=progress)
            print(f"riskkit decide: {counts['decided']} decided, {counts['rejected']} rejected", file=sys.stderr)
            return 3 if counts["rejected"] else 0
        if args.command == "features":
            io.features_file(args.bundle, args.input, args.output, keep=args.keep or None)
            return 0
        io.predict_file(args.model, args.input, args.output, output_kind="margin" if args.margin else "value",
                        nthread=args.threads, keep=args.keep or None)
        return 0
    except (_core.RiskkitError, OSError, ValueError) as error:
        print(f"riskkit {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
