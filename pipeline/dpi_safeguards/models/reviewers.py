"""Who may review contributions (``contributions/reviewers.yaml``) and how many must accept."""

from __future__ import annotations

from pydantic import Field

from dpi_safeguards.models.base import ShortText, StrictModel
from dpi_safeguards.models.contribution import GithubHandle


class Reviewer(StrictModel):
    name: ShortText = Field(description="The name recorded in reviews and release notes.")
    github: GithubHandle | None = Field(default=None, description="GitHub user name, no '@'.")
    affiliation: ShortText | None = None


class ReviewersFile(StrictModel):
    schema_: str | None = Field(default=None, alias="$schema")
    approvals_required: int = Field(
        default=1,
        ge=1,
        le=20,
        description="How many distinct reviewers must accept before a contribution is accepted.",
    )
    reviewers: list[Reviewer] = Field(min_length=1)
