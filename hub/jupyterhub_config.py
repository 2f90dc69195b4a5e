"""JupyterHub configuration of a local class (started by hub/classroom.py; see its docstring).

Real local accounts, each server a process of its own account (LocalProcessSpawner), on 127.0.0.1.
The login is JupyterHub's DummyAuthenticator with one generated password: a **test login** for a
local demo or the class test, not for a real class (use PAM, OAuth or LTI there).
The class's settings come from the JSON file named by ``NEEDLING_HUB_CLASS``.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classroom  # noqa: E402

c = get_config()  # noqa: F821 - injected by traitlets
settings = classroom.load(os.environ["NEEDLING_HUB_CLASS"])
state = settings.state
prefix = Path(settings.prefix)

# --- where the hub listens and keeps its state -------------------------------------------------
c.JupyterHub.bind_url = settings.url
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.hub_port
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.last_activity_interval = settings.activity_interval_s
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")  # a proxy left by a killed hub is stopped
c.ConfigurableHTTPProxy.command = [str(classroom.HUB / "node_modules" / ".bin" / "configurable-http-proxy")]

# --- who may log in: the class accounts, with the test password --------------------------------
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = settings.password
c.Authenticator.allowed_users = set(settings.users)
c.Authenticator.admin_users = set()  # nobody can open another user's server, the instructor neither

# --- each user's server: the trainees' environment, the role's Jupyter configuration ----------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(prefix / "trainee-env" / "bin" / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def role_environment(spawner):
    """PATH, the role's config folders and the exchange (JupyterHub 6 passes no PATH by itself)."""
    spawner.environment.update(settings.environment(spawner.user.name))


c.Spawner.pre_spawn_hook = role_environment

# --- idle culling and the class's admin service ----------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            str(prefix / "hub-env" / "bin" / "python"),
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={settings.cull_timeout_s}",
            f"--cull-every={settings.cull_every_s}",
        ],
    },
    # For classroom.py and the class test: spawn and stop servers, make tokens. Not a user: it
    # cannot open anyone's server or files (no access:servers scope).
    {"name": "class-admin", "api_token": settings.admin_token},
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
    {
        "name": "class-admin",
        "scopes": ["list:users", "read:users", "read:servers", "servers", "tokens"],
        "services": ["class-admin"],
    },
]
