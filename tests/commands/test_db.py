from genuine.cli import cli
from genuine.db import head_revision


def test_current_then_upgrade_report_revisions(runner, app):
    shown = runner.invoke(cli, ["db", "current"])
    assert shown.exit_code == 0
    assert f"database: {head_revision()}" in shown.stdout
    assert f"code:     {head_revision()}" in shown.stdout
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0 and f"database at {head_revision()}" in upgraded.stdout
