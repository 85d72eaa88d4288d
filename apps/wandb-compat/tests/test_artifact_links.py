"""W&B links (`run.link_artifact`, `artifact.link`): a version linked into a portfolio or a registry, with its own numbering and aliases."""

from __future__ import annotations

from conftest import WandbEnv, marker
from test_wire import call

LOG_AND_LINK = """
import sys, wandb
run = wandb.init()
art = wandb.Artifact("weights", type="model")
with art.new_file("w.txt") as f:
    f.write(sys.argv[1])
run.log_artifact(art)
art.wait()
linked = run.link_artifact(art, sys.argv[2], aliases=[a for a in sys.argv[3].split(",") if a])
print(f"ART_ID={art.id}")
print(f"LINKED={linked.name}")
print(f"VERSION={linked.version}")
print(f"ALIASES={','.join(sorted(linked.aliases))}")
run.finish()
"""

READ = """
import sys, wandb
try:
    art = wandb.Api().artifact(sys.argv[1])
except Exception as error:
    print(f"MISSING={type(error).__name__}: {error}")
    raise SystemExit(0)
print(f"ID={art.id}")
print(f"VERSION={art.version}")
print(f"ALIASES={','.join(sorted(art.aliases))}")
print(f"CONTENT={open(art.download(root=sys.argv[2]) + '/w.txt').read()}")
"""

LINK = """mutation L($input: LinkArtifactInput!) { linkArtifact(input: $input) { versionIndex } }"""


def link_input(wb: WandbEnv, art_id: str, portfolio: str = "best-models", **extra: object) -> dict:
    return {"input": {"artifactID": art_id, "artifactPortfolioName": portfolio, "entityName": wb.tenant.org, "projectName": wb.tenant.project, **extra}}


def test_links_into_a_portfolio_are_numbered_there_and_carry_their_own_aliases(wb: WandbEnv) -> None:
    ref = f"{wb.tenant.org}/{wb.tenant.project}"
    first = wb.python(LOG_AND_LINK, "one", "best-models", "prod").stdout
    assert marker(first, "LINKED") == "best-models:v0" and marker(first, "VERSION") == "v0"
    assert marker(first, "ALIASES") == "latest,prod"
    second = wb.python(LOG_AND_LINK, "two", "best-models", "prod").stdout
    assert marker(second, "LINKED") == "best-models:v1" and marker(second, "ALIASES") == "latest,prod"

    # The portfolio names the versions by its own numbering; the alias moved with the second link.
    read = wb.python(READ, f"{ref}/best-models:v0", str(wb.dir / "a")).stdout
    assert marker(read, "ID") == marker(first, "ART_ID") and marker(read, "CONTENT") == "one" and marker(read, "ALIASES") == ""
    read = wb.python(READ, f"{ref}/best-models:prod", str(wb.dir / "b")).stdout
    assert marker(read, "ID") == marker(second, "ART_ID") and marker(read, "CONTENT") == "two" and marker(read, "VERSION") == "v1"
    assert marker(wb.python(READ, f"{ref}/best-models:latest", str(wb.dir / "c")).stdout, "CONTENT") == "two"
    # The linked versions stay what they were in their own collection.
    assert marker(wb.python(READ, f"{ref}/weights:v0", str(wb.dir / "d")).stdout, "ALIASES") == ""

    # Linking a version again is the link it has.
    status, body = call(wb, "/graphql", {"query": LINK, "variables": link_input(wb, marker(first, "ART_ID"))})
    assert status == 200 and body["data"]["linkArtifact"]["versionIndex"] == 0, body


def test_a_version_links_into_an_organization_registry(wb: WandbEnv) -> None:
    out = wb.python(LOG_AND_LINK, "reg", "wandb-registry-model/my-coll", "staging").stdout
    assert marker(out, "VERSION") == "v0" and marker(out, "ALIASES") == "latest,staging"
    read = wb.python(READ, f"{wb.tenant.org}/wandb-registry-model/my-coll:staging", str(wb.dir / "r")).stdout
    assert marker(read, "ID") == marker(out, "ART_ID") and marker(read, "CONTENT") == "reg"


def test_links_need_the_role_that_logs_artifacts_and_stay_inside_the_organization(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    out = wb.python(LOG_AND_LINK, "mine", "best-models", "").stdout
    art_id = marker(out, "ART_ID")
    viewer = wb.tenant.add_member("member").api_key()  # an org member reads the org-visible project: a viewer there
    status, body = call(wb, "/graphql", {"query": LINK, "variables": link_input(wb, art_id, "viewer-models")}, key=viewer)
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "forbidden", body
    # The viewer reads the link.
    assert marker(wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/best-models:v0", str(wb.dir / "v"), key=viewer).stdout, "CONTENT") == "mine"

    other = new_tenant(wb.tenant.url)
    # Another organization can neither link this version (into its own project or this one) nor read the link.
    for entity, project in [(other.org, other.project), (wb.tenant.org, wb.tenant.project)]:
        variables = {"input": {"artifactID": art_id, "artifactPortfolioName": "stolen", "entityName": entity, "projectName": project}}
        status, body = call(wb, "/graphql", {"query": LINK, "variables": variables}, key=other.key)
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "not_found", body
    assert "MISSING" in wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/best-models:v0", str(wb.dir / "o"), key=other.key).stdout

    # A portfolio cannot take the name of an artifact of the project.
    status, body = call(wb, "/graphql", {"query": LINK, "variables": link_input(wb, art_id, "weights")})
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "bad_request", body
