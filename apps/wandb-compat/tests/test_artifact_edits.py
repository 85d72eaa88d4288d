"""Artifact tags, aliases and deletion through the W&B door: `log_artifact(tags=)`, `artifact.save()`, `artifact.delete()`."""

from __future__ import annotations

from conftest import WandbEnv, marker
from test_wire import call

LOG = """
import wandb
run = wandb.init()
art = wandb.Artifact("tagged", type="dataset")
with art.new_file("a.txt") as f:
    f.write("CONTENT")
run.log_artifact(art, tags=["orig-tag", "other tag"])
art.wait()
print(f"ART_ID={art.id}")
print(f"VERSION={art.version}")
run.finish()
"""

READ = """
import sys, wandb
try:
    art = wandb.Api().artifact(sys.argv[1])
except Exception as error:
    print(f"MISSING={type(error).__name__}: {error}")
    raise SystemExit(0)
print(f"TAGS={','.join(sorted(art.tags))}")
print(f"ALIASES={','.join(sorted(art.aliases))}")
"""

EDIT = """
import sys, wandb
art = wandb.Api().artifact(sys.argv[1])
art.tags = [t for t in art.tags if t != "other tag"] + ["added_tag"]
art.aliases.append("hello")
art.save()
# The answer to UpdateArtifact refreshes the object at once.
print(f"TAGS={','.join(sorted(art.tags))}")
"""

DELETE = """
import sys, wandb
from wandb.errors import CommError
art = wandb.Api().artifact(sys.argv[1])
try:
    art.delete()
except CommError as error:
    print(f"REFUSED={error}")
art.delete(delete_aliases=True)
print("DELETED=1")
"""

MUTATE = """mutation M($id: ID!, $tags: [TagInput!]) {
  updateArtifact(input: {artifactID: $id, tagsToAdd: $tags}) { artifact { id tags { name } } }
}"""
DELETE_ARTIFACT = """mutation D($id: ID!) { deleteArtifact(input: {artifactID: $id, deleteAliases: true}) { artifact { id } } }"""
ADD_ALIAS = """mutation A($id: ID!, $entity: String!, $project: String!) {
  addAliases(input: {artifactID: $id, aliases: [{entityName: $entity, projectName: $project, artifactCollectionName: "tagged", alias: "mine"}]}) { success }
}"""


