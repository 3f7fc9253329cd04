"""The facade the CLI and the tests share. No click, no printing, no ``sys.exit`` here.
Each command family takes one options object (:mod:`dpi_safeguards.core.options`).

Heavy modules are imported inside the functions that need them, so a command pays only
for what it uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.core.findings import Report

# The options objects are part of the facade (the CLI and the tests build them).
from dpi_safeguards.core.options import CanvasOptions as CanvasOptions
from dpi_safeguards.core.options import CountryOptions as CountryOptions
from dpi_safeguards.core.options import IntakeOptions as IntakeOptions
from dpi_safeguards.core.options import MergeOptions as MergeOptions
from dpi_safeguards.core.options import ReleaseOptions as ReleaseOptions
from dpi_safeguards.core.options import ReviewOptions as ReviewOptions
from dpi_safeguards.core.options import ScaffoldOptions as ScaffoldOptions
from dpi_safeguards.core.workspace import Workspace

if TYPE_CHECKING:
    from dpi_safeguards.changes.diff import DiffResult
    from dpi_safeguards.changes.scaffold import NewContribution
    from dpi_safeguards.forge.pr_scope import ScopeReport
    from dpi_safeguards.knowledge.views import CanvasResult
    from dpi_safeguards.merge.run import MergeResult
    from dpi_safeguards.models.framework import Framework
    from dpi_safeguards.models.reports import EntryReport, RuleList, StatsReport
    from dpi_safeguards.release.publish import ReleaseResult
    from dpi_safeguards.release.verify import VerifyResult
    from dpi_safeguards.review.decisions import ReviewResult
    from dpi_safeguards.translations.project import Translations
    from dpi_safeguards.translations.write import UpdateReport


def validate(
    workspace: Workspace,
    paths: list[Path] | None = None,
    *,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    from dpi_safeguards.check.validate import run_validation

    return run_validation(workspace, paths, strict=strict, progress=progress)


def load(workspace: Workspace) -> Framework:
    """The framework, or an error naming what is wrong with it."""
    from dpi_safeguards.check.validate import load_checked

    return load_checked(workspace)


@dataclass(frozen=True)
class FormatResult:
    changed: list[Path]


def load_release_or_working(workspace: Workspace, release: str | None) -> Framework:
    """A published release's framework (``vX.Y.Z``), or the working framework (None)."""
    if release is None:
        return load(workspace)
    from dpi_safeguards.load.released import release_framework

    return release_framework(workspace.releases_dir, release)


def show(workspace: Workspace, entry_id: str) -> str:
    """One entry with its children, dimensions and provenance, as text."""
    from dpi_safeguards.knowledge.entries import describe_entry

    return describe_entry(load(workspace), entry_id.strip())


def show_data(workspace: Workspace, entry_id: str) -> EntryReport:
    """One entry as framework.json holds it, with its kind and children."""
    from dpi_safeguards.knowledge.entries import entry_report

    return entry_report(load(workspace), entry_id.strip())


@dataclass(frozen=True)
class Stats:
    active: dict[str, int]
    total: dict[str, int]
    project_assigned: dict[str, int]
    table: str  # the text rendering


def stats(workspace: Workspace) -> Stats:
    """Entries per kind: active, all (deprecated too), and those this project numbered."""
    from dpi_safeguards.knowledge.entries import project_assigned, stats_table

    framework = load(workspace)
    return Stats(
        framework.counts(),
        framework.counts(include_deprecated=True),
        project_assigned(framework),
        stats_table(framework),
    )


def rule_codes() -> list[tuple[str, str]]:
    """Every finding code with its title, in natural code order."""
    from dpi_safeguards.check.rules import all_codes
    from dpi_safeguards.core.ids import natural_key
    from dpi_safeguards.country import rules  # noqa: F401  (registers the country rules)
    from dpi_safeguards.translations import rules as _  # noqa: F401  (and the translation rules)

    return sorted(all_codes().items(), key=lambda item: natural_key(item[0]))


def rules_data() -> RuleList:
    """Every finding code with its title, as published in rules.schema.json."""
    from dpi_safeguards.models.reports import RuleList, RuleRecord

    return RuleList(rules=[RuleRecord(code=code, title=title) for code, title in rule_codes()])


def stats_data(workspace: Workspace) -> StatsReport:
    """:func:`stats` as published in stats.schema.json."""
    from dpi_safeguards.models.reports import StatsReport

    found = stats(workspace)
    return StatsReport(
        active=found.active, total=found.total, project_assigned=found.project_assigned
    )


