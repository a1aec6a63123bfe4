"""Build speed at scale: `hindsight build`, whole, against Hugo's whole build of the same claims.

For each size it generates a synthetic archive (`bench/synthetic.py`) and the same claims as
Hugo content (a Markdown page per claim, with an embeddable card page of its own as
Hindsight's; speaker, question, year and article list pages, as Hindsight makes), then times, interleaved and each `--runs` times:

- `hindsight build`, the default command line (with search), as a command: Python's start and
  imports included; each stage's time as the build reports it (`BuildResult.stages`);
- `hindsight build --no-search`, the figure set against Hugo's;
- `hugo`, its whole build;
- with `--incremental`, `hindsight build --incremental`'s FIRST build (nothing to reuse yet),
  labelled so, then one-claim edits rebuilt from the command line and in the live preview.

Every build writes into a folder of its own that did not exist, under a new work folder for
each run of the bench: nothing is deleted while it runs, and a disk probe waits until creating
files is about as fast as it gets before the builds are timed. It prints each run with the load average it
started at, then medians, the peak memory of all of a build's processes together (MiB), the
site's size, the whole-build ratio against Hugo and, labelled apart, the render stage's.

    python bench/build_speed.py                          # 10k, 3 runs of each
    python bench/build_speed.py --sizes 10k,100k --runs 2
    python bench/build_speed.py --sizes 1k --incremental   # also one-claim rebuilds, command and serve
    python bench/build_speed.py --sizes 100k --runs 1 --artifact --prose varied --no-hugo

Hugo is Debian's `hugo` package; when it is missing the comparison is skipped and the
bench says so.
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
# the command line is made and the site rebuilt as serve rebuilds it: the pages first
# (`search.pages_first`), then, straight after, the search index and whatever else that build
# left as it was; one JSON line per edit. Last, the record is written as the preview writes it
# when idle, and how long that took.
PREVIEW = """
import json, sys, time
from pathlib import Path
from build_speed import change_one_sheet
from generator import search
from generator.build import BuildOptions, build
from generator.incremental.preview import PreviewState, write_remembered_record
options = BuildOptions(content=Path("content"), output=Path(sys.argv[1]), search=sys.argv[2] == "on",
                       extract=False, incremental=True, processes=1)
memory = PreviewState()
build(options, memory)
for edit in sys.argv[3:]:
    sheet = change_one_sheet(Path("."), edit)
    with search.pages_first() as deferred:
        result = build(options, memory)
    after = build(options, memory) if deferred else None
    print(json.dumps({"edit": edit, "sheet": str(sheet), "seconds": result.seconds, "stages": result.stages,
                      "rendered": result.rendered, "pages": result.pages,
                      "after": after.seconds if after is not None else 0.0,
                      "after_stages": after.stages if after is not None else {}}))
started = time.perf_counter()
print(json.dumps({"record written": write_remembered_record(options.output, memory),
                  "seconds": time.perf_counter() - started}))
