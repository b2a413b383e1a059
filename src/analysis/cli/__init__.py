"""Command line: `python -m analysis LỆNH --help`. The commands are in `commands`, their arguments in `parser`."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from analysis.cli import commands
    from analysis.cli.parser import parse_args
    from analysis.core.lock import FolderLocked
    from analysis.core.outputs import OutputFolderError
    from analysis.core.signals import Terminated, sigterm_as_interrupt

    args = parse_args(None if argv is None else list(argv))
    try:
        if args.workspace is not None and args.func is not commands.cmd_init:
            from analysis.core import workspace

            workspace.use(args.workspace)
        with sigterm_as_interrupt():  # `kill PID` ends a run the way Ctrl+C does
            return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as exc:  # every output is written atomically, so the previous ones are intact
        how = "tín hiệu dừng (SIGTERM)" if isinstance(exc, Terminated) else "Ctrl+C"
        print(f"\nĐã dừng theo yêu cầu ({how}). Kết quả của lần chạy trước được giữ nguyên.", file=sys.stderr)
        return 130
    except (FolderLocked, OutputFolderError) as exc:  # another run on the folder; a folder that cannot be written
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 3
    except (KeyError, ValueError, FileNotFoundError) as exc:  # ParameterError is a ValueError
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"Lỗi: {message}", file=sys.stderr)
        return 2
