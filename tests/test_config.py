"""The Streamlit configuration a classroom server relies on stays in place."""

import tomllib
from pathlib import Path

CONFIG = tomllib.loads(
    (Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text()
)


def test_no_garbage_collection_after_every_run():
    assert CONFIG["runner"]["postScriptGC"] is False


def test_uploads_and_messages_are_small_and_protected():
    server = CONFIG["server"]
    assert server["maxUploadSize"] <= 10 and server["maxMessageSize"] <= 16
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["runOnSave"] is False


def test_viewers_get_no_developer_tools_and_no_telemetry():
    assert CONFIG["client"]["toolbarMode"] == "viewer"
    assert CONFIG["browser"]["gatherUsageStats"] is False