"""


def run_preview(archive: Path, search: bool, edits: list[str], output: str = "site") -> list[dict]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join((str(BENCH), str(ROOT)))}
    finished = subprocess.run([sys.executable, "-c", PREVIEW, output, "on" if search else "off", *edits],
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
        self.samples: list[tuple[float, int]] = []   # wall-clock time, kB
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
            if total is not None:
                self.samples.append((time.time(), total))
                if self.peak_kb is None or total > self.peak_kb:
                    self.peak_kb = total

    def by_stage(self, spans: list) -> dict[str, int]:
        """The peak of all the processes together while each step of the build ran (its
        `spans`: name, start, end), kB: what else ran then (Pagefind, forked processes) included."""
        peaks: dict[str, int] = {}
        for name, start, end in spans:
            for at, total in self.samples:
                if start <= at <= end and total > peaks.get(name, 0):
                    peaks[name] = total
        return peaks


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
[outputFormats.card]
  mediaType = "text/html"
  isHTML = true
  path = "card"
  permalinkable = false
  notAlternative = true
[outputs]
  page = ["HTML", "card"]
[taxonomies]
  speaker = "speakers"
  topic = "topics"
  year = "years"
  article = "articles"
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 150 }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="{{ "static/favicon.svg" | relURL }}" type="image/svg+xml">
<link rel="stylesheet" href="{{ "static/hindsight.css" | relURL }}">
{{ if .IsPage }}<meta property="og:type" content="article">
<meta property="og:site_name" content="{{ .Site.Title }}">
<meta property="og:title" content="{{ .Title | truncate 110 }}">
<meta property="og:description" content="Finding: {{ .Params.outcome }}.">
<meta property="og:url" content="{{ .Permalink }}">
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ .Title | truncate 110 }}">
<meta name="twitter:description" content="Finding: {{ .Params.outcome }}.">{{ end }}
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
<footer class="site-footer"><div class="wrap">
<p>Published by <a href="https://bench.example.org/">Bench</a>. Download: <a href="{{ "claims.json" | relURL }}">JSON</a>, <a href="{{ "claims.csv" | relURL }}">CSV</a>, <a href="{{ "feed.xml" | relURL }}">Atom feed</a>.</p>
<nav aria-label="About this archive"><ul class="inline-list footer-links">
<li><a href="{{ "updates/" | relURL }}">Updates and corrections</a> (<a href="{{ "updates.xml" | relURL }}">feed</a>)</li>
<li><a href="{{ "pages/about/" | relURL }}">About</a></li>
</ul></nav></div></footer>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "main" }}
<article class="claim" data-pagefind-body>
<p class="kicker">{{ .Params.kind | title }} · {{ .Params.form }}</p>
<h1 class="statement">{{ .Title }}</h1>
<p class="byline">{{ range .Params.speakers }}<a href="{{ "speakers/" | relURL }}{{ urlize . }}/">{{ . }}</a>{{ end }}, <span class="role">{{ .Params.role }}</span></p>
<section class="finding tone-{{ .Params.outcome | urlize }}"><h2 class="finding-label">Finding</h2>
<p class="outcome-status"><span class="badge tone-{{ .Params.outcome | urlize }}">{{ .Params.outcome }}</span> <span class="scale-name muted">on the scale for {{ .Params.kind }}s</span></p></section>
<dl class="facts">
<dt>Said</dt><dd><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></dd>
<dt>Source</dt><dd>{{ .Params.article }}, {{ .Params.outlet }}</dd>
<dt>Questions</dt><dd><ul class="inline-list">{{ range .Params.topics }}<li><a href="{{ "topics/" | relURL }}{{ urlize . }}/">{{ . }}</a></li>{{ end }}</ul></dd>
</dl>
<section><h2>In context</h2><blockquote class="context"><p>{{ .Params.context }}</p></blockquote></section>
<section class="outcome"><h2>What came of it</h2><p class="outcome-status"><span class="badge">{{ .Params.outcome }}</span></p>
<div class="summary">{{ .Content }}</div></section>
</article>
<div class="related">
{{ range .Params.lists }}<section><h2>{{ .heading }}</h2><ul class="claim-list">
{{ range .claims }}<li class="claim-item"><time>{{ .said }}</time>: <a href="{{ "claims/" | relURL }}{{ .id }}/">{{ .statement }}</a> <span class="badge">{{ .outcome }}</span></li>
{{ end }}</ul></section>{{ end }}
<section class="embed"><h2>Share this fact check</h2>
<p>Put this claim and its finding on your own page: copy the code below. It shows <a href="{{ with .OutputFormats.Get "card" }}{{ .RelPermalink }}{{ end }}">this card</a>, which links back here.</p>
<label for="embed-code" class="muted">Code to copy</label>
<textarea id="embed-code" class="embed-code" readonly rows="3">&lt;iframe src=&#34;{{ with .OutputFormats.Get "card" }}{{ .Permalink }}{{ end }}&#34; title=&#34;{{ .Title | truncate 90 }} ({{ .Site.Title }})&#34; width=&#34;100%&#34; height=&#34;230&#34; style=&#34;border:0;max-width:40rem&#34; loading=&#34;lazy&#34;&gt;&lt;/iframe&gt;</textarea>
</section>
</div>
{{ end }}
"""

