"""`init` on a project that does not exist (the npm SDK's `run/missing-project.ts`)."""

from __future__ import annotations

from typing import Callable

from ._api import TrackbaseApi
from ._errors import TrackbaseApiError


def create_missing_project(api: TrackbaseApi, org: str, project: str, say: Callable[[str], None]) -> None:
    """
    Creates the project when the key's owner may create projects in that organization (as W&B and
    MLflow do); otherwise says exactly which project and organization could not be found, and what to try.
    """
    ref = f"{org}/{project}"
    try:
        api.create_project(org, {"name": project, "slug": project})
    except TrackbaseApiError as error:
        details = error.details

        def refuse(message: str) -> TrackbaseApiError:
            return TrackbaseApiError(404, "not_found", message, details)

        if error.status == 404:
            raise refuse(
                f'organization "{org}" not found, or the API key\'s owner is not a member (`trackbase orgs` lists yours)'
            ) from None
        if error.status == 403:
            raise refuse(
                f'project "{ref}" not found, and the API key\'s role in organization "{org}" may not create projects; '
                f'check the name (`trackbase projects list {org}`) or ask an admin of "{org}" to create it'
            ) from None
        if error.status == 409:
            raise refuse(f'project "{ref}" exists but the API key\'s owner has no access to it; ask its maintainers') from None
        raise refuse(f'project "{ref}" not found and could not be created: {error}') from None
    say(f"trackbase: created project {ref} (it did not exist; pass create_project=False to init to make that an error)")
