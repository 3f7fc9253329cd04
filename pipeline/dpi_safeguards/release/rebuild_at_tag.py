"""Rebuild one release with the tool's code as a release commit holds it.

Run as a script in a child process (``python -P rebuild_at_tag.py ...``) whose import
path holds only that commit's copy of the package, so the bytes it writes are those the
release's own code produces; ``verify`` then compares them with the published files.
It imports nothing from the running tool and uses only three calls every version of the
package has had since v1.0.0, wherever that version keeps them (see ``CALLS``).

Arguments: PACKAGE FRAMEWORK_DIR PREVIOUS_JSON|"" VERSION DATE PREVIOUS_VERSION|"" OUT_DIR,
then, for a release built with translations (only code that has them is given these),
TRANSLATIONS_DIR PREVIOUS_TRANSLATIONS_JSON|"".
Exit 0 with every bundle file under OUT_DIR, or 3 with the reason on stderr.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

# call -> the modules that have held it, newest layout first (the package was named
# `pipeline` with a flat layout up to v1.2.0; `dpi_safeguards` with floors after it).
CALLS: dict[str, tuple[str, ...]] = {
    "load_framework": ("load.folder", "store.layout"),
    "load_previous": ("release.plan", "release.publish"),
    "build_bundle": ("release.bundle",),
    "load_translations": ("translations.project",),
    "BundleTranslations": ("exports.translated",),
    "read_summary": ("release.plan",),
}


def _module_with(package: str, call: str) -> ModuleType:
    for name in CALLS[call]:
        try:
            module = importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name is None or not f"{package}.{name}".startswith(exc.name):
                raise
            continue
        if hasattr(module, call):
            return module
    raise ModuleNotFoundError(
        f"No module named '{package}.{CALLS[call][-1]}'", name=f"{package}.{CALLS[call][-1]}"
    )


def rebuild(argv: list[str]) -> int:
    package, framework_dir, previous_json, version, date, previous_version, out_dir = argv[:7]
    translations_dir, previous_summary = [*argv[7:9], "", ""][:2]
    layout = _module_with(package, "load_framework")
    publish = _module_with(package, "load_previous")
    bundle = _module_with(package, "build_bundle")
    folder = Path(framework_dir)
    loaded = layout.load_framework(folder, display_base=folder.parent)
    if not loaded.ok:
        sys.stderr.write("the framework at the release commit does not load\n")
        return 3
    previous = None
    if previous_json:
        previous, _ = publish.load_previous(
            Path(previous_json).read_bytes(), "the previous release's framework.json"
        )
    extra = {}
    if translations_dir:
        extra["translations"] = _translations(
            package, Path(translations_dir), loaded.framework, previous_summary
        )
    built = bundle.build_bundle(
        loaded.framework,
        previous,
        version=version,
        date=date,
        previous_version=previous_version or None,
        **extra,
    )
    out = Path(out_dir)
    for name, data in built.files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


def _translations(package: str, folder: Path, framework: object, previous_json: str) -> object:
    project = _module_with(package, "load_translations")
    translated = _module_with(package, "BundleTranslations")
    plan = _module_with(package, "read_summary")
    translations = project.load_translations(folder, framework, lambda p: str(p))
    previous = None
    if previous_json:
        previous = plan.read_summary(Path(previous_json).read_bytes(), previous_json)
    return translated.BundleTranslations(translations, previous)


if __name__ == "__main__":
    sys.exit(rebuild(sys.argv[1:]))