def canvas(workspace: Workspace, options: CanvasOptions) -> CanvasResult:
    """The knowledge-library query: the recommendations for a selection."""
    from dpi_safeguards.knowledge.canvas import canvas as run_canvas

    return run_canvas(
        load_release_or_working(workspace, options.release),
        authorities=options.authorities,
        stages=options.stages,
        risks=options.risks,
        principles=options.principles,
    )


def canvas_of_bundle(folder: Path, options: CanvasOptions) -> CanvasResult:
    """The knowledge-library query on a release bundle (a downloaded one, say): its
    framework.json read and checked as a release's."""
    from dpi_safeguards.knowledge.canvas import canvas as run_canvas
    from dpi_safeguards.load.released import load_release

    return run_canvas(
        load_release(folder),
        authorities=options.authorities,
        stages=options.stages,
        risks=options.risks,
        principles=options.principles,
    )


def site(
    workspace: Workspace, out_dir: Path, release: str | None = None, title: str | None = None
) -> Path:
    """Write the knowledge-library page (``out_dir/index.html``); returns its path."""
    from dpi_safeguards.exports.site import DEFAULT_TITLE, build_site

    framework = load_release_or_working(workspace, release)
    return build_site(framework, out_dir, title=title or DEFAULT_TITLE)


def check_pr(
    workspace: Workspace, base: str, head: str = "HEAD", *, allow_maintainer_paths: bool = False
) -> ScopeReport:
    """The scope of a contribution pull request (``git diff base...head``)."""
    from dpi_safeguards.forge.pr_scope import check_scope

    return check_scope(workspace, base, head, allow_maintainer_paths=allow_maintainer_paths)


def parent_choices(workspace: Workspace, kind: str) -> list[tuple[str, str]] | None:
    """The entries a new contribution of ``kind`` may sit under or target, with labels;
    None when the kind needs no parent."""
    from dpi_safeguards.changes.scaffold import needs_parent
    from dpi_safeguards.changes.scaffold import parent_choices as choices_of

    return choices_of(load(workspace), kind) if needs_parent(kind) else None


def format_framework(workspace: Workspace, *, check: bool = False) -> FormatResult:
    """Re-write the framework in canonical form, and its snapshot; ``check`` only lists
    what would change. Every YAML file is read (never the snapshot): this is what brings
    the snapshot back in line with the YAML, and what CI checks it by."""
    from dpi_safeguards.check.validate import checked_framework
    from dpi_safeguards.load.folder import (
        changed_files,
        framework_texts,
        load_framework,
        write_framework,
    )

    folder = workspace.framework_dir
    loaded = load_framework(folder, display_base=workspace.root, use_snapshot=False)
    framework = checked_framework(loaded, "the framework")
    if check:
        return FormatResult(
            changed_files(framework_texts(framework, folder, known=loaded.records()), folder)
        )
    return FormatResult(write_framework(framework, folder, known=loaded.records()))


def write_schemas(target: Path) -> list[Path]:
    """Write the generated JSON Schemas into ``target``; returns files that changed."""
    from dpi_safeguards.check.schemas import render_all
    from dpi_safeguards.store.writer import atomic_write, output_folder

    changed = []
    output_folder(target)
    for name, text in render_all().items():
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            atomic_write(path, text)
            changed.append(path)
    return changed


# ---- review and merge (issue 3) -----------------------------------------------------------


def diff(
    workspace: Workspace,
    from_ref: str | None = None,
    to_ref: str | None = None,
    *,
    contribution: Path | None = None,
) -> DiffResult:
    """The change list between two versions (``from_ref`` to ``to_ref``, default: the
    working framework), or (``contribution``) what merging that file would change, with
    provisional ids."""
    from dpi_safeguards.changes.diff import DiffResult, diff_frameworks
    from dpi_safeguards.changes.versions import load_version
    from dpi_safeguards.core.errors import UsageError

    if contribution is not None:
        if from_ref is not None or to_ref is not None:
            raise UsageError("give either a contribution file or --from/--to, not both")
        from dpi_safeguards.merge.run import preview

        return preview(workspace, contribution)
    if from_ref is None:
        raise UsageError("name the older version with --from REF, or give a contribution file")
    old, old_label = load_version(workspace, from_ref)
    new, new_label = load_version(workspace, to_ref)
    changes = diff_frameworks(old, new, from_label=old_label, to_label=new_label)
    return DiffResult(changes, new, [], [])


def review(workspace: Workspace, path: Path, options: ReviewOptions) -> ReviewResult:
    """Record an accept/reject decision on a proposed contribution and move it
    (raises SafeguardsError, exit 1, when refused; nothing is changed then)."""
    from dpi_safeguards.review.decisions import review as run_review

    return run_review(workspace, path, options)


