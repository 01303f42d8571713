"""Measure generation speed: asyncapi-gen against datamodel-codegen on the same documents.

For connectx and the synthetic 1x/4x/16x documents, each tool runs in a new process (one warm-up,
then the median of N runs) and reports wall time and peak memory (ru_maxrss of that child).
It then shows where asyncapi-gen spends its time: stage timings from `-vv` at every size, a
cProfile of the largest size grouped by module, and functions whose time grows faster than
the document.

    python benchmarks/bench_generate.py            # full run: connectx, 1x, 4x, 16x
    python benchmarks/bench_generate.py --quick    # 3 runs, connectx, 1x and 4x
    python benchmarks/bench_generate.py --update-docs   # also rewrite docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib.metadata
import json
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import make_specs
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work"
CONNECTX = REPO / "specs" / "connectx.yaml"
DOCS = REPO / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- generation-speed:begin (written by benchmarks/bench_generate.py) -->"
DOC_END = "<!-- generation-speed:end -->"

OURS = "asyncapi-gen"
THEIRS = "datamodel-codegen"
STAGE_FUNCTIONS = (
    "load_document",
    "resolve_document",
    "build_ir",
    "emit_package",
    "write_package",
)
STAGE_LINE = re.compile(r"stage ([^:]+): ([0-9.]+)")

# Targets of the issue: connectx under 0.25 s, at most half of the peer, 16x within 18x of 1x.
TARGET_CONNECTX_S = 0.25
TARGET_RATIO = 0.5
TARGET_LINEARITY = 18.0


@dataclass(frozen=True)
class Case:
    """One input document as both tools see it."""

    name: str
    spec: Path
    channels: int
    schemas: int
    files: int = 1
    size: int | None = None  # the synthetic size, None for real documents


@dataclass
class Sample:
    """Measurements of one tool on one case."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    failure: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def peak_mib(self) -> float:
        return max(self.maxrss_kib) / 1024


@dataclass(frozen=True)
class Run:
    """The outcome of one child process."""

    wall: float
    cpu: float
    maxrss_kib: int
    status: int
    stderr: str


# ---------------------------------------------------------------- processes


def tool_path(name: str) -> str:
    """Return the executable of `name`, preferring the virtualenv running this script."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name!r} not found beside {sys.executable} or on PATH"
        )
    return found


# Linux keeps a process's peak RSS (ru_maxrss) across exec, so a child spawned straight from
# this process, which holds the large documents and profiles, would report at least this
# process's size. A small launcher (a fresh interpreter) spawns, waits for and times the tool,
# so the tool's figure starts from the launcher's few MiB instead.
LAUNCHER = """
import json, os, signal, sys, threading, time
result, timeout, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
started = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ)
killer = threading.Timer(timeout, os.kill, (pid, signal.SIGKILL)) if timeout else None
if killer:
    killer.start()
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
if killer:
    killer.cancel()
cpu = usage.ru_utime + usage.ru_stime
code = os.waitstatus_to_exitcode(status)
with open(result, "w") as out:
    json.dump([wall, cpu, usage.ru_maxrss, code], out)
"""


def run_child(
    argv: Sequence[str],
    log: Path,
    cache: Path | None = None,
    timeout: float | None = None,
) -> Run:
    """Run one child with stdout discarded and stderr in `log`; measure it with wait4.

    `cache` becomes the child's XDG_CACHE_HOME (asyncapi-gen keeps black results and compiled
    templates there); a child still running after `timeout` seconds is killed (status -9).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    result = log.with_suffix(".json")
    result.unlink(missing_ok=True)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (
            os.POSIX_SPAWN_OPEN,
            2,
            str(log),
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
            0o644,
        ),
    ]
    launcher = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        LAUNCHER,
        str(result),
        str(timeout or 0),
    ]
    pid = os.posix_spawn(sys.executable, [*launcher, *argv], env, file_actions=actions)
    os.waitpid(pid, 0)
    wall, cpu, maxrss_kib, status = json.loads(result.read_text(encoding="utf-8"))
    return Run(
        wall=wall,
        cpu=cpu,
        maxrss_kib=maxrss_kib,
        status=status,
        stderr=log.read_text(encoding="utf-8", errors="replace"),
    )


