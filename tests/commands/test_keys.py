from genuine.cli import cli


def test_create_list_revoke(runner, app):
    created = runner.invoke(cli, ["keys", "create", "ops", "--admin"])
    assert created.exit_code == 0 and created.stdout.startswith("gen_")
    assert "not shown again" in created.stderr
    listed = runner.invoke(cli, ["keys", "list"]).stdout
    assert "ops" in listed and "admin" in listed and "active" in listed
    assert runner.invoke(cli, ["keys", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["keys", "list"]).stdout
    missing = runner.invoke(cli, ["keys", "revoke", "42"])
    assert missing.exit_code == 2 and "no key with id 42" in missing.stderr