def merge(workspace: Workspace, options: MergeOptions | None = None) -> MergeResult:
    """Merge accepted contributions (default: all of contributions/accepted/), all or
    nothing; raises :class:`dpi_safeguards.merge.run.MergeError` (exit 1) when any fails."""
    from dpi_safeguards.merge.run import merge as run_merge

    return run_merge(workspace, options)


def new_contribution(
    workspace: Workspace, options: ScaffoldOptions, output: Path | None = None
) -> NewContribution:
    """Scaffold a contribution; written to ``output`` (default: a new file in
    contributions/proposed/), or only returned when ``output`` is ``-``."""
    from dpi_safeguards.changes.scaffold import (
        NewContribution,
        default_name,
        free_path,
        render_scaffold,
        scaffold_data,
    )
    from dpi_safeguards.store.writer import atomic_write

    data = scaffold_data(load(workspace), options)
    text = render_scaffold(data)
    if output is not None and str(output) == "-":
        return NewContribution(None, text)
    if output is None:
        name = default_name(data, options.kind, options.parent)
        output = free_path(workspace.state_dir("proposed"), name)
    elif output.is_dir():
        raise UsageError(f"{output} is a folder; give the path of a file to write")
    elif output.exists():
        raise SafeguardsError(f"{output} already exists; choose another file name")
    atomic_write(output, text)
    return NewContribution(output, text)


if TYPE_CHECKING:
    from dpi_safeguards.forge.issue_form import IntakeResult


def intake(workspace: Workspace, body: str, options: IntakeOptions) -> IntakeResult:
    """An issue form's rendered Markdown -> a validated contribution file.

    Raises :class:`dpi_safeguards.forge.intake.IntakeError` listing every problem under the
    form's labels; nothing is written then.
    """
    from dpi_safeguards.forge.intake import run_intake

    return run_intake(workspace, body, options)


# ---- releases (release/) ---------------------------------------------------------