def ours_argv(spec: Path, out: Path, *extra: str) -> list[str]:
    # A folder the tool creates itself: it declines to write into one it did not create.
    return [tool_path(OURS), str(spec), "-o", str(out / "generated"), *extra]


def theirs_argv(spec: Path, out: Path) -> list[str]:
    return [
        tool_path(THEIRS),
        "--input",
        str(spec),
        "--input-file-type",
        "asyncapi",
        "--output-model-type",
        "dataclasses.dataclass",
        "--output",
        str(out / "models.py"),
    ]


@dataclass(frozen=True)
class Mode:
    """One way of running a tool: its label in the tables, argv maker and cache policy."""

    label: str
    tool: str
    argv: Callable[[Path, Path], list[str]]
    # True: one cache shared by the warm-up and the timed runs; False: an empty one per run.
    warm_cache: bool = False


OURS_COLD = Mode(OURS, OURS, ours_argv)
OURS_WARM = Mode(f"{OURS} (warm cache)", OURS, ours_argv, warm_cache=True)
THEIRS_COLD = Mode(THEIRS, THEIRS, theirs_argv)


def fresh_dir(path: Path) -> Path:
    """Return `path` emptied, so every run writes its whole output anew."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def cache_for(mode: Mode, case: Case) -> Path:
    """Return the cache folder of one run: shared for a warm cache, else new and empty."""
    folder = WORK / "cache" / slug(mode.label) / case.name
    return folder if mode.warm_cache else fresh_dir(folder)


def measure_once(mode: Mode, case: Case, run: int, timeout: float | None) -> Run:
    out = fresh_dir(WORK / "out" / slug(mode.label) / case.name)
    log = WORK / "logs" / f"{slug(mode.label)}-{case.name}-{run}.log"
    return run_child(mode.argv(case.spec, out), log, cache_for(mode, case), timeout)


def warm_up(mode: Mode, case: Case, timeout: float | None) -> str | None:
    """Run a mode once untimed; return why it cannot be measured, or None."""
    if mode.warm_cache:
        fresh_dir(WORK / "cache" / slug(mode.label) / case.name)
    try:
        warm = measure_once(mode, case, 0, timeout)
    except FileNotFoundError as error:
        return str(error)
    if warm.status == -signal.SIGKILL and timeout and warm.wall >= timeout:
        return f"timed out after {timeout:g} s"
    if warm.status != 0:
        tail = " | ".join(warm.stderr.strip().splitlines()[-3:])
        return f"exit {warm.status}: {tail[:300]}"
    return None


def measure_case(
    case: Case, modes: Sequence[Mode], runs: int, timeout: float | None
) -> dict[str, Sample]:
    """Warm up each mode once, then alternate the modes' order over `runs` timed runs."""
    samples = {mode.label: Sample() for mode in modes}
    timed_out: set[str] = set()
    for mode in modes:
        if mode.tool in timed_out:
            # Another mode of the tool timed out on its warm-up, which was as cold as this one's.
            samples[mode.label].failure = "timed out (with its other mode)"
            continue
        samples[mode.label].failure = warm_up(mode, case, timeout)
        if (samples[mode.label].failure or "").startswith("timed out"):
            timed_out.add(mode.tool)
    live = [mode for mode in modes if samples[mode.label].failure is None]
    for run in range(1, runs + 1):
        # Alternate which mode goes first so drift in machine load falls on all alike.
        for mode in live if run % 2 else live[::-1]:
            result = measure_once(mode, case, run, timeout)
            sample = samples[mode.label]
            if result.status != 0:
                sample.failure = f"run {run}: exit {result.status}"
            sample.wall.append(result.wall)
            sample.cpu.append(result.cpu)
            sample.maxrss_kib.append(result.maxrss_kib)
    return samples


# ---------------------------------------------------------------- where the time goes


