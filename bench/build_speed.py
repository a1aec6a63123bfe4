"""Build speed at scale: synthetic archives of 1k, 10k and 100k claims, built stage by stage,
side by side with Hugo rendering the same number of claim pages.

For each size it generates the archive (`bench/synthetic.py`), builds it in a child process
(so peak memory is that build's alone) and prints the wall time of each build stage as
`hindsight build` reports it (`BuildResult.stages`), the peak memory of the build's processes
together (sampled; see `TreeMemory`), and the size of the site: pages, exports, search index. Then it writes the
same claims as Markdown with front matter for Hugo, with a template of the same shape (head,
navigation, the claim's facts, outcome and context, speaker/question/year list pages) and
times `hugo` on it, and prints pages per second for both and their ratio.

    python bench/build_speed.py                    # 1k and 10k, with search
    python bench/build_speed.py --sizes 100k --search off
    python bench/build_speed.py --sizes 1k --incremental   # also time one-sheet rebuilds, command and serve
    python bench/build_speed.py --sizes 100k --search on --artifact --prose varied --no-hugo

Hugo is Debian's `hugo` package; when it is missing the comparison is skipped and the
bench says so. Figures vary with the machine's load: the bench prints `uptime` first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import synthetic  # noqa: E402

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
STAGES = ("load", "validate", "link", "plan", "render", "export", "write", "index", "swap", "similar")

# Runs in the child: one build, then its stages, counts and peak memory as JSON on stdout.
CHILD = """
import json, resource, sys
from pathlib import Path
from generator.build import BuildOptions, build
extra = {"incremental": True} if sys.argv[3] == "on" else {}
options = BuildOptions(content=Path("content"), output=Path(sys.argv[1]), search=sys.argv[2] == "on",
                       extract=False, **extra)
result = build(options)
if not result.built:
    print("\\n".join(p.message for p in result.problems[:10]), file=sys.stderr)
    sys.exit(1)
