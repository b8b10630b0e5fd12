"""create_app: configuration precedence and refusing unsafe settings."""

import pytest

from genuine import ConfigurationError, create_app


def test_defaults_to_a_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("GENUINE_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "inst")})
    engine = app.extensions["genuine.db"].engine
    assert engine.url.database == str(tmp_path / "inst" / "genuine.sqlite")
    assert (tmp_path / "inst").is_dir()


def test_precedence_instance_file_then_env_then_test_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("IMPORT_BATCH_SIZE = 7\nREDIS_URL = 'redis://file'\n")
    monkeypatch.setenv("GENUINE_INSTANCE_PATH", str(tmp_path))
    assert create_app().config["IMPORT_BATCH_SIZE"] == 7
    monkeypatch.setenv("GENUINE_IMPORT_BATCH_SIZE", "500")
    app = create_app()
    assert app.config["IMPORT_BATCH_SIZE"] == 500
    assert app.config["REDIS_URL"] == "redis://file"
    assert create_app({"IMPORT_BATCH_SIZE": 3}).config["IMPORT_BATCH_SIZE"] == 3


def test_refuses_default_secret_outside_development(tmp_path, monkeypatch):
    monkeypatch.setenv("GENUINE_ENVIRONMENT", "production")
    monkeypatch.delenv("GENUINE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="GENUINE_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("GENUINE_SECRET_KEY", "a-real-secret-from-the-operator")
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["ENVIRONMENT"] == "production"