def cold_cache(case: Case) -> Path:
    return fresh_dir(WORK / "cache" / "analysis" / case.name)


def stage_timings(case: Case, runs: int, timeout: float | None) -> dict[str, float]:
    """Return the median seconds per stage from `-vv` DEBUG lines `stage <name>: <seconds>`."""
    seen: dict[str, list[float]] = defaultdict(list)
    for run in range(runs):
        out = fresh_dir(WORK / "out" / "stages" / case.name)
        log = WORK / "logs" / f"stages-{case.name}-{run}.log"
        argv = ours_argv(case.spec, out, "-vv")
        result = run_child(argv, log, cold_cache(case), timeout)
        if result.status != 0:
            return {}
        for match in STAGE_LINE.finditer(result.stderr):
            seen[match.group(1)].append(float(match.group(2)))
        seen["(whole process)"].append(result.wall)
    return {name: statistics.median(values) for name, values in seen.items()}


def profile_case(case: Case, timeout: float | None) -> pstats.Stats | None:
    """Run asyncapi-gen under cProfile in a child and return its statistics."""
    out = fresh_dir(WORK / "out" / "profile" / case.name)
    target = WORK / "profiles" / f"{case.name}.prof"
    target.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(target),
        *ours_argv(case.spec, out),
    ]
    log = WORK / "logs" / f"profile-{case.name}.log"
    result = run_child(argv, log, cold_cache(case), timeout)
    if result.status != 0 or not target.is_file():
        return None
    return pstats.Stats(str(target))


FuncKey = tuple[str, int, str]


def module_group(func: FuncKey) -> str | None:
    """Return the group a function's own time counts for, or None to pass it to its callers."""
    filename = func[0].replace("\\", "/")
    if filename == "~" or filename.startswith(("<frozen", "<string>")):
        return None
    if "/lib/python" in filename and "site-packages" not in filename:
        return None
    if "/asyncapi_gen/" in filename:
        tail = filename.split("/asyncapi_gen/", 1)[1]
        return "asyncapi_gen." + tail.split("/", 1)[0].removesuffix(".py")
    if filename.endswith(".jinja") or "/templates/" in filename:
        return "templates (jinja code)"
    if "site-packages/" in filename:
        top = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        return {"blib2to3": "black", "_black_version.py": "black"}.get(
            top, top.removesuffix(".py")
        )
    return "other"


def group_self_time(stats: pstats.Stats) -> dict[str, float]:
    """Return self time per module group; builtins and stdlib count for whoever called them."""
    raw = stats.stats  # type: ignore[attr-defined]
    memo: dict[FuncKey, dict[str, float]] = {}

    def shares(func: FuncKey, path: frozenset[FuncKey]) -> dict[str, float]:
        group = module_group(func)
        if group is not None:
            return {group: 1.0}
        if func in memo:
            return memo[func]
        callers = raw[func][4]
        total = sum(entry[2] for entry in callers.values())
        if not callers or total <= 0 or func in path:
            return {"python (interpreter, stdlib)": 1.0}
        result: dict[str, float] = defaultdict(float)
        for caller, entry in callers.items():
            for name, part in shares(caller, path | {func}).items():
                result[name] += part * entry[2] / total
        memo[func] = dict(result)
        return memo[func]

    groups: dict[str, float] = defaultdict(float)
    for func, (_, _, tottime, _, _) in raw.items():
        for name, part in shares(func, frozenset()).items():
            groups[name] += tottime * part
    return dict(groups)


def stage_cumulative(stats: pstats.Stats) -> dict[str, float]:
    """Return the inclusive time of each stage's public function found in the profile."""
    raw = stats.stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for (filename, _, name), entry in raw.items():
        if name in STAGE_FUNCTIONS and "asyncapi_gen" in filename:
            found[name] = max(found.get(name, 0.0), entry[3])
    return found


def describe(func: FuncKey) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    if "/asyncapi_gen/" in filename:
        filename = "asyncapi_gen/" + filename.split("/asyncapi_gen/", 1)[1]
    elif "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    else:
        filename = Path(filename).name
    return f"{filename}:{line}({name})"


