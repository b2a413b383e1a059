"""The report at a province's scale (issue "130+ units"): time, weight and memory against the code before it.

    .venv/bin/python benchmarks/bench_scale.py --baseline eea9f8a          # ~15 min on 2 cores
    .venv/bin/python benchmarks/bench_scale.py --baseline eea9f8a --work /tmp/scale   # keep the provinces

Two provinces made by the demo generator (`bench_report.make_province`: 7 quarters of messy submissions, ingested
before any clock starts): the demo's 13 units, and 133 units (130 synthetic districts and the demo's 3 agencies).
The baseline is a git worktree of `--baseline` (made here, removed after), run with the same Python and packages
(its `src` first on PYTHONPATH, run in its folder: its notebooks and templates come with it). Every build is
`python -m analysis report` in a new process, wall time; cold builds of the baseline and of this code alternate
(`--repeat` pairs).

Measured, and the targets they are held to:
- the demo's cold build, this code / baseline (≤ 0.5);
- the 133-unit province's cold build / the baseline's demo cold build (≤ 2.5);
- a rebuild after one unit fixes its file (`bench_report.fix_one_file`) / that province's own cold build (≤ 0.2);
- the 133-unit report folder (≤ 60 MB), its largest unit page (≤ 300 KB), its comparison page (< 3 MB);
- the peak memory of the 133-unit cold build: the sum of the resident memory of the report's process tree (the
  main process, its workers and their kernels), sampled every 0.1 s (≤ 1.5 GiB).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_report import PYTHON, QUARTER, REPO, fix_one_file, make_province  # noqa: E402

TARGETS = {"demo": 0.5, "province": 2.5, "rebuild": 0.2, "folder_mb": 60, "unit_kb": 300, "compare_mb": 3}
MIB = 1024**2


def report(root: Path, out: Path, env: dict[str, str], src: Path | None = None, cold: bool = True) -> tuple[float, int]:
    """One build (wall seconds, peak resident bytes of its process tree): `cold` in a new report folder (`out`
    removed first), else a rebuild of the report in `out`; `src`: the code to run."""
    if cold:  # nothing of an earlier build: no figure cache, no unit page to keep
        shutil.rmtree(out, ignore_errors=True)
    argv = [PYTHON, "-m", "analysis", "report", "--quarter", QUARTER, "--quiet"]
    argv += ["--raw", str(root / "raw"), "--processed", str(root / "processed"), "--out", str(out)]
    run_env = {**os.environ, **env, **({"PYTHONPATH": str(src)} if src else {})}
    start = time.perf_counter()
    cwd = src.parent if src else REPO  # the project a build runs in gives its notebooks (core.workspace)
    process = subprocess.Popen(argv, cwd=cwd, env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    sampler = threading.Thread(target=_sample, args=(process, peak), daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"report failed ({process.returncode}): {err.decode(errors='replace')[-2000:]}")
    return seconds, peak[0]


def _sample(process: subprocess.Popen, peak: list[int]) -> None:
    while process.poll() is None:
        peak[0] = max(peak[0], tree_rss(process.pid))
        time.sleep(0.1)


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(parent, []).append(int(entry.name))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def province(work: Path, name: str, units: int) -> tuple[Path, dict[str, str]]:
    """The province's folder (made once; kept in `work` between runs) and the environment selecting its config."""
    root = work / name
    if not (root / "processed" / "values.parquet").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        make_province(units, root)
    return root, {"ANALYSIS_CONFIG": str(root / "config")}