def release(
    workspace: Workspace,
    options: ReleaseOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ReleaseResult:
    """Cut a release (see :mod:`dpi_safeguards.release.publish`); when releases/ is signed
    (TUF), sign it before it is committed, with ``options.keys`` (checked first)."""
    from dpi_safeguards.release.publish import release as run_release

    options = options or ReleaseOptions()
    return run_release(workspace, options, progress, _release_signer(workspace, options))


def _release_signer(workspace: Workspace, options: ReleaseOptions) -> Callable[[], str] | None:
    """The signing step of a release of a signed releases folder, its keys loaded (and so
    checked) before the release starts; None for a dry run or an unsigned folder."""
    import os

    from dpi_safeguards.distribution.repository import is_signed

    if options.dry_run or not is_signed(workspace.releases_dir):
        return None
    from dpi_safeguards.distribution.keys import ONLINE_ROLES, load_keys
    from dpi_safeguards.distribution.repository import publish

    folder = options.keys or (
        Path(os.environ["SAFEGUARDS_TUF_KEYS"]) if os.environ.get("SAFEGUARDS_TUF_KEYS") else None
    )
    if folder is None:
        raise UsageError(
            "releases/ is signed (releases/tuf/root.json): give --keys DIR (or set "
            "SAFEGUARDS_TUF_KEYS) with the targets, snapshot and timestamp keys"
        )
    ring = load_keys(folder)
    for role in ONLINE_ROLES:
        ring.require(role)

    def sign() -> str:
        done = publish(workspace.releases_dir, ring, workspace.root)
        roles = ", ".join(f"{role} v{version}" for role, version in done.written.items())
        return f"signed {done.targets} files under releases/: {roles}"

    return sign


def verify(
    workspace: Workspace,
    versions: list[str] | None = None,
    *,
    rebuild: bool = True,
    attestations: bool = False,
    repository: str | None = None,
) -> VerifyResult:
    """Re-check published releases: checksums, index, a rebuild from the git tag, the
    TUF signatures (when releases/ is signed) and, with ``attestations``, the build
    provenance (``gh attestation verify``, where gh is installed). Each check is recorded
    in ``checks`` with what it compared."""
    from dpi_safeguards.distribution.checks import add_attestation_checks, add_signed_checks
    from dpi_safeguards.release.verify import verify_releases

    result = verify_releases(workspace, versions, rebuild=rebuild)
    add_signed_checks(result, workspace.releases_dir)
    if attestations:
        add_attestation_checks(result, workspace.releases_dir, repository, workspace.root)
    else:
        for version in result.checked:
            result.record(version, "attestation", "skipped", "not asked for (--attestations)")
    return result


def bundle(workspace: Workspace, version: str, out_dir: Path) -> list[Path]:
    """Write reproducible .zip and .tar.gz archives of a release (and their SHA256SUMS)."""
    from dpi_safeguards.release.archive import write_archives

    return write_archives(workspace, version, out_dir)


@dataclass(frozen=True)
class Downloaded:
    folder: Path
    version: str
    files: int
    verified_by: str  # "tuf": through the signed metadata; "index": the index's SHA-256


def download(
    source: str,
    version: str,
    out_dir: Path,
    *,
    trusted_root: Path | None = None,
    metadata_dir: Path | None = None,
) -> Downloaded:
    """Download a release bundle. Through TUF (every file, the index too, verified by
    the signed metadata) when a trusted root is given or was given before for this
    source; otherwise every file against the index's SHA-256, and only from a source
    that is not signed (a signed one needs the trusted root)."""
    from dpi_safeguards.distribution.client import default_metadata_dir, download_verified
    from dpi_safeguards.distribution.repository import TUF_DIR
    from dpi_safeguards.release.download import NotFound, download_release, open_source

    cache = metadata_dir or default_metadata_dir(source)
    if trusted_root is not None or (cache / "root.json").is_file():
        done = download_verified(
            source, version, out_dir, trusted_root=trusted_root, metadata_dir=cache
        )
        return Downloaded(done.folder, done.version, done.files, "tuf")
    fetched, index_name = open_source(source)
    prefix = index_name.rpartition("/")[0]
    try:
        fetched.fetch(f"{prefix + '/' if prefix else ''}{TUF_DIR}/root.json", 512_000)
    except NotFound:
        pass
    else:
        raise UsageError(
            f"{source} is signed (it has {TUF_DIR}/root.json): give --trusted-root FILE, the "
            "secretariat's 1.root.json obtained from them, to download it verified"
        )
    folder = download_release(source, version, out_dir)
    listed = sum(1 for p in folder.rglob("*") if p.is_file())
    return Downloaded(folder, _bundle_version(folder, version), listed, "index")


def _bundle_version(folder: Path, asked: str) -> str:
    """The version a downloaded bundle's framework.json names ('latest' resolved)."""
    import json

    try:
        found = json.loads((folder / "framework.json").read_bytes())["release"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return asked
    return found if isinstance(found, str) else asked


# ---- country frameworks (country/) -----------------------------------------------


if TYPE_CHECKING:
    from dpi_safeguards.country.publish import CountryBundle
    from dpi_safeguards.country.rebase import RebaseResult
    from dpi_safeguards.models.contribution import Contribution
    from dpi_safeguards.models.country import CountryStatus


def _country_releases(options: CountryOptions) -> Path:
    from dpi_safeguards.country.check import upstream_releases

    return upstream_releases(options.path, options.upstream)


def country_validate(options: CountryOptions) -> Report:
    """A country framework's file, its pin, its own rules and the universal framework's
    rules on what it resolves to, as one report."""
    from dpi_safeguards.country.check import check_country

    checked = check_country(options.path, _country_releases(options), strict=options.strict)
    return checked.report


def country_resolve(
    options: CountryOptions, output: Path, progress: Callable[[str, int, int], None] | None = None
) -> CountryBundle:
    """The effective framework as a release bundle in ``output`` (a new or empty folder)."""
    from dpi_safeguards.country.publish import resolve_country

    return resolve_country(
        options.path,
        _country_releases(options),
        output,
        version=options.version,
        date=options.date,
        progress=progress,
    )


def country_release(
    options: CountryOptions, progress: Callable[[str, int, int], None] | None = None
) -> CountryBundle:
    """A versioned release under the country framework's own releases/."""
    from dpi_safeguards.country.publish import release_country

    return release_country(
        options.path,
        _country_releases(options),
        version=options.version,
        bump=options.bump,
        date=options.date,
        progress=progress,
    )


def country_status(options: CountryOptions, as_of: str | None = None) -> CountryStatus:
    """What applies, what is tracked, done and due, by principle, risk and stage."""
    from dpi_safeguards.country.check import checked_country
    from dpi_safeguards.country.progress import country_status as status_of
    from dpi_safeguards.release.publish import check_date, today

    try:
        when = check_date(as_of) if as_of is not None else today()
    except UsageError:
        raise UsageError(f"--as-of {as_of!r} is not a date: write YYYY-MM-DD") from None
    return status_of(checked_country(options.path, _country_releases(options)), when)


def country_rebase(options: CountryOptions, to: str, *, dry_run: bool = False) -> RebaseResult:
    """Move the pin to a newer universal release, applying what is safe (see
    :mod:`dpi_safeguards.country.rebase`); on a conflict nothing is written."""
    from dpi_safeguards.country.rebase import rebase_country

    return rebase_country(options.path, _country_releases(options), to, dry_run=dry_run)


def country_propose(
    options: CountryOptions, entry_id: str, *, contributor: str, consent: bool
) -> Contribution:
    """A contribution to the universal framework from one of the country's own entries."""
    from dpi_safeguards.country.check import checked_country
    from dpi_safeguards.country.propose import proposal_for

    checked = checked_country(options.path, _country_releases(options))
    return proposal_for(checked, entry_id.strip(), contributor=contributor, consent=consent)


def translations(workspace: Workspace, *, strict: bool = False) -> Translations:
    """Every catalogue in translations/, checked and brought up to the framework's texts
    in memory (nothing written): its findings, and each language's status."""
    from dpi_safeguards.translations.project import load_translations

    return load_translations(
        workspace.translations_dir, load(workspace), workspace.display, strict=strict
    )


def translations_update(
    workspace: Workspace, *, add: tuple[str, ...] = (), check: bool = False
) -> UpdateReport:
    """Write translations/framework.pot and bring every catalogue (and each new one of
    ``add``) up to the framework's texts; ``check``: write nothing, say what would change."""
    from dpi_safeguards.store.lock import repository_lock
    from dpi_safeguards.store.transaction import recover
    from dpi_safeguards.translations.write import update_catalogues

    if check:
        return update_catalogues(translations(workspace), add=add, check=True)
    with repository_lock(workspace.root, "translations update"):
        # Finish (or sweep) what a killed update left, before reading the catalogues.
        recover(workspace.root, [workspace.translations_dir])
        return update_catalogues(translations(workspace), add=add)


# ---- trusted distribution (distribution/) ---------------------------------------------

if TYPE_CHECKING:
    import datetime as _dt

    from dpi_safeguards.distribution.repository import InitResult, PublishResult
    from dpi_safeguards.distribution.status import TufStatus


def tuf_init(
    workspace: Workspace,
    keys: Path,
    *,
    root_keys: int = 1,
    root_threshold: int = 1,
    now: _dt.datetime | None = None,
) -> InitResult:
    """Sign the releases folder for the first time: new keys in ``keys`` (outside the
    repository), the first root, and targets, snapshot and timestamp over every file."""
    from dpi_safeguards.distribution.repository import initialise
    from dpi_safeguards.store.lock import repository_lock

    with repository_lock(workspace.root, "tuf init"):
        return initialise(
            workspace.releases_dir,
            keys,
            workspace.root,
            root_keys=root_keys,
            root_threshold=root_threshold,
            now=now,
        )


def tuf_publish(
    workspace: Workspace, keys: Path, *, now: _dt.datetime | None = None
) -> PublishResult:
    """Sign what changed under releases/ (and renew what nears its expiry)."""
    from dpi_safeguards.distribution.keys import load_keys
    from dpi_safeguards.distribution.repository import publish
    from dpi_safeguards.store.lock import repository_lock

    ring = load_keys(keys)
    with repository_lock(workspace.root, "tuf publish"):
        return publish(workspace.releases_dir, ring, workspace.root, now=now)


def tuf_rotate(
    workspace: Workspace,
    keys: Path,
    role: str,
    *,
    now: _dt.datetime | None = None,
    root_keys: int = 1,
    root_threshold: int = 1,
) -> tuple[list[Path], int]:
    """New keys for ``role`` (the root: ``root_keys`` of them, ``root_threshold`` needed),
    signed into a new root by the current root keys."""
    from dpi_safeguards.distribution.keys import load_keys
    from dpi_safeguards.distribution.repository import rotate
    from dpi_safeguards.store.lock import repository_lock

    ring = load_keys(keys)
    with repository_lock(workspace.root, "tuf rotate"):
        return rotate(
            workspace.releases_dir,
            ring,
            workspace.root,
            role,
            now=now,
            root_keys=root_keys,
            root_threshold=root_threshold,
        )


def tuf_status(workspace: Workspace, *, now: _dt.datetime | None = None) -> TufStatus:
    """Each role's version, expiry and keys, and whether the targets match the files."""
    from dpi_safeguards.distribution.status import tuf_status as status

    return status(workspace.releases_dir, now=now)