def test_tags_given_at_logging_are_served_and_saved_edits_change_tags_and_aliases(wb: WandbEnv) -> None:
    out = wb.python(LOG.replace("CONTENT", "one")).stdout
    name = f"{wb.tenant.org}/{wb.tenant.project}/tagged:v0"
    read = wb.python(READ, name).stdout
    assert marker(read, "TAGS") == "orig-tag,other tag"
    assert marker(read, "ALIASES") == "latest"

    assert marker(wb.python(EDIT, name).stdout, "TAGS") == "added_tag,orig-tag"
    read = wb.python(READ, name).stdout
    assert marker(read, "TAGS") == "added_tag,orig-tag"
    assert marker(read, "ALIASES") == "hello,latest"
    # The alias is Trackbase's own: its REST API shows it on the version (Trackbase's v1).
    version = wb.tenant.owner.api.get(f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/tagged/versions/v1")
    assert version["id"] == marker(out, "ART_ID") and sorted(version["aliases"]) == ["hello", "latest"]
    # The alias names the version in W&B references too.
    assert marker(wb.python(READ, name.replace(":v0", ":hello")).stdout, "TAGS") == "added_tag,orig-tag"

    # The same content logged again with other tags is the same version: it gains them.
    again = wb.python(LOG.replace("CONTENT", "one").replace('"orig-tag", "other tag"', '"third"')).stdout
    assert marker(again, "ART_ID") == marker(out, "ART_ID")
    assert marker(wb.python(READ, name).stdout, "TAGS") == "added_tag,orig-tag,third"


def test_a_tag_the_client_would_refuse_is_refused_by_the_server_too(wb: WandbEnv) -> None:
    art_id = marker(wb.python(LOG.replace("CONTENT", "two")).stdout, "ART_ID")
    for bad in ["!invalid-tag:with-punctuation", " leading space", ""]:
        status, body = call(wb, "/graphql", {"query": MUTATE, "variables": {"id": art_id, "tags": [{"tagName": bad}]}})
        assert status == 200 and body["errors"][0]["message"].startswith("Invalid tag"), body
    status, body = call(wb, "/graphql", {"query": MUTATE, "variables": {"id": art_id, "tags": [{"tagName": "fine tag"}]}})
    assert body["data"]["updateArtifact"]["artifact"]["tags"] == [{"name": "fine tag"}, {"name": "orig-tag"}, {"name": "other tag"}], body


def test_delete_needs_delete_aliases_and_moves_the_version_to_the_trash(wb: WandbEnv) -> None:
    wb.python(LOG.replace("CONTENT", "three"))
    name = f"{wb.tenant.org}/{wb.tenant.project}/tagged:v0"
    out = wb.python(DELETE, name).stdout
    assert "has aliases (latest)" in marker(out, "REFUSED")
    assert marker(out, "DELETED") == "1"
    assert "not found" in marker(wb.python(READ, name).stdout, "MISSING")
    wb.tenant.owner.api.get(f"/orgs/{wb.tenant.org}/projects/{wb.tenant.project}/artifacts/tagged/versions/v1", expect=404)


def test_another_organization_cannot_tag_alias_or_delete_a_version_and_a_viewer_cannot_delete(wb: WandbEnv) -> None:
    from trackbase_testing import new_tenant

    art_id = marker(wb.python(LOG.replace("CONTENT", "four")).stdout, "ART_ID")
    other = new_tenant(wb.tenant.url)
    where = {"id": art_id, "entity": wb.tenant.org, "project": wb.tenant.project}
    for query, variables in [
        (MUTATE, {"id": art_id, "tags": [{"tagName": "theirs"}]}),
        (ADD_ALIAS, where),
        (DELETE_ARTIFACT, {"id": art_id}),
    ]:
        status, body = call(wb, "/graphql", {"query": query, "variables": variables}, key=other.key)
        # Exactly as an artifact that does not exist.
        assert status == 200 and body["errors"][0]["extensions"]["code"] == "not_found", body
    viewer = wb.tenant.add_member("member").api_key()
    status, body = call(wb, "/graphql", {"query": DELETE_ARTIFACT, "variables": {"id": art_id}}, key=viewer)
    assert body["errors"][0]["extensions"]["code"] == "forbidden", body
    status, body = call(wb, "/graphql", {"query": ADD_ALIAS, "variables": where}, key=viewer)
    assert body["errors"][0]["extensions"]["code"] == "forbidden", body
    # Nothing changed.
    read = wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/tagged:v0").stdout
    assert marker(read, "TAGS") == "orig-tag,other tag" and marker(read, "ALIASES") == "latest"


DELETE_ALIAS = """mutation R($id: ID!, $entity: String!, $project: String!) {
  deleteAliases(input: {artifactID: $id, aliases: [{entityName: $entity, projectName: $project, artifactCollectionName: "tagged", alias: "best"}]}) { success }
}"""


def test_deleting_an_alias_through_another_version_leaves_it_where_it_is(wb: WandbEnv) -> None:
    first = marker(wb.python(LOG.replace("CONTENT", "five").replace("tags=[", 'aliases=["best"], tags=[')).stdout, "ART_ID")
    second = marker(wb.python(LOG.replace("CONTENT", "six")).stdout, "ART_ID")
    where = {"entity": wb.tenant.org, "project": wb.tenant.project}
    status, body = call(wb, "/graphql", {"query": DELETE_ALIAS, "variables": {"id": second, **where}})
    assert body["errors"][0]["extensions"]["code"] == "not_found", body
    assert marker(wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/tagged:v0").stdout, "ALIASES") == "best"
    status, body = call(wb, "/graphql", {"query": DELETE_ALIAS, "variables": {"id": first, **where}})
    assert body["data"]["deleteAliases"]["success"] is True, body
    assert marker(wb.python(READ, f"{wb.tenant.org}/{wb.tenant.project}/tagged:v0").stdout, "ALIASES") == ""