print(json.dumps({"stages": result.stages, "pages": result.pages, "files": result.files,
                  "size": result.size, "seconds": result.seconds, "rendered": getattr(result, "rendered", result.pages),
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


# Runs in the child: the live preview's loop (`hindsight serve`: one process, a Memory of the last
# build). Its first build reads back what the command line's builds kept; then each edit named on
# the command line is made and the site rebuilt, one JSON line per rebuild. Last, the record is
# written as the preview writes it when idle, and how long that took.
PREVIEW = """
import json, sys, time
from pathlib import Path
from build_speed import change_one_sheet
from generator.build import BuildOptions, build
from generator.incremental.preview import PreviewState, write_remembered_record
options = BuildOptions(content=Path("content"), output=Path(sys.argv[1]), search=sys.argv[2] == "on",
                       extract=False, incremental=True, processes=1)
memory = PreviewState()
build(options, memory)
for edit in sys.argv[3:]:
    sheet = change_one_sheet(Path("."), edit)
    result = build(options, memory)
    print(json.dumps({"edit": edit, "sheet": str(sheet), "seconds": result.seconds, "stages": result.stages,
                      "rendered": result.rendered, "pages": result.pages}))
started = time.perf_counter()
print(json.dumps({"record written": write_remembered_record(options.output, memory),
                  "seconds": time.perf_counter() - started}))
"""


def run_preview(archive: Path, search: bool, edits: list[str]) -> list[dict]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join((str(BENCH), str(ROOT)))}
    finished = subprocess.run([sys.executable, "-c", PREVIEW, "site", "on" if search else "off", *edits],
                              cwd=archive, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"the live preview's build failed:\n{finished.stderr}")
    return [json.loads(line) for line in finished.stdout.strip().splitlines() if line.startswith("{")]


def run_build(archive: Path, search: bool, output: str = "site", incremental: bool = False) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CHILD, output, "on" if search else "off",
                              "on" if incremental else "off"],
                             cwd=archive, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as memory:
        stdout, stderr = child.communicate()
    command = time.perf_counter() - started   # with Python's start and the imports, as an editor waits
    if child.returncode != 0:
        raise SystemExit(f"the build failed:\n{stderr}")
    return {**json.loads(stdout.strip().splitlines()[-1]), "command": command, "tree_peak_kb": memory.peak_kb}


class TreeMemory:
    """The peak memory of a process and every process it starts, together, sampled every
    `every` seconds while in use (`with`): the sum of their proportional set sizes (Linux's
    PSS: a page shared by n of them counts 1/n in each, so once in the sum). The resident
    sizes `getrusage` gives count a page a forked process shares with the build in both.
    `peak_kb` is None where /proc has no `smaps_rollup` (not Linux, or before 4.14)."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid, self.every = pid, every
        self.peak_kb: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            total = tree_pss_kb(self.pid)
            if total is not None and (self.peak_kb is None or total > self.peak_kb):
                self.peak_kb = total


def tree_pss_kb(root: int) -> int | None:
    """The proportional set sizes of `root` and its descendants, summed, in kB."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(name))
    total, found, waiting = 0, False, [root]
    while waiting:
        pid = waiting.pop()
        waiting += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        found = True
                        break
        except OSError:   # ended meanwhile, or no smaps_rollup here
            continue
    return total if found else None


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def site_sizes(site: Path) -> dict[str, int]:
    total = folder_size(site)
    index = folder_size(site / "pagefind")
    exports = sum((site / name).stat().st_size for name in
                  ("claims.json", "claims.csv", "search-fallback.js", "feed.xml", "sitemap.xml")
                  if (site / name).is_file())
    return {"total": total, "search index": index, "exports": exports, "pages": total - index - exports}


def deployment_sizes(site: Path, compress: bool) -> dict[str, int]:
    """What GitHub Pages receives: the site as one tar file (a 512-byte header per file and
    folder, each file padded to 512 bytes), and, with `compress`, that tar compressed as it is
    uploaded. upload-pages-artifact makes the tar; upload-artifact v4 stores it in a zip at
    deflate level 6 (gzip level 6 gives the same size within bytes); deploy-pages then warns
    "Deployment might fail" when that stored artifact is over 1 GiB. GitHub's terms say a
    published site may be no larger than 1 GB without saying measured how, so the bench
    reports the files, the tar and the compressed upload. The synthetic phrases compress far
    better than real prose: use `--prose varied` for a compressed size that means something."""
    tar = 512 + 1024   # the site folder's own header; the two empty blocks that end an archive
    for folder, folders, files in os.walk(site):
        tar += 512 * len(folders)
        for name in files:
            tar += 512 + -(-os.path.getsize(os.path.join(folder, name)) // 512) * 512
    sizes = {"tar": -(-tar // 10240) * 10240}   # written in records of 20 blocks
    if compress:
        import gzip
        import tarfile

        class Counted:
            written = 0

            def write(self, chunk: bytes) -> int:
                self.written += len(chunk)
                return len(chunk)

            def flush(self) -> None:
                pass

        counted = Counted()
        with gzip.GzipFile(fileobj=counted, mode="wb", compresslevel=6, mtime=0) as packed, \
                tarfile.open(fileobj=packed, mode="w", format=tarfile.USTAR_FORMAT) as archive:
            archive.add(str(site), arcname=".")
        sizes["compressed upload"] = counted.written
    return sizes


# ---------------------------------------------------------------------------
# Hugo: the same claims as Markdown, a template of the same shape

HUGO_CONFIG = """baseURL = "https://bench.example.org/archive/"
title = "Synthetic archive"
languageCode = "en"
disableKinds = ["RSS"]
paginate = 200
[taxonomies]
  speaker = "speakers"
  topic = "topics"
  year = "years"
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 150 }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "static/hindsight.css" | relURL }}">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header"><div class="wrap header-row">
<a class="brand" href="{{ "" | relURL }}">{{ .Site.Title }}</a>
<nav class="site-nav" aria-label="Main"><ul>
<li><a href="{{ "topics/" | relURL }}">Questions</a></li>
<li><a href="{{ "speakers/" | relURL }}">Speakers</a></li>
<li><a href="{{ "years/" | relURL }}">Years</a></li>
<li><a href="{{ "search/" | relURL }}">Search</a></li>
</ul></nav></div></header>
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><p>{{ .Site.Title }}: a generated archive.</p></div></footer>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}
<article class="claim" data-pagefind-body>
<p class="kicker">{{ .Params.kind | title }} · {{ .Params.form }}</p>
<h1 class="statement">{{ .Title }}</h1>
<p class="byline">{{ range .GetTerms "speakers" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}, <span class="role">{{ .Params.role }}</span></p>
<dl class="facts">
<dt>Said</dt><dd><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></dd>
<dt>Source</dt><dd>{{ .Params.article }}, {{ .Params.outlet }}</dd>
<dt>Questions</dt><dd><ul class="inline-list">{{ range .GetTerms "topics" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul></dd>
</dl>
<section><h2>In context</h2><blockquote class="context"><p>{{ .Params.context }}</p></blockquote></section>
<section class="outcome"><h2>What came of it</h2><p class="outcome-status"><span class="badge">{{ .Params.outcome }}</span></p>
<div class="summary">{{ .Content }}</div></section>
</article>
<div class="related"><section><h2>Earlier and later</h2><ul class="claim-list">
{{ with .PrevInSection }}<li class="claim-item"><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
{{ with .NextInSection }}<li class="claim-item"><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul></section></div>
{{ end }}
"""

HUGO_LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="claim-list">
{{ range .Paginator.Pages }}<li class="claim-item"><p class="claim-meta"><time>{{ .Date.Format "2 January 2006" }}</time></p>
<p class="claim-line"><a href="{{ .RelPermalink }}">{{ .Title }}</a></p><p class="claim-outcome"><span class="badge">{{ .Params.outcome }}</span></p></li>
{{ end }}
</ul>
{{ template "_internal/pagination.html" . }}
{{ end }}
"""

HUGO_TERMS = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"""


def write_hugo_site(archive: Path, target: Path) -> int:
    """The archive's claims as Hugo content, one Markdown page per claim; returns the claim count."""
    import yaml

    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as Loader
    if target.exists():
        shutil.rmtree(target)
    for folder in ("content/claims", "layouts/_default"):
        (target / folder).mkdir(parents=True)
    (target / "config.toml").write_text(HUGO_CONFIG, "utf-8")
    for name, text in (("baseof.html", HUGO_BASEOF), ("single.html", HUGO_SINGLE), ("list.html", HUGO_LIST),
                       ("terms.html", HUGO_TERMS)):
        (target / "layouts/_default" / name).write_text(text, "utf-8")
    people = {entry["id"]: entry["name"] for entry in
              yaml.load((archive / "content/people.yaml").read_text("utf-8"), Loader=Loader)["people"]}
    topics = {entry["id"]: entry["title"] for entry in
              yaml.load((archive / "content/topics.yaml").read_text("utf-8"), Loader=Loader)["topics"]}
    count = 0
    for sheet_path in sorted((archive / "content/articles").rglob("*.yaml")):
        sheet = yaml.load(sheet_path.read_text("utf-8"), Loader=Loader)
        article = sheet["article"]
        for claim in sheet["claims"]:
            front = {
                "title": claim["statement"], "date": str(claim["said"]), "kind": claim["kind"],
                "form": claim["form"], "role": claim.get("role") or "", "context": claim.get("context") or "",
                "article": article["title"], "outlet": article.get("outlet") or "",
                "outcome": claim["outcome"]["status"],
                "speakers": [people[claim["speaker"]]], "topics": [topics[t] for t in claim.get("topics") or []],
                "years": [str(claim["said"])[:4]],
            }
            body = claim["outcome"].get("summary") or ""
            (target / "content/claims" / f"{claim['id']}.md").write_text(
                "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n" + body + "\n", "utf-8")
            count += 1
    return count


def run_hugo(site: Path) -> dict | None:
    hugo = shutil.which("hugo")
    if hugo is None:
        return None
    version = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
    shutil.rmtree(site / "public", ignore_errors=True)
    started = time.perf_counter()
    finished = subprocess.run(["/usr/bin/time", "-f", "%M", hugo, "--quiet", "--source", str(site)]
                              if Path("/usr/bin/time").exists() else [hugo, "--quiet", "--source", str(site)],
                              capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise SystemExit(f"hugo failed:\n{finished.stderr[-2000:]}")
    peak = finished.stderr.strip().splitlines()[-1] if Path("/usr/bin/time").exists() else ""
    pages = sum(1 for _ in (site / "public").rglob("*.html"))
    return {"version": version, "seconds": seconds, "pages": pages,
            "peak_kb": int(peak) if peak.isdigit() else None, "size": folder_size(site / "public")}


# ---------------------------------------------------------------------------
# Incremental: change one sheet, rebuild, compare with a full build


EDITS = {   # what an editor changes most, and what costs most: a claim's statement
    "outcome summary": (r'(summary: ")', r"\1Update: "),
    "statement": (r'(statement: ")', r"\1Corrected: "),
}


def change_one_sheet(archive: Path, edit: str) -> Path:
    """Make one edit to one claim of a sheet in the middle of the archive, as an editor would;
    or, for "new article", add a sheet: the middle one's article and claims under new ids,
    each claim with a new statement drawn as the archive's were."""
    if edit == "new article":
        return add_one_sheet(archive, os.environ.get("BENCH_PROSE", "phrases"))
    pattern, replacement = EDITS[edit]
    sheets = sorted((archive / "content/articles").rglob("*.yaml"))
    for sheet in sheets[len(sheets) // 2:]:
        text = sheet.read_text("utf-8")
        changed = re.sub(pattern, replacement, text, count=1)
        if changed != text:
            sheet.write_text(changed, "utf-8")
            return sheet
    raise SystemExit(f"no sheet has a {edit} to edit")


def _edit_done(edit: str, sheet) -> str:
    return f"adding {sheet}" if edit == "new article" else f"editing one claim's {edit} in {sheet}"


def add_one_sheet(archive: Path, prose: str) -> Path:
    """A new sheet whose statements are drawn as `synthetic.generate` drew the archive's, in
    the same `prose` (its default seed's made-up words, for "varied")."""
    import random

    number = sum(1 for sheet in (archive / "content/articles").rglob("added-*.yaml"))
    rewrite = synthetic._varied_words(8, draws=number) if prose == "varied" else (lambda phrases: phrases)
    sheets = sorted((archive / "content/articles").rglob("*.yaml"))
    model = sheets[len(sheets) // 2]
    rng = random.Random(number)
    text = re.sub(r"- id: (\S+)", rf"- id: added-{number}-\1", model.read_text("utf-8"))
    text = re.sub(r"(\n  url: \S+)\.html", rf"\1-added-{number}.html", text, count=1)
    text = re.sub(r'statement: "[^"]*"', lambda _: f"statement: {synthetic._q(rewrite(synthetic._statement(rng)))}",
                  text)
    added = model.with_name(f"added-{number}.yaml")
    added.write_text(text, "utf-8")
    return added


# ---------------------------------------------------------------------------


def mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", default="1k,10k", help="comma-separated: 1k, 10k, 100k (default: 1k,10k)")
    options.add_argument("--search", choices=("auto", "on", "off"), default="auto",
                         help="index with Pagefind: auto = up to 10k claims (default)")
    options.add_argument("--work", type=Path, default=BENCH / "out", help="where archives are generated")
    options.add_argument("--no-hugo", dest="hugo", action="store_false", help="skip the Hugo comparison")
    options.add_argument("--artifact", action="store_true",
                         help="also compress the site as it is uploaded to GitHub Pages, to report that size")
    options.add_argument("--prose", choices=("phrases", "varied"), default="phrases",
                         help="synthetic text: readable stock phrases (default), or made-up words that "
                              "compress as real prose does (for --artifact)")
    options.add_argument("--incremental", action="store_true",
                         help="then edit one claim (its outcome summary, then its statement) and time each "
                              "incremental rebuild against a full one")
    args = options.parse_args()
    os.environ["BENCH_PROSE"] = args.prose   # new articles are written in it, here and in the live preview
    print(f"machine: {os.cpu_count()} cores; load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    if args.hugo and shutil.which("hugo") is None:
        print("hugo is not installed (apt-get install hugo): the Hugo comparison is SKIPPED")
    rows = []
    for label in args.sizes.split(","):
        claims = SIZES[label.strip()]
        search = args.search == "on" or (args.search == "auto" and claims <= 10_000)
        archive = args.work / f"archive-{label}"
        started = time.perf_counter()
        made = synthetic.generate(claims, archive, prose=args.prose)
        # Generating removed the last run's archive and site (124,000 files at 100k) and wrote
        # this one: let the disk finish that before the build is timed, or the build's writes
        # wait behind it (the write stage measured 9 to 18 s for the same code).
        os.sync()
        print(f"\n== {label}: {made} (generated in {time.perf_counter() - started:.1f} s, written to disk)")
        result = run_build(archive, search, incremental=args.incremental)   # which keeps the record
        sizes = site_sizes(archive / "site")
        stages = result["stages"]
        print("stage seconds: " + "  ".join(f"{name} {stages[name]:.2f}" for name in STAGES if name in stages)
              + ("  (a full build makes the exports beside rendering: their time is in render)"
                 if not args.incremental else ""))
        print(f"whole build: {result['seconds']:.1f} s ({'with' if search else 'without'} search index); "
              f"{result['pages']:,} pages, {result['files']:,} files")
        together = result["tree_peak_kb"]
        print(f"peak memory: {'not measured here' if together is None else f'{together / 1024:,.0f} MiB'} for the "
              f"build's processes together (PSS, sampled every 0.25 s); resident at its peak, the build process "
              f"{result['peak_kb'] / 1024:,.0f} MiB, its largest child (similar statements, a render worker or "
              f"Pagefind) {result['children_peak_kb'] / 1024:,.0f} MiB: they share much of it")
        print("site size: " + ", ".join(f"{name} {mb(size)}" for name, size in sizes.items()))
        deployed = deployment_sizes(archive / "site", args.artifact)
        print("as deployed to GitHub Pages: " + ", ".join(f"{name} {mb(size)}" for name, size in deployed.items())
              + f" (deploy-pages warns over 1,073.7 MB compressed; {args.prose} prose)")
        render_rate = result["pages"] / (stages["render"] + stages["write"])
        row = {"label": label, "claims": claims, "pages": result["pages"], "build": result["seconds"],
               "link": stages["link"], "similar": stages.get("similar", stages["link"]), "render_rate": render_rate,
               "peak_mb": together / 1024 if together is not None else None, "size": sizes["total"], "search": search}
        no_index = result["seconds"] - stages.get("index", 0.0)
        row["build_no_index"] = no_index
        if args.hugo and shutil.which("hugo"):
            hugo_site = args.work / f"hugo-{label}"
            count = write_hugo_site(archive, hugo_site)
            hugo = run_hugo(hugo_site)
            hugo_rate = hugo["pages"] / hugo["seconds"]
            print(f"hugo: {hugo['version']}")
            print(f"hugo: {count:,} claims -> {hugo['pages']:,} pages in {hugo['seconds']:.1f} s "
                  f"({hugo_rate:,.0f} pages/s, peak {(hugo['peak_kb'] or 0) / 1024:,.0f} MiB, {mb(hugo['size'])})")
            print(f"hindsight render+write: {render_rate:,.0f} pages/s = {render_rate / hugo_rate:.2f} x Hugo's "
                  f"whole build; hindsight whole build without index: {result['pages'] / no_index:,.0f} pages/s "
                  f"= {result['pages'] / no_index / hugo_rate:.2f} x Hugo")
            row["hugo_rate"] = hugo_rate
        if args.incremental:
            full_site = archive / "site"
            for edit in (*EDITS, "new article"):
                sheet = change_one_sheet(archive, edit)
                incremental = run_build(archive, search, incremental=True)
                print(f"incremental after {_edit_done(edit, sheet.relative_to(archive))}: "
                      f"{incremental['seconds']:.2f} s in build() ("
                      f"{incremental['seconds'] - incremental['stages'].get('index', 0.0):.2f} s without the "
                      f"search index update), {incremental['command']:.2f} s for the whole "
                      f"command; {incremental['rendered']:,} of {incremental['pages']:,} pages rendered; stages: "
                      + "  ".join(f"{name} {incremental['stages'][name]:.2f}" for name in incremental["stages"]))
                row[f"incremental {edit}"] = incremental["seconds"]
            # The first rebuild starts from the spare the command line left (looked through); the
            # others from the one the live preview left: the steady state an editor sees.
            steady: dict[str, list[tuple[float, float]]] = {}
            edits = ["outcome summary"] * 5 + ["statement"] * 3 + ["new article"] * 3
            *rebuilds, record = run_preview(archive, search, edits)
            for number, rebuilt in enumerate(rebuilds):
                pages_only = rebuilt['seconds'] - rebuilt['stages'].get('index', 0.0)
                print(f"live preview (serve) rebuild {number + 1} after {_edit_done(rebuilt['edit'], rebuilt['sheet'])}: "
                      f"{rebuilt['seconds']:.2f} s ({pages_only:.2f} s without the search index "
                      f"update); {rebuilt['rendered']:,} of {rebuilt['pages']:,} pages rendered; stages: "
                      + "  ".join(f"{name} {rebuilt['stages'][name]:.2f}" for name in rebuilt["stages"]))
                if number:
                    steady.setdefault(rebuilt["edit"], []).append((pages_only, rebuilt["seconds"]))
            for edit, times in steady.items():
                times.sort()
                print(f"live preview, {edit} ({len(times)} rebuilds{', the first left out' if edit == edits[0] else ''}):"
                      f" median {times[len(times) // 2][0]:.2f} s without the search index update (range "
                      f"{times[0][0]:.2f}-{times[-1][0]:.2f}); {sorted(t for _, t in times)[len(times) // 2]:.2f} s "
                      f"with it")
            print(f"live preview, its record written once idle (for the command line's next build): "
                  f"{record['seconds']:.2f} s" + ("" if record["record written"] else " (NOT WRITTEN)"))
            full = run_build(archive, search, output="site-full")
            same = subprocess.run(["diff", "-r", "-q", str(full_site), str(archive / "site-full")],
                                  capture_output=True, text=True)
            print(f"full rebuild for comparison: {full['seconds']:.2f} s; incremental output "
                  + ("IDENTICAL to the full build" if same.returncode == 0 else f"DIFFERS:\n{same.stdout[:2000]}"))
        rows.append(row)
    print("\nsimilar s: finding similar statements; from 8,000 claims a full build does it in a forked process "
          "beside planning and rendering (not in link s), below that within link s.")
    print("\n| claims | pages | build s | build s w/o index | link s | similar s | similar ms per 1k claims "
          "| render+write pages/s "
          "| Hugo pages/s | ratio | peak MiB, all processes | site MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        hugo_rate = row.get("hugo_rate")
        ratio = f"{row['render_rate'] / hugo_rate:.2f}" if hugo_rate else "-"
        peak = "-" if row["peak_mb"] is None else f"{row['peak_mb']:,.0f}"
        print(f"| {row['claims']:,} | {row['pages']:,} | {row['build']:.1f}{' (search)' if row['search'] else ''} "
              f"| {row['build_no_index']:.1f} | {row['link']:.2f} | {row['similar']:.2f} "
              f"| {row['similar'] / row['claims'] * 1e6:.0f} "
              f"| {row['render_rate']:,.0f} | {f'{hugo_rate:,.0f}' if hugo_rate else 'skipped'} "
              f"| {ratio} | {peak} "
              f"| {row['size'] / 1e6:,.0f} |")


if __name__ == "__main__":
    main()