HUGO_CARD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="{{ "static/favicon.svg" | relURL }}" type="image/svg+xml">
<title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<style>
body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; background: #fdfcfa; color: #1c1b19; }
.card { border: 1px solid #dedad2; border-left: 6px solid #45423d; border-radius: 6px; padding: 0.8rem 1rem; margin: 0; }
.card.tone-good { border-left-color: #14532d; } .card.tone-bad { border-left-color: #7f1d1d; }
.card.tone-mixed { border-left-color: #6b4406; } .card.tone-open { border-left-color: #283a66; }
.card.tone-steady { border-left-color: #17485a; } .card.tone-turned { border-left-color: #5a2370; }
.who { margin: 0; color: #595650; font-size: 0.9rem; }
.words { margin: 0.4rem 0; font-size: 1.1rem; font-weight: 600; }
.flag { margin: 0.3rem 0; font-size: 0.85rem; color: #7f1d1d; }
.finding { margin: 0.4rem 0; }
.badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 999px; font-size: 0.85rem; font-weight: 700; border: 1px solid currentColor; }
.badge.tone-good { background: #dcf1df; color: #14532d; } .badge.tone-bad { background: #fbe0dc; color: #7f1d1d; }
.badge.tone-mixed { background: #fcecc8; color: #6b4406; } .badge.tone-open { background: #e4e8f4; color: #283a66; }
.badge.tone-steady { background: #e3eef2; color: #17485a; } .badge.tone-turned { background: #efe3f5; color: #5a2370; }
.badge.tone-none { background: #eceae6; color: #45423d; }
.source { margin: 0.4rem 0 0; font-size: 0.9rem; }
a { color: #0b4f9c; }
</style>
</head>
<body>
<article class="card tone-{{ .Params.outcome | urlize }}">
<p class="who"><strong>{{ index .Params.speakers 0 }}</strong>, {{ .Params.role }} · <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
<p class="words" dir="auto">“{{ .Title }}”</p>
<p class="finding">Finding: <span class="badge tone-{{ .Params.outcome | urlize }}">{{ .Params.outcome }}</span></p>
<p class="source"><a href="{{ .Permalink }}" target="_blank" rel="noopener">Read the fact check on {{ .Site.Title }}</a></p>
</article>
</body>
</html>
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


def synthetic_short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


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
    for name, text in (("baseof.html", HUGO_BASEOF), ("single.html", HUGO_SINGLE), ("single.card.html", HUGO_CARD),
                       ("list.html", HUGO_LIST),
                       ("terms.html", HUGO_TERMS)):
        (target / "layouts/_default" / name).write_text(text, "utf-8")
    people = {entry["id"]: entry["name"] for entry in
              yaml.load((archive / "content/people.yaml").read_text("utf-8"), Loader=Loader)["people"]}
    topics = {entry["id"]: entry["title"] for entry in
              yaml.load((archive / "content/topics.yaml").read_text("utf-8"), Loader=Loader)["topics"]}
    sheets = [(path, yaml.load(path.read_text("utf-8"), Loader=Loader))
              for path in sorted((archive / "content/articles").rglob("*.yaml"))]
    by_speaker: dict[str, list[dict]] = {}
    by_topic: dict[str, list[dict]] = {}
    for _, sheet in sheets:
        for claim in sheet["claims"]:
            by_speaker.setdefault(claim["speaker"], []).append(claim)
            for topic in claim.get("topics") or []:
                by_topic.setdefault(topic, []).append(claim)
    for claims in (*by_speaker.values(), *by_topic.values()):
        claims.sort(key=lambda claim: str(claim["said"]))
    where = {(key, claim["id"]): number for group in (by_speaker, by_topic) for key, claims in group.items()
             for number, claim in enumerate(claims)}

    def line(claim: dict) -> dict:
        return {"id": claim["id"], "said": str(claim["said"]), "statement": synthetic_short(claim["statement"]),
                "outcome": claim["outcome"]["status"]}

    def near(claims: list[dict], key: str, claim: dict, count: int) -> list[dict]:
        at = where[(key, claim["id"])]
        return [line(other) for other in claims[max(0, at - count // 2):at + count // 2 + 1] if other is not claim]

    def far(claims: list[dict], key: str, claim: dict, count: int) -> list[dict]:
        at = where[(key, claim["id"])]
        return [line(claims[(at + step * 37) % len(claims)]) for step in range(1, count + 1)
                if claims[(at + step * 37) % len(claims)] is not claim]

    count = 0
    for sheet_path, sheet in sheets:
        article = sheet["article"]
        for claim in sheet["claims"]:
            # The lists a Hindsight claim page shows, worked out here, so Hugo only renders them:
            # the article's other claims, the question's claims before and after, the speaker's others.
            lists = [{"heading": "Also in this article",
                      "claims": [line(other) for other in sheet["claims"] if other is not claim]}]
            for topic in (claim.get("topics") or [])[:1]:
                lists.append({"heading": f"Earlier and later on {topics[topic]}",
                              "claims": near(by_topic[topic], topic, claim, 2)})
            lists.append({"heading": f"{people[claim['speaker']]} in other years",
                          "claims": near(by_speaker[claim["speaker"]], claim["speaker"], claim, 4)})
            for topic in (claim.get("topics") or [])[:1]:   # as "said before and since": further along
                lists.append({"heading": "Said before and since",
                              "claims": far(by_topic[topic], topic, claim, 3)})
            front = {
                "title": claim["statement"], "date": str(claim["said"]), "kind": claim["kind"],
                "form": claim["form"], "role": claim.get("role") or "", "context": claim.get("context") or "",
                "article": article["title"], "outlet": article.get("outlet") or "",
                "outcome": claim["outcome"]["status"],
                "speakers": [people[claim["speaker"]]], "topics": [topics[t] for t in claim.get("topics") or []],
                "years": [str(claim["said"])[:4]], "articles": [sheet_path.stem], "lists": lists,
            }
            body = claim["outcome"].get("summary") or ""
            (target / "content/claims" / f"{claim['id']}.md").write_text(
                "---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n\n" + body + "\n", "utf-8")
            count += 1
    return count


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


def mib(size_kb: int | None) -> str:
    return "-" if size_kb is None else f"{size_kb / 1024:,.0f}"


def mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def load_now() -> tuple[float, float, float]:
    return os.getloadavg()


def load_text(load: tuple[float, float, float]) -> str:
    return "load " + " ".join(f"{value:.2f}" for value in load)


# Runs in the child: hindsight's own command line, as `hindsight build ...` runs it; the bench
# only keeps a copy of the BuildResult the command gets (its stages and counts) in a file.
CLI = """
import contextlib, json, os, sys, time
import generator.commands.build as command
import generator.timing as timing
spans = []   # each timed step: name, wall-clock start and end, for the memory by stage
timed = timing.Stages.timed
@contextlib.contextmanager
def spanned(self, name):
    started = time.time()
    try:
        with timed(self, name):
            yield
    finally:
        spans.append((name, started, time.time()))
timing.Stages.timed = spanned
real = command.build
def build(*args, **kwargs):
    result = real(*args, **kwargs)
    with open(os.environ["BENCH_RESULT"], "w") as out:
        json.dump({"stages": result.stages, "pages": result.pages, "files": result.files, "size": result.size,
                   "seconds": result.seconds, "built": result.built, "spans": spans}, out)
    return result
command.build = build
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_command(archive: Path, output: str, arguments: list[str]) -> dict:
    """`hindsight build --content content --output OUTPUT ARGUMENTS` in a fresh process, timed from
    outside (Python's start and the imports included, as an editor waits), with the peak memory of
    its processes together (Pagefind's too)."""
    report = archive / f".bench-{output}.json"
    report.unlink(missing_ok=True)
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_RESULT": str(report)}
    load = load_now()
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", CLI, "build", "--content", "content", "--output", output,
                              *arguments], cwd=archive, env=environment, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as memory:
        _, stderr = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0 or not report.is_file():
        raise SystemExit(f"hindsight build {' '.join(arguments)} failed (exit {child.returncode}):\n{stderr[-3000:]}")
    result = json.loads(report.read_text("utf-8"))
    report.unlink()
    return {**result, "command": seconds, "load": load, "peak_kb": memory.peak_kb,
            "stage_peak_kb": memory.by_stage(result.pop("spans"))}


def run_hugo(site: Path, destination: str) -> dict:
    """Hugo's whole build of `site` into a folder of its own (`destination`, not there before)."""
    load = load_now()
    started = time.perf_counter()
    child = subprocess.Popen(["hugo", "--quiet", "--source", str(site), "--destination", destination],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMemory(child.pid) as memory:
        _, stderr = child.communicate()
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"hugo failed:\n{stderr[-2000:]}")
    pages = sum(1 for page in (site / destination).rglob("*.html") if not _redirect(page))
    return {"command": seconds, "load": load, "peak_kb": memory.peak_kb, "pages": pages}


def _redirect(page: Path) -> bool:
    """Hugo's alias pages (`page/1/` of each list) only redirect: not counted as pages."""
    with page.open("rb") as head:
        return b'http-equiv="refresh"' in head.read(400)


def claim_page_bytes(folder: Path) -> float:
    """The mean size of the claim pages (`claims/<id>/index.html`) in a built site."""
    sizes = [page.stat().st_size for page in (folder / "claims").glob("*/index.html")]
    return sum(sizes) / max(1, len(sizes))


def disk_probe(folder: Path, files: int = 2000) -> float:
    """Seconds to create `files` files of 8 KiB in 100 new folders and fsync them: how fast the
    disk takes new files now. The probe's files are removed only when the bench ends."""
    folder.mkdir(parents=True)
    chunk = b"x" * 8192
    started = time.perf_counter()
    for number in range(files):
        sub = folder / str(number % 100)
        sub.mkdir(exist_ok=True)
        (sub / f"{number}.html").write_bytes(chunk)
    os.sync()
    return time.perf_counter() - started


def settle(work: Path, limit: float = 120.0) -> None:
    """Wait until creating files is about as fast as it gets: after a large delete this disk
    creates files several times slower for minutes. Probes every 5 s until two in a row are
    within half again of the fastest seen (or `limit` seconds pass: other work on the machine
    also slows the probe)."""
    started, probes = time.perf_counter(), []
    while True:
        probes.append(disk_probe(work / f"probe-{len(probes)}"))
        if len(probes) >= 2 and max(probes[-2:]) <= 1.5 * min(probes):
            break
        if time.perf_counter() - started > limit:
            print(f"disk still unsettled after {limit:.0f} s", end="; ")
            break
        time.sleep(5)
    print("disk probe (2,000 new 8 KiB files, s): " + ", ".join(f"{probe:.2f}" for probe in probes)
          + f"; {load_text(load_now())}")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(runs: list[dict], key: str = "command") -> str:
    values = [run[key] for run in runs]
    loads = [run["load"][0] for run in runs]
    return (f"{median(values):.1f} s (runs {', '.join(f'{v:.1f}' for v in values)}; "
            f"1-min load {min(loads):.1f}-{max(loads):.1f})")


def stage_line(stages: dict[str, float]) -> str:
    return "  ".join(f"{name} {seconds:.2f}" for name, seconds in stages.items())


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--sizes", default="10k", help="comma-separated: 1k, 10k, 100k (default: 10k)")
    options.add_argument("--runs", type=int, default=3, help="builds of each kind, interleaved (default: 3)")
    options.add_argument("--work", type=Path, default=BENCH / "out",
                         help="where archives and sites go, in a new run-<date> folder (default: bench/out); "
                              "never deleted by the bench")
    options.add_argument("--no-hugo", dest="hugo", action="store_false", help="skip the Hugo comparison")
    options.add_argument("--no-search-runs", dest="search_runs", action="store_false",
                         help="skip the builds with search (only --no-search builds and Hugo)")
    options.add_argument("--artifact", action="store_true",
                         help="also compress the site as it is uploaded to GitHub Pages, to report that size")
    options.add_argument("--prose", choices=("phrases", "varied"), default="phrases",
                         help="synthetic text: readable stock phrases (default), or made-up words that "
                              "compress as real prose does (for --artifact)")
    options.add_argument("--incremental", action="store_true",
                         help="also time `hindsight build --incremental`'s first build (labelled as such), then "
                              "edit one claim and time incremental rebuilds, from the command line and in the "
                              "live preview")
    options.add_argument("--json", type=Path, help="also write every run's figures to this file")
    args = options.parse_args()
    os.environ["BENCH_PROSE"] = args.prose   # new articles are written in it, here and in the live preview
    hugo_found = shutil.which("hugo") is not None
    print(f"machine: {os.cpu_count()} cores; {load_text(load_now())}; python {sys.version.split()[0]}")
    if args.hugo and not hugo_found:
        print("hugo is not installed (apt-get install hugo): the Hugo comparison is SKIPPED")
    with_hugo = args.hugo and hugo_found
    if with_hugo:
        print(subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.strip())
    # A folder of its own for this run: nothing is deleted while the bench runs (deleting the last
    # run's 10k work folder took 6 minutes here, and slows creating files for minutes after).
    earlier = sorted(args.work.glob("run-*")) if args.work.is_dir() else []
    args.work = args.work / time.strftime("run-%Y%m%d-%H%M%S")
    args.work.mkdir(parents=True)
    if earlier:
        print(f"earlier runs' folders are kept (delete them when no bench runs): {', '.join(map(str, earlier))}")
    kinds = []
    if args.search_runs:
        kinds.append(("search", "hindsight build (the default command: with search)", []))
    kinds.append(("no-search", "hindsight build --no-search", ["--no-search"]))
    if args.incremental:
        kinds.append(("incremental-first", "hindsight build --incremental, FIRST build (nothing to reuse)",
                      ["--incremental"]))
    if with_hugo:
        kinds.append(("hugo", "hugo (whole build)", None))
    everything, rows = {}, []
    for label in args.sizes.split(","):
        label = label.strip()
        claims = SIZES[label]
        archive = args.work / f"archive-{label}"
        started = time.perf_counter()
        made = synthetic.generate(claims, archive, prose=args.prose)
        hugo_site = args.work / f"hugo-{label}"
        hugo_count = write_hugo_site(archive, hugo_site) if with_hugo else 0
        os.sync()
        print(f"\n== {label}: {made}; generated (and the same claims for Hugo) in "
              f"{time.perf_counter() - started:.1f} s")
        settle(args.work / f"settle-{label}")
        results: dict[str, list[dict]] = {kind: [] for kind, _, _ in kinds}
        for number in range(args.runs):
            turn = number % len(kinds)   # interleaved, each kind first in turn
            for kind, title, arguments in kinds[turn:] + kinds[:turn]:
                output = f"site-{kind}-{number + 1}"   # a fresh folder each run: nothing deleted meanwhile
                os.sync()   # the last run's files on disk first: its write-back would slow this one's writing
                if arguments is None:
                    run = run_hugo(hugo_site, f"public-{number + 1}")
                    print(f"run {number + 1} {title}: {run['command']:.2f} s, {run['pages']:,} pages, peak "
                          f"{mib(run['peak_kb'])} MiB; {load_text(run['load'])}", flush=True)
                else:
                    run = run_command(archive, output, arguments)
                    run["output"] = output
                    print(f"run {number + 1} {title}: {run['command']:.2f} s ({run['seconds']:.2f} s in build()), "
                          f"{run['pages']:,} pages, peak {mib(run['peak_kb'])} MiB; {load_text(run['load'])}; "
                          f"stages: {stage_line(run['stages'])}", flush=True)
                results[kind].append(run)
        everything[label] = results
        rows.append(report_size(label, claims, archive, hugo_site, results, kinds, args))
        if args.incremental:
            incremental_runs(archive, results["incremental-first"][-1]["output"], args)
            served_latency(archive)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1), "utf-8")
    print(f"\nthe archives and sites are left in {args.work}")


def report_size(label: str, claims: int, archive: Path, hugo_site: Path, results: dict[str, list[dict]],
                kinds: list, args) -> dict:
    print(f"\n-- {label}, medians of {args.runs} interleaved runs, each timed from outside as a command "
          "(Python's start and imports included); peak memory: all the build's processes together (PSS, "
          "sampled every 0.25 s), MiB")
    row: dict = {"label": label, "claims": claims}
    for kind, title, _ in kinds:
        runs = results[kind]
        peaks = [run["peak_kb"] for run in runs if run["peak_kb"] is not None]
        print(f"{title}: {summary(runs)}; peak {mib(median(peaks)) if peaks else '-'} MiB median, "
              f"{mib(max(peaks)) if peaks else '-'} max")
        row[kind] = {"seconds": median([run["command"] for run in runs]),
                     "peak_kb": max(peaks) if peaks else None,
                     "loads": [run["load"][0] for run in runs], "pages": runs[0]["pages"]}
        if kind != "hugo":
            names = list(dict.fromkeys(name for run in runs for name in run["stages"]))
            medians = {name: median([run["stages"].get(name, 0.0) for run in runs]) for name in names}
            print("   stage medians, s: " + stage_line(medians)
                  + ("  (similar: in a forked process beside plan and render, not to be added)"
                     if "similar" in medians else ""))
            row[kind]["stages"] = medians
            held = {name: max(run.get("stage_peak_kb", {}).get(name, 0) for run in runs) for name in names}
            print("   peak MiB while each stage ran, all processes together (max of runs): "
                  + "  ".join(f"{name} {mib(kb)}" for name, kb in held.items() if kb))
    first = next(kind for kind, _, arguments in kinds if arguments is not None)
    site = archive / results[first][-1]["output"]
    sizes = site_sizes(site)
    print("site size: " + ", ".join(f"{name} {mb(size)}" for name, size in sizes.items()) + f" ({first} build)")
    if args.artifact:
        deployed = deployment_sizes(site, True)
        print("as deployed to GitHub Pages: " + ", ".join(f"{name} {mb(size)}" for name, size in deployed.items())
              + f" (deploy-pages warns over 1,073.7 MB compressed; {args.prose} prose)")
    plain = row.get("no-search")
    if "hugo" in row and plain:
        hugo = row["hugo"]
        hindsight_page = claim_page_bytes(site)
        hugo_page = claim_page_bytes(hugo_site / "public-1")
        whole = hugo["seconds"] / plain["seconds"]
        rate = (plain["pages"] / plain["seconds"]) / (hugo["pages"] / hugo["seconds"])
        render = plain["stages"].get("render", 0.0) + plain["stages"].get("write", 0.0)
        stage_ratio = (plain["pages"] / render) / (hugo["pages"] / hugo["seconds"])
        print(f"pages: hindsight {plain['pages']:,}, hugo {hugo['pages']:,}; a claim page: hindsight "
              f"{hindsight_page / 1024:.1f} KiB, hugo {hugo_page / 1024:.1f} KiB on average")
        print(f"WHOLE BUILD against whole build, without search: hindsight {plain['seconds']:.1f} s, hugo "
              f"{hugo['seconds']:.1f} s: hindsight is {whole:.2f} x Hugo's speed for the same claims "
              f"({rate:.2f} x in pages per second)")
        print(f"render stage only (render+write, {render:.1f} s) against Hugo's WHOLE build, pages per second: "
              f"{stage_ratio:.2f} x (not like for like: the stage leaves out reading, checking and linking)")
        row.update(whole=whole, rate=rate, stage_ratio=stage_ratio)
    return row


def incremental_runs(archive: Path, output: str, args) -> None:
    """Edit one claim, then rebuild `output` (left by `hindsight build --incremental`) incrementally:
    from the command line (a new process each time), then in the live preview's loop."""
    full_site = archive / output
    for edit in (*EDITS, "new article"):
        sheet = change_one_sheet(archive, edit)
        incremental = run_build(archive, True, output=output, incremental=True)
        print(f"incremental after {_edit_done(edit, sheet.relative_to(archive))}: "
              f"{incremental['seconds']:.2f} s in build() ("
              f"{incremental['seconds'] - incremental['stages'].get('index', 0.0):.2f} s without the "
              f"search index update), {incremental['command']:.2f} s for the whole "
              f"command; {incremental['rendered']:,} of {incremental['pages']:,} pages rendered; stages: "
              + stage_line(incremental["stages"]) + f"; {load_text(load_now())}")
    # The first rebuild starts from the spare the command line left (looked through); the
    # others from the one the live preview left: the steady state an editor sees.
    steady: dict[str, list[tuple[float, float]]] = {}
    edits = ["outcome summary"] * 5 + ["statement"] * 3 + ["new article"] * 3
    *rebuilds, record = run_preview(archive, True, edits, output)
    for number, rebuilt in enumerate(rebuilds):
        pages_only, both = rebuilt["seconds"], rebuilt["seconds"] + rebuilt["after"]
        print(f"live preview (serve) rebuild {number + 1} after {_edit_done(rebuilt['edit'], rebuilt['sheet'])}: "
              f"pages in {pages_only:.2f} s, then the search index (and feeds) in {rebuilt['after']:.2f} s; "
              f"{rebuilt['rendered']:,} of {rebuilt['pages']:,} pages rendered; stages: "
              + stage_line(rebuilt["stages"]) + "; then: " + stage_line(rebuilt["after_stages"]))
        if number:
            steady.setdefault(rebuilt["edit"], []).append((pages_only, both))
    for edit, times in steady.items():
        times.sort()
        print(f"live preview, {edit} ({len(times)} rebuilds{', the first left out' if edit == edits[0] else ''}):"
              f" median {median([t[0] for t in times]):.2f} s until the pages are in place (range "
              f"{times[0][0]:.2f}-{times[-1][0]:.2f}); {median([t[1] for t in times]):.2f} s until the search "
              f"index is too; {load_text(load_now())}")
    print(f"live preview, its record written once idle (for the command line's next build): "
          f"{record['seconds']:.2f} s" + ("" if record["record written"] else " (NOT WRITTEN)"))
    full = run_build(archive, True, output="site-full")
    same = subprocess.run(["diff", "-r", "-q", str(full_site), str(archive / "site-full")],
                          capture_output=True, text=True)
    print(f"full rebuild for comparison: {full['seconds']:.2f} s; incremental output "
          + ("IDENTICAL to the full build" if same.returncode == 0 else f"DIFFERS:\n{same.stdout[:2000]}"))


def served_latency(archive: Path, edits: int = 3) -> None:
    """What an editor sees: `hindsight serve` of the archive, its claim page and a search for a
    new word open in Chromium; one claim's statement, then its outcome summary, is edited
    `edits` times each, and the seconds from the sheet's save until the open page shows the
    change, and until the open search page (reloaded by the preview) finds the claim, are printed."""
    from playwright.sync_api import sync_playwright

    sheets = sorted((archive / "content/articles").rglob("article-*.yaml"))
    for sheet in sheets[len(sheets) // 3:]:   # a claim with a statement and an outcome summary to edit
        found = re.search(r'- id: (\S+)\n(?:    .*\n)*?      summary: "', sheet.read_text("utf-8"))
        if found:
            claim = found.group(1)
            break
    else:
        raise SystemExit("no claim with an outcome summary to edit")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", "content", "--output",
                               "site-serve", "--no-extract", "--port", "0", "--subpath", "/archive/"],
                              cwd=archive, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        address = None
        for line in server.stderr:
            found = re.search(r"Serving the archive at (\S+)", line)
            if found:
                address = found.group(1)
                break
        if address is None:
            raise SystemExit("hindsight serve did not start")
        said: list[str] = []   # what serve tells: "rebuilt in ...", "search index updated in ..."
        threading.Thread(target=lambda: said.extend(server.stderr), daemon=True).start()
        print(f"served page latency: hindsight serve built the site and listened in "
              f"{time.perf_counter() - started:.1f} s; {load_text(load_now())}")
        times: dict[str, list[tuple[float, float]]] = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox", "--disable-gpu"])
            claim_tab, search_tab = browser.new_page(), browser.new_page()
            for number in range(2 * edits + 1):   # the first, a warm-up: serve's first rebuild reads back its record
                field = "statement" if number <= edits else "summary"
                word = f"Zq{started % 1 * 1e6:.0f}x{number}word"   # found nowhere before
                claim_tab.goto(address + f"claims/{claim}/index.html")
                search_tab.goto(address + f"search/index.html?q={word.lower()}")
                search_tab.wait_for_function("document.getElementById('search-status').textContent.length > 0")
                text = sheet.read_text("utf-8")
                at = text.index(f"- id: {claim}\n")
                end = text.find("\n  - id: ", at + 1)
                end = len(text) if end < 0 else end
                edited = re.sub(rf'({field}: ")', rf"\1{word} ", text[at:end], count=1)
                if edited == text[at:end]:
                    raise SystemExit(f"{claim} has no {field} to edit")
                saved = time.perf_counter()
                sheet.write_text(text[:at] + edited + text[end:], "utf-8")
                shown = searched = None
                while searched is None or shown is None:
                    if time.perf_counter() - saved > 60:
                        raise SystemExit(f"the served site did not show {word} within 60 s")
                    try:
                        if shown is None and word in claim_tab.locator("main").inner_text(timeout=1000):
                            shown = time.perf_counter() - saved
                        if searched is None and search_tab.locator(
                                f"#search-results a[href$='claims/{claim}/index.html']").count():
                            searched = time.perf_counter() - saved
                    except Exception:   # noqa: BLE001 - the page reloading under the look
                        pass
                    time.sleep(0.01)
                if number:
                    times.setdefault(field, []).append((shown, searched))
                time.sleep(1.0)
                told = "; ".join(line.strip().removeprefix("hindsight serve: ") for line in said if "(version " in line)
                said.clear()
                print(f"  edit {number or '0, a warm-up, not counted'} ({field}): the page shows it after {shown:.2f} s, search finds it after "
                      f"{searched:.2f} s; {load_text(load_now())}; serve said: {told}", flush=True)
            browser.close()
        for field, pairs in times.items():
            print(f"served page latency, {field} edits: page median {median([p[0] for p in pairs]):.2f} s "
                  f"(range {min(p[0] for p in pairs):.2f}-{max(p[0] for p in pairs):.2f}), search median "
                  f"{median([p[1] for p in pairs]):.2f} s (range {min(p[1] for p in pairs):.2f}-"
                  f"{max(p[1] for p in pairs):.2f})")
    finally:
        server.terminate()
        server.wait(30)


def print_table(rows: list[dict]) -> None:
    print("\nmedians; s = seconds for the whole command; load = 1-minute load averages at the runs' starts")
    print("| claims | pages | hindsight build s (search) | index s | peak MiB (search) | --no-search s "
          "| peak MiB | hugo s (claims and cards) | whole-build speed vs Hugo | render stage vs Hugo's whole | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        searched, plain, hugo = row.get("search"), row.get("no-search"), row.get("hugo")
        loads = [load for kind in ("search", "no-search", "hugo") if row.get(kind) for load in row[kind]["loads"]]
        pages = (plain or searched or {}).get("pages")
        cells = [f"{row['claims']:,}", f"{pages:,}" if pages else "-",
                 f"{searched['seconds']:.1f}" if searched else "-",
                 f"{searched['stages'].get('index', 0.0):.1f}" if searched else "-",
                 mib(searched["peak_kb"]) if searched else "-",
                 f"{plain['seconds']:.1f}" if plain else "-", mib(plain["peak_kb"]) if plain else "-",
                 f"{hugo['seconds']:.1f}" if hugo else "-",
                 f"{row['whole']:.2f}x" if "whole" in row else "-",
                 f"{row['stage_ratio']:.2f}x" if "stage_ratio" in row else "-",
                 f"{min(loads):.1f}-{max(loads):.1f}" if loads else "-"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
