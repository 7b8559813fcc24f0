"""Settings from the environment."""

from __future__ import annotations

import pytest

from dialer.app.settings import SettingsError, load_settings


def test_defaults_are_the_embedded_setup():
    settings = load_settings({})
    assert settings.database_url == "sqlite://dialer.sqlite3" and settings.dialect == "sqlite"
    assert settings.broadcast_url == "memory://" and settings.freeswitch == "sim"
    assert settings.freeswitch_nodes == () and not settings.jwt_enabled
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)


def test_freeswitch_cluster_urls():
    nodes = load_settings({"DIALER_FREESWITCH": "esl://:s3cret@10.0.0.5:8021,esl://fs2"}).freeswitch_nodes
    assert [(n.host, n.port, n.password) for n in nodes] == [("10.0.0.5", 8021, "s3cret"), ("fs2", 8021, "ClueCon")]


@pytest.mark.parametrize(
    "env",
    [
        {"DIALER_PORT": "0"},
        {"DIALER_PORT": "http"},
        {"DIALER_DATABASE_URL": "mysql://x"},
        {"DIALER_FREESWITCH": "http://fs1"},
        {"DIALER_FREESWITCH": "esl://fs1:port"},
        {"DIALER_BOOTSTRAP_TOKEN": "maybe"},
        {"DIALER_JWT_PUBLIC_KEY": "/no/such/file.pem"},
        {"DIALER_MAX_BODY_BYTES": "10"},
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        load_settings(env)


def test_public_key_from_a_file(tmp_path):
    pem = "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n"
    (tmp_path / "key.pem").write_text(pem)
    assert load_settings({"DIALER_JWT_PUBLIC_KEY": str(tmp_path / "key.pem")}).jwt_public_key == pem
