"""The browser-test helpers themselves: the skip/fail rule and server clean-up (no browser needed)."""

import importlib.util
import socket
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
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install chromium"):
        bs.chromium_or_skip()


@pytest.mark.parametrize(("name", "value"), [("REQUIRE_BROWSER", "1"), ("CI", "true")])
def test_without_chromium_the_browser_tests_fail_where_they_are_required(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install chromium.*a skip counts as a failure"):
        bs.chromium_or_skip()


def _http_server(port: int, token: str) -> list[str]:
    return [sys.executable, "-m", "http.server", "--bind", bs.HOST, str(port)]


def test_a_served_process_is_stopped_and_its_port_closed_even_when_the_test_fails(tmp_path):
    with pytest.raises(RuntimeError, match="the test failed"):
        with bs.serve("http.server", _http_server, cwd=tmp_path, env=bs.jupyter_env(tmp_path / "state"),
                      ready_path="/", log=tmp_path / "server.log", timeout=30) as server:
            assert bs.port_is_open(server.port) and server.owns_port()
            process, port = server.process, server.port
            raise RuntimeError("the test failed")
    assert process.poll() is not None, "the server process still runs"
    assert not bs.port_is_open(port)


def test_a_server_that_loses_its_port_is_started_again_on_another(tmp_path, monkeypatch):
    squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    squatter.bind((bs.HOST, 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    ports = iter([taken])
    free = bs.free_port
    monkeypatch.setattr(bs, "free_port", lambda: next(ports, None) or free())
    try:
        with bs.serve("http.server", _http_server, cwd=tmp_path, env=bs.jupyter_env(tmp_path / "state"),
                      ready_path="/", log=tmp_path / "server.log", timeout=30) as server:
            assert server.port != taken and server.owns_port()
    finally:
        squatter.close()


def test_only_the_known_anywidget_timeout_is_allowed_among_js_errors():
    class Page:
        js_errors = ["[anywidget] Failed to initialize model.", "TypeError: x is undefined"]

    assert bs.unexpected_js_errors(Page()) == ["TypeError: x is undefined"]
