"""A downstream tool in a few lines: download the latest release of the framework through
the TUF client (every file verified by the secretariat's signed metadata) and print the
knowledge-library canvas for one responsible authority at one life-cycle stage (the
Guide's figure 3.3 asks it for a government at the Strategy and Design stage).

    python examples/latest_canvas.py --from https://<owner>.github.io/<repository>/releases/ \\
        --trusted-root 1.root.json [--authority Government] [--stage "Strategy and Design"]

The trusted root is the secretariat's ``releases/tuf/1.root.json``, obtained from them out
of band; the client keeps what it has verified (under $XDG_DATA_HOME/safeguards/tuf), so
later runs need no --trusted-root and refuse older metadata than they have seen.
Exit 0 printed, 1 refused (one line saying why), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dpi_safeguards import api
from dpi_safeguards.core.errors import SafeguardsError, UsageError
from dpi_safeguards.knowledge.formats import render


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", required=True, help="the releases URL or folder")
    parser.add_argument("--trusted-root", type=Path, default=None, help="1.root.json")
    parser.add_argument("--authority", default="Government")
    parser.add_argument("--stage", default="Strategy and Design")
    parser.add_argument("--format", default="text", choices=("text", "md", "csv", "json"))
    args = parser.parse_args(argv)
    options = api.CanvasOptions(authorities=(args.authority,), stages=(args.stage,))
    with tempfile.TemporaryDirectory(prefix="latest-canvas-") as temp:
        try:
            release = api.download(
                args.source, "latest", Path(temp) / "release", trusted_root=args.trusted_root
            )
            result = api.canvas_of_bundle(release.folder, options)
        except UsageError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except SafeguardsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"release {release.version}, {release.files} files verified", file=sys.stderr)
    sys.stdout.write(render(result, args.format))
    return 0


if __name__ == "__main__":
    sys.exit(main())