def main_caller(stats: pstats.Stats, func: FuncKey) -> str:
    """Return our function that spends most time calling `func`, walking up through others.

    Without one of ours on the way up, return the first caller outside Python itself.
    """
    raw = stats.stats  # type: ignore[attr-defined]
    current, seen, fallback = func, {func}, "-"
    while True:
        callers = raw.get(current, (0, 0, 0, 0, {}))[4]
        if not callers:
            return fallback
        current = max(callers, key=lambda caller: callers[caller][3])
        if "/asyncapi_gen/" in current[0]:
            return describe(current)
        if current in seen:
            return fallback
        if fallback == "-" and module_group(current) is not None:
            fallback = describe(current)
        seen.add(current)


@dataclass(frozen=True)
class Growth:
    """How one function's profile changed from the smaller to the larger document."""

    func: FuncKey
    small_time: float
    large_time: float
    small_calls: int
    large_calls: int
    caller: str

    @property
    def time_ratio(self) -> float:
        return self.large_time / self.small_time if self.small_time else float("inf")

    @property
    def call_ratio(self) -> float:
        return self.large_calls / self.small_calls if self.small_calls else float("inf")


def superlinear(small: pstats.Stats, large: pstats.Stats, scale: float) -> list[Growth]:
    """Return functions with at least 1% of the large run whose time grows 1.4x faster than size."""
    small_raw = small.stats  # type: ignore[attr-defined]
    large_raw = large.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in large_raw.values())
    found = []
    for func, entry in large_raw.items():
        before = small_raw.get(func)
        if entry[2] < 0.01 * total or before is None:
            continue
        growth = Growth(
            func, before[2], entry[2], before[1], entry[1], main_caller(large, func)
        )
        if growth.time_ratio > 1.4 * scale:
            found.append(growth)
    return sorted(found, key=lambda g: g.large_time, reverse=True)


def import_times(case: Case) -> list[tuple[str, float]]:
    """Return the top-level packages imported by one run, by cumulative import seconds."""
    out = fresh_dir(WORK / "out" / "imports" / case.name)
    argv = [sys.executable, "-X", "importtime", *ours_argv(case.spec, out)]
    log = WORK / "logs" / f"imports-{case.name}.log"
    result = run_child(argv, log, cold_cache(case))
    totals: dict[str, float] = defaultdict(float)
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if (
            not line.startswith("import time:")
            or len(parts) != 3
            or not parts[1].strip().isdigit()
        ):
            continue
        name = parts[2]
        if name.startswith(" ") and not name.startswith("  "):
            totals[name.strip().split(".")[0]] += int(parts[1]) / 1e6
    return sorted(totals.items(), key=lambda item: item[1], reverse=True)


# ---------------------------------------------------------------- report


def environment() -> list[str]:
    """Return lines naming the machine, Python and tool versions of this run."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for package in ("asyncapi-gen", "datamodel-code-generator", "black"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"commit {source_revision()}",
        f"machine: {cpu}, {os.cpu_count()} cores, load average {load}",
        f"python {platform.python_version()}; " + "; ".join(versions),
    ]


def source_revision() -> str:
    """Return the checked-out commit, marked when the working tree has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "asyncapi_gen",
                "templates",
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head or 'unknown'}{' with uncommitted changes' if dirty else ''}"


def fmt_seconds(sample: Sample | None) -> str:
    if sample is None:
        return "-"
    if sample.failure is not None:
        return sample.failure.split(":")[0].split(" after")[0]
    return f"{sample.median:.3f}"


def fmt_mib(sample: Sample | None) -> str:
    if sample is None or sample.failure is not None:
        return "-"
    return f"{sample.peak_mib:.0f}"


def ratio(
    ours: Sample | None, theirs: Sample | None, pick: Callable[[Sample], float]
) -> str:
    if ours is None or theirs is None or ours.failure or theirs.failure:
        return "-"
    return f"{pick(ours) / pick(theirs):.2f}"


