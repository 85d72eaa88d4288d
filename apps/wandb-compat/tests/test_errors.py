"""Refusals: a key that is not valid, a viewer's key, another organization's entity; and the key format the client accepts."""

from __future__ import annotations

from trackbase_testing import new_tenant

from conftest import WandbEnv


def test_a_bad_key_is_refused(wb: WandbEnv) -> None:
    bad = "tbk_000000000000_" + "0" * 64
    result = wb.python(
        """
        import wandb
        wandb.init()
        """,
        key=bad,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "401" in result.stderr or "invalid" in result.stderr.lower() or "api key" in result.stderr.lower(), result.stderr[-2000:]
    assert wb.runs() == []


def test_a_viewers_key_cannot_log(wb: WandbEnv) -> None:
    viewer = wb.tenant.add_member("member")  # an org member reads the org-visible project: a viewer there
    result = wb.python(
        """
        import wandb
        wandb.init()
        """,
        key=viewer.api_key(),
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not allow" in result.stderr or "permission" in result.stderr.lower() or "403" in result.stderr, result.stderr[-2000:]
    assert wb.runs() == []


def test_another_organizations_entity_answers_as_missing(wb: WandbEnv) -> None:
    other = new_tenant(wb.tenant.url)
    result = wb.python(
        """
        import wandb
        wandb.init()
        """,
        check=False,
        timeout=120,
        WANDB_ENTITY=other.org,
        WANDB_PROJECT=other.project,
    )
    assert result.returncode != 0
    assert "not found" in result.stderr, result.stderr[-2000:]
    # Nothing was created there, and the caller learns nothing beyond "not found".
    assert other.owner.api.get(f"/orgs/{other.org}/projects/{other.project}/runs")["items"] == []


def test_a_new_project_is_created_on_first_use(wb: WandbEnv) -> None:
    wb.python(
        """
        import wandb
        run = wandb.init(project="made-by-wandb")
        run.log({"x": 1})
        run.finish()
        """
    )
    runs = wb.tenant.owner.api.get(f"/orgs/{wb.tenant.org}/projects/made-by-wandb/runs")["items"]
    assert len(runs) == 1 and runs[0]["state"] == "finished"


def test_issued_api_keys_pass_the_clients_own_check(wb: WandbEnv) -> None:
    keys = [wb.tenant.owner.api_key(f"k{i}") for i in range(12)]
    # Keys issued before had a base64url secret; one with an early '-' is what the client refused.
    refused_form = "tbk_0123456789ab_abcdef-" + "A" * 36
    out = wb.python(
        f"""
        import wandb
        keys = {keys!r}
        for key in keys:
            assert wandb.login(key=key, relogin=True, verify=True), key
        print("ACCEPTED", len(keys))
        try:
            wandb.login(key={refused_form!r}, relogin=True, verify=False)
            print("CONTROL_ACCEPTED")
        except Exception as error:
            print("CONTROL_REFUSED", type(error).__name__)
        """
    ).stdout
    assert "ACCEPTED 12" in out
    assert "CONTROL_REFUSED" in out  # the check is real: a short secret after '-' is refused by the client