def copy_for(root: Path, tag: str, env: dict[str, str], src: Path | None = None) -> Path:
    """A copy of the province for one code (neither reads the other's cache), its data brought up to date by that
    code before any clock starts (the ingest's cache names the raw folder it read)."""
    copy = root.parent / f"{root.name}-{tag}"
    if not copy.exists():
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("reports*"))
    run_env = {
        **os.environ,
        **env,
        "ANALYSIS_CONFIG": str(copy / "config"),
        **({"PYTHONPATH": str(src)} if src else {}),
    }
    argv = [PYTHON, "-m", "analysis", "ingest", "--raw", str(copy / "raw"), "--out", str(copy / "processed")]
    subprocess.run(argv, cwd=src.parent if src else REPO, env=run_env, check=True, capture_output=True)
    return copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="git commit of the code before (e.g. eea9f8a)")
    parser.add_argument("--units", type=int, default=133)
    parser.add_argument("--repeat", type=int, default=2, help="pairs of demo cold builds (baseline, this code)")
    parser.add_argument("--work", type=Path, help="folder keeping the generated provinces between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    base_tree = Path(tempfile.mkdtemp(prefix="bench-baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(base_tree), args.baseline], cwd=REPO, check=True,
                   capture_output=True)  # fmt: skip
    try:
        demo, demo_env = province(work, "demo", 13)
        big, big_env = province(work, f"units-{args.units}", args.units)
        ours_demo, base_demo = copy_for(demo, "ours", demo_env), copy_for(demo, "base", demo_env, base_tree / "src")
        ours_env, base_env = ({"ANALYSIS_CONFIG": str(copy / "config")} for copy in (ours_demo, base_demo))
        base_cold, ours_cold = [], []
        for i in range(args.repeat):
            base_cold.append(report(base_demo, base_demo / f"reports-{i}", base_env, base_tree / "src")[0])
            ours_cold.append(report(ours_demo, ours_demo / f"reports-{i}", ours_env)[0])
        big_ours = copy_for(big, "ours", big_env)
        big_env = {"ANALYSIS_CONFIG": str(big_ours / "config")}
        big_cold, peak = report(big_ours, big_ours / "reports", big_env)
        folder = big_ours / "reports" / QUARTER
        sizes = {
            "folder": folder_bytes(folder),
            "unit": max(p.stat().st_size for p in (folder / "don-vi").glob("*.html")),
            "compare": (folder / "so-sanh-don-vi.html").stat().st_size,
            "archive": sum(p.stat().st_size for p in folder.glob("*.zip")),
        }
        fix_one_file(ours_demo / "raw", bump=1)
        demo_fixed = report(ours_demo, ours_demo / f"reports-{args.repeat - 1}", ours_env, cold=False)[0]
        fix_one_file(big_ours / "raw", bump=1)
        big_fixed = report(big_ours, big_ours / "reports", big_env, cold=False)[0]
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=REPO, capture_output=True)
    base, ours = statistics.median(base_cold), statistics.median(ours_cold)
    rows = [
        ("demo (13 units), cold", f"{ours:.1f} s", f"{ours / base:.2f}× baseline ({base:.1f} s)", TARGETS["demo"]),
        (f"{args.units} units, cold", f"{big_cold:.1f} s", f"{big_cold / base:.2f}× baseline", TARGETS["province"]),
        ("demo, one file fixed", f"{demo_fixed:.1f} s", f"{demo_fixed / ours:.2f}× own cold", TARGETS["rebuild"]),
        (f"{args.units} units, one file fixed", f"{big_fixed:.1f} s", f"{big_fixed / big_cold:.2f}× own cold",
         TARGETS["rebuild"]),
        (f"{args.units} units, report folder", f"{sizes['folder'] / MIB:.1f} MB", "", f"≤ {TARGETS['folder_mb']} MB"),
        ("largest unit page", f"{sizes['unit'] / 1024:.0f} KB", "", f"≤ {TARGETS['unit_kb']} KB"),
        ("comparison page", f"{sizes['compare'] / MIB:.2f} MB", "", f"< {TARGETS['compare_mb']} MB"),
        ("archive for leaders", f"{sizes['archive'] / MIB:.1f} MB", "", ""),
        (f"{args.units} units, peak memory", f"{peak / MIB:.0f} MiB", "", "≤ 1536 MiB"),
    ]  # fmt: skip
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; baseline {args.baseline}")
    print(f"baseline demo cold: {', '.join(f'{s:.1f}' for s in base_cold)} s; ours: "
          f"{', '.join(f'{s:.1f}' for s in ours_cold)} s")  # fmt: skip
    print("| measure | this code | ratio | target |\n|---|---:|---:|---:|")
    for name, value, ratio, target in rows:
        target_text = f"≤ {target}×" if isinstance(target, float) else target
        print(f"| {name} | {value} | {ratio} | {target_text} |")


if __name__ == "__main__":
    main()