def results_table(
    cases: Sequence[Case], results: dict[str, dict[str, Sample]]
) -> list[list[str]]:
    rows = [
        [
            "document",
            "channels",
            "schemas",
            "files",
            f"{OURS} s",
            "with warm cache s",
            f"{THEIRS} s",
            "time ours/theirs",
            f"{OURS} MiB",
            f"{THEIRS} MiB",
            "memory ours/theirs",
        ]
    ]
    for case in cases:
        ours, theirs = results[case.name].get(OURS), results[case.name].get(THEIRS)
        rows.append(
            [
                case.name,
                str(case.channels),
                str(case.schemas),
                str(case.files),
                fmt_seconds(ours),
                fmt_seconds(results[case.name].get(OURS_WARM.label)),
                fmt_seconds(theirs),
                ratio(ours, theirs, lambda s: s.median),
                fmt_mib(ours),
                fmt_mib(theirs),
                ratio(ours, theirs, lambda s: s.peak_mib),
            ]
        )
    return rows


def cpu_table(
    cases: Sequence[Case], results: dict[str, dict[str, Sample]]
) -> list[list[str]]:
    """Return median CPU seconds (user + system) per child: less sensitive to machine load."""
    labels = [OURS, OURS_WARM.label, THEIRS]
    rows = [["document", *(f"{label} cpu s" for label in labels), "cpu ours/theirs"]]
    for case in cases:
        found = [results[case.name].get(label) for label in labels]
        cells = [
            f"{sample.median_cpu:.3f}" if sample and sample.cpu else "-"
            for sample in found
        ]
        rows.append(
            [case.name, *cells, ratio(found[0], found[2], lambda s: s.median_cpu)]
        )
    return rows


def linearity(
    cases: Sequence[Case], results: dict[str, dict[str, Sample]], labels: Sequence[str]
) -> list[list[str]]:
    """Return rows of each mode's time at every synthetic size divided by its 1x time."""
    sizes = [case for case in cases if case.size is not None]
    rows = [["tool", *(f"{case.name} / {sizes[0].name}" for case in sizes[1:])]]
    for label in labels:
        row = [label]
        for case in sizes[1:]:
            one = results[sizes[0].name].get(label)
            many = results[case.name].get(label)
            row.append(ratio(many, one, lambda s: s.median))
        rows.append(row)
    return rows


