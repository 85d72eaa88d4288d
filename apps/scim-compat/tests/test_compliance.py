"""scim2-tester's whole suite (discovery, CRUD, attribute filtering, PATCH add/replace/remove) against one organization."""

from __future__ import annotations

from collections import Counter

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

from conftest import ScimTenant


def scim_client(base_url: str, token: str) -> SyncSCIMClient:
    return SyncSCIMClient(Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60))


def test_every_check_of_scim2_tester_passes(scim_tenant: ScimTenant) -> None:
    results = check_server(scim_client(scim_tenant.base_url, scim_tenant.token))
    counts = Counter(r.status.name for r in results)
    print(f"scim2-tester: {len(results)} checks, {dict(counts)}")
    failed = [r for r in results if r.status not in (Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE)]
    report = "\n".join(f"- [{r.status.name}] {r.resource_type or ''} {r.title}: {r.reason}" for r in failed)
    assert not failed, f"{len(failed)} of {len(results)} checks did not pass:\n{report}"
    # The suite reached the resources: creation, PATCH and deletion checks ran for both Users and Groups.
    ran = {(r.resource_type, r.title) for r in results if r.status == Status.SUCCESS}
    for kind in ("User", "Group"):
        for title in ("object_creation", "object_replacement", "object_deletion", "check_add_attribute", "check_remove_attribute"):
            assert (kind, title) in ran, f"{title} did not run for {kind}"


def test_another_organizations_token_is_refused(scim_tenant: ScimTenant, trackbase_server: object) -> None:
    from trackbase_testing import new_tenant

    other = new_tenant(trackbase_server.url)  # type: ignore[attr-defined]
    token = other.owner.api.post(f"/orgs/{other.org}/scim-tokens", {"name": "other"}, expect=201)["token"]
    with Client(base_url=scim_tenant.base_url, headers={"Authorization": f"Bearer {token}"}) as client:
        answer = client.get("/Users")
    assert answer.status_code == 401
    assert answer.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
