"""How the country commands' results are written: a rebase report (text, JSON) and a
proposal (a contribution file)."""

from __future__ import annotations

from dataclasses import asdict

from dpi_safeguards.country.rebase import RebaseResult
from dpi_safeguards.models.contribution import Contribution
from dpi_safeguards.store.writer import dump_json, dump_yaml, to_data

PROPOSAL_HEADER = """\
# A proposal to the Universal DPI Safeguards Framework, made from a country framework by
# 'safeguards country propose'. New entries get their ids at merge; until then they are
# placeholders ($name). Set licence_consent to true once the contributors agree to
# license the text under CC BY-SA 4.0, then: safeguards validate THIS-FILE
"""


def render_proposal(contribution: Contribution) -> str:
    return PROPOSAL_HEADER + dump_yaml(to_data(contribution))


def render_rebase_text(result: RebaseResult) -> str:
    lines = [f"{result.file}: v{result.from_version} -> v{result.to_version}"]
    if result.items:
        lines.append("for the selection:")
        lines += [f"  {item.change:<10} {item.id}: {item.detail}" for item in result.items]
    else:
        lines.append("for the selection: nothing changed")
    for rewrite in result.rewrites:
        lines.append(f"  rewrite    {rewrite.where}: {rewrite.old} -> {rewrite.new}")
    if result.conflicts:
        lines.append(f"{len(result.conflicts)} conflict(s); nothing was written:")
        lines += [f"  {conflict}" for conflict in result.conflicts]
    elif result.written:
        lines.append(f"rebased: {result.file} now pins v{result.to_version}")
    else:
        lines.append(f"--dry-run: {result.file} would pin v{result.to_version}; nothing written")
    return "\n".join(lines) + "\n"


def render_rebase_json(result: RebaseResult) -> str:
    data = asdict(result)
    data["exit_code"] = result.exit_code
    return dump_json(data)
