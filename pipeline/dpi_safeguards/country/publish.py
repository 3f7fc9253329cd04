"""A country framework's bundles: ``resolve`` (the effective framework into a folder) and
``release`` (a versioned bundle under the country's own ``releases/``, with its index,
changelog and feed). Both are the universal release bundle, built by the same code, so a
tool that reads a universal release reads a country's unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.country.check import CountryCheck, checked_country, country_file
from dpi_safeguards.country.site import progress_files
from dpi_safeguards.load.released import load_release
from dpi_safeguards.models.changes import ChangeList
from dpi_safeguards.models.framework import Framework
from dpi_safeguards.release.bump import choose_version, required_bump
from dpi_safeguards.release.bundle import Bundle, Progress, build_bundle, compute_changes
from dpi_safeguards.release.listing import index_entry, next_index, read_index, render_listing
from dpi_safeguards.release.publish import check_date, sweep_release_temps, today
from dpi_safeguards.store.lock import repository_lock
from dpi_safeguards.store.transaction import Transaction, recover
from dpi_safeguards.store.writer import TEMP_PREFIX

# The version a resolved framework is labelled with when it is not a release.
PREVIEW_VERSION = "0.0.0"


@dataclass
class CountryBundle:
    check: CountryCheck
    version: str
    date: str
    previous: str | None
    changes: ChangeList
    folder: Path
    files: dict[str, int]


def resolve_country(
    path: Path,
    releases_dir: Path,
    output: Path,
    *,
    version: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
) -> CountryBundle:
    """Write the effective framework's bundle into ``output`` (a new or empty folder):
    built beside it and renamed into place, so a failure leaves nothing half-written."""
    if output.exists() and (not output.is_dir() or output.is_symlink() or any(output.iterdir())):
        raise UsageError(f"{output} must be a new or empty folder for the resolved bundle")
    check = checked_country(path, releases_dir)
    assert check.effective is not None
    label = version or PREVIEW_VERSION
    when = check_date(date) if date is not None else today()
    bundle = _build_as(output, check, None, label, when, None, None, progress)
    return _result(check, bundle, label, when, None, output)


def _build_as(
    folder: Path,
    check: CountryCheck,
    previous: Framework | None,
    version: str,
    date: str,
    previous_version: str | None,
    changes: ChangeList | None,
    progress: Progress | None,
) -> Bundle:
    """The bundle, built in a temp folder beside ``folder`` and renamed to it (``folder``
    is new, or an empty folder given as the output)."""
    assert check.effective is not None
    folder.parent.mkdir(parents=True, exist_ok=True)
    temp_root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX + "country-", dir=folder.parent))
    try:
        bundle = build_bundle(
            check.effective.framework,
            previous,
            version=version,
            date=date,
            previous_version=previous_version,
            changes=changes,
            progress=progress,
            target=temp_root / "bundle",
            keep_bytes=False,
            extra_files=progress_files(check, date),
        )
        if folder.exists():
            folder.rmdir()
        (temp_root / "bundle").rename(folder)
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)
    return bundle


def _result(
    check: CountryCheck,
    bundle: Bundle,
    version: str,
    date: str,
    previous: str | None,
    folder: Path,
) -> CountryBundle:
    files = {p: f.size for p, f in bundle.manifest.items()}
    return CountryBundle(check, version, date, previous, bundle.changes, folder, files)


def country_dir(path: Path) -> Path:
    return country_file(path).parent


def release_country(
    path: Path,
    releases_dir: Path,
    *,
    version: str | None = None,
    bump: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
) -> CountryBundle:
    """A release of the country framework into ``<its folder>/releases/vX.Y.Z``: the
    version picked from the changes since its previous release as ``safeguards release``
    picks it (or checked, when given); the listing written in one transaction."""
    root = country_dir(path)
    own_releases = root / "releases"
    with repository_lock(root, "country release"):
        recover(root, [own_releases])
        check = checked_country(path, releases_dir)
        assert check.effective is not None
        framework = check.effective.framework
        index = read_index(own_releases)
        previous_version = index.latest
        previous = load_release(own_releases / f"v{previous_version}") if previous_version else None
        when = check_date(date) if date is not None else today()
        draft = compute_changes(previous, framework, previous_version, "next")
        chosen = choose_version(previous_version, required_bump(draft), version=version, bump=bump)
        changes = compute_changes(previous, framework, previous_version, chosen)
        target = own_releases / f"v{chosen}"
        if target.exists() or target.is_symlink():
            raise SafeguardsError(f"{target} exists already; a release folder is never overwritten")
        own_releases.mkdir(parents=True, exist_ok=True)
        sweep_release_temps(own_releases)
        bundle = _build_as(
            target, check, previous, chosen, when, previous_version, changes, progress
        )
        entry = index_entry(framework, bundle, chosen, when, previous_version)
        transaction = Transaction(root)
        listing = render_listing(own_releases, next_index(index, entry), framework.metadata.title)
        for name, text in listing.items():
            transaction.write(own_releases / name, text)
        transaction.commit()
    return _result(check, bundle, chosen, when, previous_version, target)