def targets(
    cases: Sequence[Case], results: dict[str, dict[str, Sample]]
) -> list[list[str]]:
    """Return one row per target of the issue: what was measured and whether it is met."""
    rows = [["target", "measured", "met"]]
    connectx = results.get("connectx", {}).get(OURS)
    if connectx and not connectx.failure:
        rows.append(
            [
                f"connectx median < {TARGET_CONNECTX_S} s",
                f"{connectx.median:.3f} s",
                yes(connectx.median < TARGET_CONNECTX_S),
            ]
        )
    for case in cases:
        ours, theirs = results[case.name].get(OURS), results[case.name].get(THEIRS)
        if ours and theirs and not ours.failure and not theirs.failure:
            value = ours.median / theirs.median
            rows.append(
                [
                    f"{case.name}: ours/theirs <= {TARGET_RATIO}",
                    f"{value:.2f}",
                    yes(value <= TARGET_RATIO),
                ]
            )
    one, big = results.get("1x", {}).get(OURS), results.get("16x", {}).get(OURS)
    if one and big and not one.failure and not big.failure:
        value = big.median / one.median
        rows.append(
            [
                f"16x / 1x <= {TARGET_LINEARITY:g}",
                f"{value:.1f}",
                yes(value <= TARGET_LINEARITY),
            ]
        )
    return rows


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def render(rows: list[list[str]], markdown: bool) -> str:
    """Render rows as a markdown table or as aligned plain text."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("| " + " | ".join(cells) + " |" if markdown else "  ".join(cells))
        if index == 0:
            rule = [
                "-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)
            ]
            lines.append(
                "| " + " | ".join(rule) + " |"
                if markdown
                else "  ".join("-" * w for w in widths)
            )
    return "\n".join(lines)


@dataclass
class Report:
    """Everything one run found, ready to print or to write as markdown."""

    command: str
    environment: list[str]
    runs: int
    variant_note: str
    cases: list[Case]
    tools: list[str]
    results: dict[str, dict[str, Sample]]
    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    groups: dict[str, float] = field(default_factory=dict)
    stage_totals: dict[str, float] = field(default_factory=dict)
    profiled: str = ""
    growth: list[Growth] = field(default_factory=list)
    growth_sizes: tuple[str, str] = ("", "")
    growth_scale: float = 0.0
    imports: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def sections(self, markdown: bool) -> list[tuple[str, str]]:
        """Return (heading, body) pairs in reading order."""
        found = [
            ("Cold runs", render(results_table(self.cases, self.results), markdown)),
            (
                "CPU time of the same runs (median)",
                render(cpu_table(self.cases, self.results), markdown),
            ),
            (
                "Linearity (median time at each size / 1x)",
                render(linearity(self.cases, self.results, self.tools), markdown),
            ),
            ("Targets", render(targets(self.cases, self.results), markdown)),
        ]
        if self.stages:
            found.append(
                (
                    f"{OURS} stages from -vv (median seconds)",
                    render(self.stage_rows(), markdown),
                )
            )
        if self.groups:
            found.append(
                (
                    f"Where the time goes at {self.profiled} (cProfile)",
                    self.profile_text(markdown),
                )
            )
        if self.imports:
            rows = [
                ["package", "import s"],
                *([name, f"{sec:.3f}"] for name, sec in self.imports[:8]),
            ]
            found.append(
                (
                    "Imports of one connectx run (-X importtime, top-level packages)",
                    render(rows, markdown),
                )
            )
        return found

    def stage_rows(self) -> list[list[str]]:
        names = list(
            dict.fromkeys(name for values in self.stages.values() for name in values)
        )
        sizes = list(self.stages)
        rows = [["stage", *sizes]]
        if len(sizes) > 1 and sizes[0] == "1x":
            rows[0].append(f"{sizes[-1]} / 1x")
        for name in names:
            row = [
                name,
                *(f"{self.stages[s].get(name, float('nan')):.3f}" for s in sizes),
            ]
            if len(rows[0]) > len(sizes) + 1:
                first, last = self.stages[sizes[0]].get(name), self.stages[
                    sizes[-1]
                ].get(name)
                row.append(f"{last / first:.1f}" if first and last else "-")
            rows.append(row)
        return rows

    def profile_text(self, markdown: bool) -> str:
        total = sum(self.groups.values())
        rows = [
            [
                "module group (self time, builtins and stdlib folded into callers)",
                "s",
                "share",
            ]
        ]
        for name, seconds in sorted(
            self.groups.items(), key=lambda item: item[1], reverse=True
        )[:12]:
            rows.append([name, f"{seconds:.3f}", f"{100 * seconds / total:.1f}%"])
        parts = [render(rows, markdown)]
        if self.stage_totals:
            stage_rows = [["stage function (inclusive)", "s", "share"]]
            for name in STAGE_FUNCTIONS:
                if name in self.stage_totals:
                    value = self.stage_totals[name]
                    stage_rows.append(
                        [name, f"{value:.3f}", f"{100 * value / total:.1f}%"]
                    )
            parts.append(render(stage_rows, markdown))
        small, large = self.growth_sizes
        if self.growth:
            rows = [
                [
                    "function",
                    f"{small} s",
                    f"{large} s",
                    "time x",
                    "calls x",
                    "reached from",
                ]
            ]
            for g in self.growth[:12]:
                rows.append(
                    [
                        describe(g.func),
                        f"{g.small_time:.3f}",
                        f"{g.large_time:.3f}",
                        f"{g.time_ratio:.1f}",
                        f"{g.call_ratio:.1f}",
                        g.caller,
                    ]
                )
            head = f"Functions whose self time grows faster than the document ({small} -> {large}, size x{self.growth_scale:g}):"
            parts.append(head + "\n\n" + render(rows, markdown))
        elif small:
            parts.append(
                f"No function with 1% or more of the time grows faster than 1.4x the document ({small} -> {large})."
            )
        return "\n\n".join(parts)

    def text(self) -> str:
        parts = [
            *self.environment,
            f"runs: {self.runs} timed runs per tool after one warm-up; {self.variant_note}",
            "",
        ]
        for heading, body in self.sections(markdown=False):
            parts += [heading, body, ""]
        parts += self.notes
        return "\n".join(parts)

    def markdown(self) -> str:
        parts = [
            DOC_BEGIN,
            "",
            "Command (from the repository root, in the virtualenv):",
            "",
            "```sh",
            self.command,
            "```",
            "",
            *(f"- {line}" for line in self.environment),
            f"- {self.runs} timed runs per tool after one warm-up; figures are medians of wall time; "
            "memory is the largest peak resident set (ru_maxrss) of the child",
            f"- {self.variant_note}",
            "",
        ]
        for heading, body in self.sections(markdown=True):
            parts += [f"#### {heading}", "", body, ""]
        parts += [f"- {note}" for note in self.notes]
        parts += ["", DOC_END]
        return "\n".join(parts)


def update_docs(fragment: str) -> None:
    """Replace the generated block in docs/benchmarks.md, adding the section if it is missing."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else "# Benchmarks\n"
    if DOC_BEGIN in text and DOC_END in text:
        head, rest = text.split(DOC_BEGIN, 1)
        tail = rest.split(DOC_END, 1)[1]
        text = head + fragment + tail
    else:
        text = text.rstrip("\n") + "\n\n## Generation speed\n\n" + fragment + "\n"
    DOCS.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- main


