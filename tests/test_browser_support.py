"""The browser-test helpers themselves: the skip/fail rule and server clean-up (no browser needed)."""

import importlib.util
import sys
from pathlib import Path

import pytest

# tests/ is not a package and the suite imports in "importlib" mode: load the helpers by path.
_spec = importlib.util.spec_from_file_location(
    "_browser_support", Path(__file__).with_name("browser_support.py"))
bs = sys.modules.setdefault("_browser_support", importlib.util.module_from_spec(_spec))
if not hasattr(bs, "ROOT"):
    _spec.loader.exec_module(bs)


def test_without_chromium_the_browser_tests_skip_with_the_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium"):
        bs.chromium_or_skip()


def test_without_chromium_the_browser_tests_fail_where_they_are_required(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium.*REQUIRE_BROWSER=1"):
        bs.chromium_or_skip()


def test_a_served_process_is_stopped_and_its_port_closed_even_when_the_test_fails(tmp_path):
    port = bs.free_port()
    argv = [sys.executable, "-m", "http.server", "--bind", bs.HOST, str(port)]
    with pytest.raises(RuntimeError, match="the test failed"):
        with bs.serve("http.server", argv, cwd=tmp_path, env=bs.jupyter_env(tmp_path / "state"), port=port,
                      token="unused", ready_path="/", log=tmp_path / "server.log", timeout=30) as server:
            assert bs.port_is_open(port)
            process = server.process
            raise RuntimeError("the test failed")
    assert process.poll() is not None, "the server process still runs"
    assert not bs.port_is_open(port)


def test_jupyter_state_goes_to_the_given_folder_and_the_kernel_stays_visible(tmp_path):
    import json
    import subprocess

    env = bs.jupyter_env(tmp_path)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        assert Path(env[name]).is_relative_to(tmp_path), name
    out = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"], env=env,
                         capture_output=True, text=True, check=True, timeout=60)
    specs = json.loads(out.stdout)["kernelspecs"]
    assert "python3" in specs
    assert Path(specs["python3"]["resource_dir"]).is_relative_to(sys.prefix)
