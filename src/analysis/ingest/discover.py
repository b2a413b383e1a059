"""The files of a raw folder: every spreadsheet-like file at any depth, and what was skipped and why.

The raw folder is untrusted: a symbolic link may point anywhere, a folder or file may be unreadable, a name may not
be valid UTF-8 (a zip made on Windows, unpacked on Linux). None of these may stop a run or reach a parser:
- a symbolic link is never followed out of the raw folder (to a file or a folder): it is skipped with a reason;
  one pointing inside is not followed either when it names a folder (its files are found where they are), and a
  file reached by a link counts once, under its real name;
- a folder that cannot be listed or entered, a file that cannot be read: skipped with a reason, the rest goes on;
- a name that is not valid UTF-8: skipped with a reason, the name shown readably (`readable_name`).
Each skipped item becomes a rejected submission (`skipped_records`), so it is listed with the other files.
Hidden files and folders (".…") and Excel lock files ("~$…") are left out without a word, as before.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from analysis.catalogue.model import Catalogue
from analysis.ingest.record import record_of
from analysis.ingest.submission import Submission

_SURROGATE_RE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Skipped:
    """A file or folder under the raw folder that is not read: its readable relative name, a code, a reason."""

    file: str
    rule: str
    reason: str


@dataclass
class Discovery:
    """What a scan of the raw folder found: the files to parse (sorted by relative name) and the skipped items."""

    paths: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def readable_name(text: str) -> str:
    """A name as os.fsdecode gave it, readable and valid UTF-8: each byte that was not UTF-8 shown as \\xNN."""
    return _SURROGATE_RE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02X}", text)


def _hidden(name: str) -> bool:
    return name.startswith((".", "~$"))


class _Scan:
    """One walk of the raw folder (an explicit stack: no recursion limit, no link followed)."""

    def __init__(self, raw_dir: Path, suffixes: tuple[str, ...]) -> None:
        self.raw_dir, self.suffixes = raw_dir, suffixes
        self.root = os.path.realpath(raw_dir)
        self.found = Discovery()
        self.linked: list[tuple[Path, str]] = []  # links to files inside: (link, real path)

    def rel(self, path: str) -> str:
        return Path(os.path.relpath(path, self.raw_dir)).as_posix()

    def skip(self, path: str, rule: str, reason: str) -> None:
        self.found.skipped.append(Skipped(readable_name(self.rel(path)), rule, reason))

    def run(self) -> Discovery:
        stack = [str(self.raw_dir)]
        while stack:
            stack.extend(self.folder(stack.pop()))
        self.add_links()
        self.found.paths.sort(key=lambda p: p.relative_to(self.raw_dir).as_posix())
        self.found.skipped.sort(key=lambda s: s.file)
        return self.found

    def folder(self, folder: str) -> list[str]:
        """The files of one folder taken in; its subfolders returned, to be walked."""
        try:
            if folder != str(self.raw_dir) and not os.access(folder, os.R_OK | os.X_OK):
                raise PermissionError(folder)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.skip(folder, "unreadable_folder", _folder_reason(exc))
            return []
        subfolders = []
        for entry in entries:
            if _hidden(entry.name):
                continue
            try:
                if entry.is_symlink():
                    self.link(entry)
                elif entry.is_dir(follow_symlinks=False):
                    subfolders.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    self.file(entry.path)
            except OSError as exc:
                self.skip(entry.path, "unreadable_file", f"Không đọc được tệp ({exc.strerror or type(exc).__name__})")
        return subfolders

    def wanted(self, path: str) -> bool:
        return Path(path).suffix.lower() in self.suffixes

    def file(self, path: str) -> None:
        if not self.wanted(path):
            return
        if _SURROGATE_RE.search(self.rel(path)):
            self.skip(path, "undecodable_name", _NAME_REASON)
        elif not os.access(path, os.R_OK):
            self.skip(path, "permission_denied", "Không có quyền đọc tệp này; hãy cấp quyền đọc rồi chạy lại")
        else:
            self.found.paths.append(Path(path))

    def link(self, entry: os.DirEntry) -> None:
        target = os.path.realpath(entry.path)
        inside = os.path.commonpath([self.root, target]) == self.root
        try:
            mode = os.stat(target).st_mode
        except OSError:
            if self.wanted(entry.path):
                self.skip(entry.path, "broken_symlink", "Liên kết tượng trưng trỏ tới tệp không tồn tại; không đọc")
            return
        if not inside:
            kind = "thư mục" if stat.S_ISDIR(mode) else "tệp"
            self.skip(
                entry.path,
                "symlink_outside",
                f"Liên kết tượng trưng trỏ tới {kind} nằm ngoài thư mục dữ liệu gốc ({readable_name(target)}); "
                f"không đọc. Hãy chép tệp thật vào thư mục dữ liệu gốc nếu cần dùng",
            )
        elif stat.S_ISREG(mode) and self.wanted(entry.path):
            self.linked.append((Path(entry.path), target))

    def add_links(self) -> None:
        """Links to files inside: taken only when the file they name is not taken already (each file once)."""
        seen = {os.path.realpath(p) for p in self.found.paths}
        for link, target in sorted(self.linked):
            if target in seen:
                continue
            seen.add(target)
            self.file(str(link))


_NAME_REASON = (
    "Tên tệp hoặc thư mục có ký tự không đọc được (không phải mã UTF-8, thường do tệp nén tạo trên Windows); "
    "hãy đổi tên tệp (chỉ dùng chữ, số, dấu gạch) hoặc giải nén lại bằng chương trình hỗ trợ UTF-8 rồi chạy lại"
)


def _folder_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "Không có quyền mở thư mục này; các tệp trong thư mục không được đọc. Hãy cấp quyền rồi chạy lại"
    return f"Không mở được thư mục này ({exc.strerror or type(exc).__name__}); các tệp trong thư mục không được đọc"


def scan(raw_dir: Path, suffixes: tuple[str, ...]) -> Discovery:
    """Every file under `raw_dir` whose suffix is one of `suffixes`, and the items skipped (see the module)."""
    return _Scan(raw_dir, tuple(s.lower() for s in suffixes)).run()


def skipped_records(skipped: Iterable[Skipped], catalogue: Catalogue) -> list[tuple[dict, bytes]]:
    """Each skipped item as the record of a rejected submission (its reason as an error), never read."""
    return [record_of(Submission(file=s.file).reject(s.reason, s.rule), catalogue) for s in skipped]