def make_cases(sizes: Sequence[int], variant: str) -> list[Case]:
    """Write the synthetic documents and return connectx followed by each size."""
    connectx = yaml.safe_load(CONNECTX.read_text(encoding="utf-8"))
    schemas = len(connectx.get("components", {}).get("schemas", {}))
    cases = [Case("connectx", CONNECTX, len(connectx["channels"]), schemas)]
    for size in sizes:
        written = make_specs.write_specs(WORK / "specs", size)
        spec = written.bundled if variant == "bundled" else written.multi_root
        files = 1 if variant == "bundled" else written.files
        cases.append(
            Case(f"{size}x", spec, written.channels, written.schemas, files, size)
        )
    return cases


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs; connectx, 1x, 4x")
    parser.add_argument(
        "--runs", type=int, help="timed runs per tool and size (default 5)"
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="synthetic sizes (1 4 16)")
    parser.add_argument(
        "--variant",
        choices=("multi", "bundled"),
        default="multi",
        help="synthetic layout both tools read: many files (default) or one bundled file",
    )
    parser.add_argument(
        "--tools", nargs="+", choices=(OURS, THEIRS), default=[OURS, THEIRS]
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        help="kill a run after this many seconds; a tool that times out skips larger sizes",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="skip where the time goes"
    )
    parser.add_argument(
        "--markdown", type=Path, help="also write the results as markdown"
    )
    parser.add_argument(
        "--from-json",
        type=Path,
        help="render a previous run's results.json (as saved) instead of measuring",
    )
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help="rewrite the block in docs/benchmarks.md",
    )
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 5)
    args.sizes = args.sizes or ([1, 4] if args.quick else [1, 4, 16])
    return args


