"""The Kubernetes route: hub/k8s/config.yaml against the Zero to JupyterHub chart's own schema.

Helm merges a values file over the chart's ``values.yaml`` (maps merge, everything else is
replaced, ``null`` removes a key) and validates the result against ``values.schema.yaml``; both
files are vendored from the chart at 4.4.0 (hub/k8s/vendor/README.md). The Python in
``hub.extraConfig`` is run here the way the chart's ``jupyterhub_config.py`` runs it: with ``c``
(a traitlets Config) and ``get_config`` (reading the merged values) in its namespace.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml
from tornado import web
from traitlets.config import Config

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "hub" / "k8s"
VENDOR = K8S / "vendor"


def load(path: Path):
    return yaml.safe_load(path.read_text())


def helm_merge(base, override):
    """Helm's coalescing of user values over chart values."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = helm_merge(merged.get(key), value) if key in merged else copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def schema():
    return load(VENDOR / "values.schema.yaml")


@pytest.fixture(scope="module")
def config():
    return load(K8S / "config.yaml")


def problems(values, schema) -> list[str]:
    merged = helm_merge(load(VENDOR / "values.yaml"), values)
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(merged)]


def test_the_vendored_chart_is_4_4_0_with_jupyterhub_5_5_0():
    readme = (VENDOR / "README.md").read_text()
    assert "**4.4.0**" in readme and "JupyterHub 5.5.0" in readme
    for lock in ("requirements-hub.lock", "requirements-trainee.lock"):
        assert "jupyterhub==5.5.0" in (REPO / "hub" / lock).read_text().splitlines()
    assert "jupyterhub-idle-culler==1.4.0" in (REPO / "hub" / "requirements-hub.lock").read_text()
    assert problems({}, load(VENDOR / "values.schema.yaml")) == []  # the chart's defaults pass its schema


def test_the_course_values_pass_the_chart_schema(config, schema):
    assert problems(config, schema) == []


@pytest.mark.parametrize(
    "path, key",
    [
        (("singleuser",), "memmory"),
        (("singleuser", "memory"), "limt"),
        (("singleuser", "networkPolicy", "egressAllowRules"), "nonPrivateIP"),
        (("cull",), "timout"),
        ((), "singleusr"),
    ],
)
def test_a_misspelt_key_fails_the_schema(config, schema, path, key):
    values = copy.deepcopy(config)
    node = values
    for part in path:
        node = node[part]
    node[key] = node.get(key[:-1], 1) if isinstance(node, dict) else 1
    found = problems(values, schema)
    assert found and any(key in p for p in found), found


def test_the_values_say_what_the_issue_asks(config):
    user = config["singleuser"]
    assert user["networkPolicy"]["enabled"] and not any(user["networkPolicy"]["egressAllowRules"].values())
    assert user["networkPolicy"]["egress"] == []
    assert config["cull"]["enabled"] and config["cull"]["timeout"] <= 3600
    assert user["uid"] is None  # per-user UIDs from extraConfig, not one for everyone
    (volume,) = user["storage"]["extraVolumes"]
    (mount,) = user["storage"]["extraVolumeMounts"]
    assert mount["mountPath"] == user["extraEnv"]["NBGRADER_EXCHANGE_ROOT"] == "/srv/nbgrader/exchange"
    claim = load(K8S / "exchange-pvc.yaml")
    assert claim["metadata"]["name"] == volume["persistentVolumeClaim"]["claimName"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert user["memory"]["guarantee"] and user["memory"]["limit"] and user["cpu"]["limit"]


def test_grading_runs_in_its_own_pod_without_network_or_hub_token():
    job, policy = yaml.safe_load_all((K8S / "grading-job.yaml").read_text())
    pod = job["spec"]["template"]["spec"]
    assert job["kind"] == "Job" and pod["automountServiceAccountToken"] is False
    (container,) = pod["containers"]
    assert container["command"][0] == "/opt/needling-hub/bin/needling-grade"
    assert not any("JUPYTERHUB" in e["name"] for e in container.get("env", []))
    assert policy["kind"] == "NetworkPolicy" and set(policy["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in policy["spec"] and "egress" not in policy["spec"]  # nothing allowed
    assert policy["spec"]["podSelector"]["matchLabels"] == job["spec"]["template"]["metadata"]["labels"]


def test_the_course_image_is_built_by_the_tested_install_script():
    dockerfile = (K8S / "Dockerfile").read_text()
    assert "python /src/hub/install.py --no-hub --prefix /opt/needling-hub" in dockerfile
    copied = [
        s
        for line in re.findall(r"^COPY (.+?) /\S+$", dockerfile.replace("\\\n", " "), flags=re.M)
        for s in line.split()
    ]
    assert copied and all((REPO / source).exists() for source in copied), copied
    assert not [s for s in copied if s.split("/")[0] in {"solutions", "exercises", "tests", "course"}]


# ------------------------------------------------------------------------- hub.extraConfig


def run_extra_config(values) -> Config:
    merged = helm_merge(load(VENDOR / "values.yaml"), values)

    def get_config(key, default=None):
        node = merged
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    c = Config()
    for name in sorted(merged["hub"]["extraConfig"]):
        exec(compile(merged["hub"]["extraConfig"][name], name, "exec"), {"c": c, "get_config": get_config})
    return c


def spawner_for(name: str):
    return SimpleNamespace(user=SimpleNamespace(name=name), environment={}, uid=1000, gid=1000)


def test_every_user_gets_their_own_uid_and_role(config):
    c = run_extra_config(config)
    hook = c.KubeSpawner.pre_spawn_hook
    seen = {}
    for name, uid in config["custom"]["needling"]["uids"].items():
        spawner = spawner_for(name)
        hook(spawner)
        assert (spawner.uid, spawner.gid) == (uid, uid)
        seen[name] = spawner.environment["NEEDLING_ROLE"]
        assert spawner.environment["JUPYTER_CONFIG_PATH"] == f"/opt/needling-hub/roles/{seen[name]}"
    assert seen == {"instructor": "instructor", "trainee1": "trainee", "trainee2": "trainee", "trainee3": "trainee"}
    assert c.Authenticator.allowed_users == set(config["custom"]["needling"]["uids"])


def test_a_user_off_the_roster_gets_no_server(config):
    hook = run_extra_config(config).KubeSpawner.pre_spawn_hook
    with pytest.raises(web.HTTPError) as caught:
        hook(spawner_for("stranger"))
    assert caught.value.status_code == 403 and "roster" in caught.value.log_message


@pytest.mark.parametrize(
    "uids, message",
    [({"a": 20001, "b": 20001}, "share a UID"), ({"a": 1000}, "10000 or more")],
)
def test_a_bad_roster_stops_the_hub_with_a_clear_error(config, uids, message):
    values = copy.deepcopy(config)
    values["custom"]["needling"]["uids"] = uids
    with pytest.raises(ValueError, match=message):
        run_extra_config(values)