def where_the_time_goes(
    report: Report, cases: list[Case], runs: int, timeout: float | None
) -> None:
    """Fill the report with stage timings, a grouped profile and the fastest-growing functions."""
    synthetic = [
        case
        for case in cases
        if case.size is not None and not report.results[case.name][OURS].failure
    ]
    for case in synthetic:
        # Three runs for the median, one when a single run already takes long.
        slow = report.results[case.name][OURS].median > 20
        stages = stage_timings(case, 1 if slow else min(runs, 3), timeout)
        if stages:
            report.stages[case.name] = stages
    if not synthetic:
        return
    largest = synthetic[-1]
    large = profile_case(largest, timeout)
    if large is None:
        report.notes.append(f"profiling {largest.name} failed; see {WORK / 'logs'}")
        return
    report.profiled = largest.name
    report.groups = group_self_time(large)
    report.stage_totals = stage_cumulative(large)
    if len(synthetic) > 1:
        smaller = synthetic[-2]
        small = profile_case(smaller, timeout)
        if small is not None:
            scale = (largest.size or 1) / (smaller.size or 1)
            report.growth = superlinear(small, large, scale)
            report.growth_sizes = (smaller.name, largest.name)
            report.growth_scale = scale


def save_samples(report: Report) -> None:
    """Keep every run's raw figures in benchmarks/_work/results.json for a later look."""
    raw = {
        case: {label: dataclasses.asdict(sample) for label, sample in samples.items()}
        for case, samples in report.results.items()
    }
    document = {"environment": report.environment, "results": raw}
    (WORK / "results.json").write_text(json.dumps(document, indent=1), encoding="utf-8")


def load_samples(report: Report, path: Path) -> None:
    """Fill the report with the samples and environment a previous run saved."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    report.environment = list(saved["environment"])
    for case, samples in saved["results"].items():
        report.results[case] = {label: Sample(**raw) for label, raw in samples.items()}
        for label, sample in report.results[case].items():
            if sample.failure and not sample.failure.startswith("skipped"):
                report.notes.append(f"{label} on {case}: {sample.failure}")


def make_modes(tools: Sequence[str]) -> list[Mode]:
    chosen = [OURS_COLD, OURS_WARM] if OURS in tools else []
    return chosen + ([THEIRS_COLD] if THEIRS in tools else [])


def measure_all(report: Report, modes: list[Mode], runs: int, timeout: float) -> None:
    """Measure every case; a mode that timed out is skipped at the larger sizes."""
    skipped: dict[str, str] = {}
    for case in report.cases:
        print(f"measuring {case.name} ...", file=sys.stderr, flush=True)
        live = [mode for mode in modes if mode.label not in skipped]
        results = measure_case(case, live, runs, timeout)
        for label, reason in skipped.items():
            results[label] = Sample(failure=f"skipped: {reason}")
        for label, sample in results.items():
            if sample.failure and label not in skipped:
                report.notes.append(f"{label} on {case.name}: {sample.failure}")
                if sample.failure.startswith("timed out") and case.size is not None:
                    skipped[label] = f"timed out at {case.name}"
        report.results[case.name] = results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    shown = sys.argv[1:] if argv is None else list(argv)
    command = " ".join(["python benchmarks/bench_generate.py", *shown])
    cases = make_cases(args.sizes, args.variant)
    layout = "one bundled file" if args.variant == "bundled" else "a tree of files"
    note = (
        f"synthetic documents read by both tools as {layout} "
        f"({THEIRS} reads multi-file AsyncAPI input directly); "
        f"{OURS} runs with an empty cache (XDG_CACHE_HOME) each time, and again with the "
        "cache its warm-up filled"
    )
    modes = make_modes(args.tools)
    labels = [mode.label for mode in modes]
    report = Report(command, environment(), args.runs, note, cases, labels, {})
    if args.from_json:
        load_samples(report, args.from_json)
    else:
        measure_all(report, modes, args.runs, args.timeout)
        save_samples(report)
    ours_works = OURS in args.tools and not report.results["connectx"][OURS].failure
    if ours_works and not args.no_profile and not args.from_json:
        print("profiling ...", file=sys.stderr, flush=True)
        where_the_time_goes(report, cases, args.runs, args.timeout)
        report.imports = import_times(cases[0])
    if not args.from_json:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        report.environment[1] += f" (at end {load})"
    print(report.text())
    if args.markdown:
        args.markdown.write_text(report.markdown() + "\n", encoding="utf-8")
    if args.update_docs:
        update_docs(report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
