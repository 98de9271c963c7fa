"""deploy/ matches the code: every container of the rendered Kubernetes manifests (base and the
production overlay) runs a real entry point, listens on the port its environment sets, probes
paths that exist, and sets only variables the code reads, secrets from the cluster; the
Procfile, the gunicorn config, the alert rules and the dashboard name real things too."""

from __future__ import annotations

import ast
import json
import re
import runpy
import shutil
import subprocess
from functools import cache
from urllib.parse import urlsplit

import pytest
import yaml

from hotline.config import PROJECT_ROOT, SECRET_VARIABLES
from hotline.ops import serve

DEPLOY = PROJECT_ROOT / "deploy"
RENDERS = ("k8s/base", "k8s/overlays/production")
# Read by libraries, not by hotline/config.py: Rasa's own switch.
LIBRARY_VARIABLES = {"RASA_TELEMETRY_ENABLED"}
# Never a literal in a manifest: these come from the cluster's Secret.
SECRET_NAMES = {*SECRET_VARIABLES.values(), "REDIS_URL", "HOTLINE_METRICS_TOKEN",
                "ACTION_SERVER_TOKEN"}


@cache
def code_variables() -> frozenset[str]:
    """Every variable hotline/config.py reads (`_env(env, "NAME", ...)` and its kin), and the
    ones Rasa substitutes into bot/endpoints.yml."""
    tree = ast.parse((PROJECT_ROOT / "hotline" / "config.py").read_text())
    names = {
        node.args[1].value for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        and node.func.id in ("_env", "_int", "_float", "_list", "_flag")
        and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)
    }
    endpoints = (PROJECT_ROOT / "bot" / "endpoints.yml").read_text()
    return frozenset(names | set(re.findall(r"\$\{(\w+)\}", endpoints)))


@cache
def render(path: str) -> tuple[dict, ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (it renders the kustomizations)")
    result = subprocess.run([kubectl, "kustomize", str(DEPLOY / path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(docs, kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def containers(docs):
    for name, deployment in of_kind(docs, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield name, deployment, container


def env_of(container) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env", [])}


def literal(container, name: str, config: dict) -> str | None:
    item = env_of(container).get(name)
    if item is None:
        return None
    if "value" in item:
        return item["value"]
    ref = item.get("valueFrom", {}).get("configMapKeyRef")
    return config[ref["name"]]["data"][ref["key"]] if ref else None


def test_code_variables_are_found():
    # The parser of config.py must keep finding what it reads, or every check below is empty.
    assert {"REDIS_URL", "HOTLINE_PORT", "RASA_URL", "HOTLINE_SECRET", "HOTLINE_LOG_FORMAT",
            "PROMETHEUS_MULTIPROC_DIR", "NLG_URL", "ACTION_SERVER_URL"} <= code_variables()


@pytest.mark.parametrize("path", RENDERS)
def test_every_container_runs_an_entry_point_with_what_it_needs(path):
    docs = render(path)
    config = of_kind(docs, "ConfigMap")
    seen = set()
    for name, _, container in containers(docs):
        command = container["command"]
        assert command[:3] == ["python", "-m", "hotline.ops.serve"], name
        service = command[3]
        assert service in serve.SERVICES and service != "sandbox", name
        seen.add(service)
        env = env_of(container)
        unknown = set(env) - code_variables() - LIBRARY_VARIABLES
        assert not unknown, f"{name} sets variables no code reads: {sorted(unknown)}"
        missing = set(serve.NEEDS[service]) - set(env)
        assert not missing, f"{name} lacks {sorted(missing)}"
        for variable, item in env.items():
            ref = item.get("valueFrom", {})
            if variable in SECRET_NAMES:
                assert ref.get("secretKeyRef", {}).get("name") == "hotline-secrets", variable
                assert ref["secretKeyRef"]["key"] == variable
            if "configMapKeyRef" in ref:
                cm = ref["configMapKeyRef"]
                assert cm["key"] in config[cm["name"]]["data"], (name, variable)
    assert seen == set(serve.NEEDS)  # every deployable service is deployed


@pytest.mark.parametrize("path", RENDERS)
def test_ports_probes_and_services_agree_with_the_code(path, app):
    docs = render(path)
    config = of_kind(docs, "ConfigMap")
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    ports_by_app = {}
    for name, deployment, container in containers(docs):
        service = container["command"][3]
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
        ports_by_app[deployment["spec"]["selector"]["matchLabels"]["app"]] = ports
        variable = serve.PORT_VARIABLES.get(service)
        if service in serve.EXEC_PROBES:
            # Probed by a command reading the beat file the service writes.
            live, ready = serve.EXEC_PROBES[service]
            assert container["livenessProbe"]["exec"]["command"] == live, name
            if ready:
                assert container["readinessProbe"]["exec"]["command"] == ready, name
            else:
                assert "readinessProbe" not in container, name
            beat = literal(container, "HOTLINE_BEAT_FILE", config)
            mounts = [m["mountPath"] for m in container.get("volumeMounts", [])]
            assert any(beat.startswith(m.rstrip("/") + "/") for m in mounts), (name, beat)
        if service == "sweeper":
            assert not ports
            continue
        assert int(literal(container, variable, config)) in ports.values(), (name, variable)
        if service not in serve.EXEC_PROBES:
            liveness, readiness = serve.PROBES[service]
            for probe, want in (("livenessProbe", liveness), ("readinessProbe", readiness)):
                check = container[probe]["httpGet"]
                assert check["path"] == want and check["port"] in ports, (name, probe)
            if service == "gateway":
                assert {liveness, readiness} <= routes
        # Bound to every interface of the pod: the default 127.0.0.1 would refuse the probes and
        # Prometheus.
        host = {"gateway": "HOTLINE_HOST", "actions": "ACTION_SERVER_HOST", "rasa": "RASA_HOST",
                "worker": "HOTLINE_METRICS_HOST"}[service]
        assert literal(container, host, config) == "0.0.0.0", name
    services = of_kind(docs, "Service")
    assert set(services) == {"gateway", "rasa", "actions"}  # the network-facing pieces
    for name, svc in services.items():
        target = ports_by_app[svc["spec"]["selector"]["app"]]
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in target, name
    # Peer URLs name a Service and its port.
    for variable in ("RASA_URL", "ACTION_SERVER_URL", "NLG_URL"):
        url = urlsplit(config["hotline-config"]["data"][variable])
        assert url.port in [p["port"] for p in services[url.hostname]["spec"]["ports"]], variable
    assert urlsplit(config["hotline-config"]["data"]["NLG_URL"]).path in routes


@pytest.mark.parametrize("path", RENDERS)
def test_one_sweeper_and_scalable_gateway_and_workers(path):
    deployments = of_kind(render(path), "Deployment")
    sweeper = deployments["sweeper"]["spec"]
    assert sweeper["replicas"] == 1 and sweeper["strategy"]["type"] == "Recreate"
    for name in ("gateway", "worker", "rasa"):
        assert deployments[name]["spec"]["replicas"] >= 2, name
    for _, _, container in containers(render(path)):
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]


@pytest.mark.parametrize("path", RENDERS)
def test_rasa_and_the_action_server_run_on_x86_nodes_the_rest_anywhere(path):
    # tensorflow-text 2.12.0, which Rasa 3.6 needs on Linux, has no aarch64 file; the app's lock
    # installs on both (bench/platforms.sh).
    for name, deployment in of_kind(render(path), "Deployment").items():
        selector = deployment["spec"]["template"]["spec"].get("nodeSelector") or {}
        wanted = {"kubernetes.io/arch": "amd64"} if name in ("rasa", "actions") else {}
        assert selector == wanted, name


def test_production_pins_its_images_and_scales_with_load():
    docs = render("k8s/overlays/production")
    for _, _, container in containers(docs):
        assert not container["image"].endswith(":latest"), container["image"]
    assert {doc["metadata"]["namespace"] for doc in docs if doc["kind"] != "Namespace"} \
        == {"mpp-hotline"}
    assert set(of_kind(docs, "HorizontalPodAutoscaler")) == {"gateway", "worker"}


def test_procfile_runs_the_entry_points():
    lines = [line for line in (DEPLOY / "Procfile").read_text().splitlines()
             if line and not line.startswith("#")]
    services = {line.split(":", 1)[1].split()[-1] for line in lines}
    assert all(line.split(":", 1)[1].split()[:3] == ["python", "-m", "hotline.ops.serve"]
               for line in lines)
    assert services == set(serve.NEEDS)


def test_the_dockerfile_builds_both_images_with_the_entry_point():
    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM \S+ AS app$", text, re.M) and re.search(r"^FROM \S+ AS rasa$", text,
                                                                      re.M)
    assert '"hotline.ops.serve"' in text and "USER 10001" in text


def test_gunicorn_binds_from_the_environment_and_logs_no_query_strings(monkeypatch):
    monkeypatch.setenv("HOTLINE_HOST", "0.0.0.0")
    monkeypatch.setenv("HOTLINE_PORT", "9999")
    monkeypatch.setenv("HOTLINE_GATEWAY_WORKERS", "5")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["bind"] == ["0.0.0.0:9999"] and conf["workers"] == 5
    assert conf["timeout"] > 15  # longer than Twilio waits for a webhook
    fmt = conf["access_log_format"]
    assert "%(U)s" in fmt and "%(r)s" not in fmt and "%(q)s" not in fmt
    assert conf["logger_class"].__name__ == "HotlineLogger"


def test_the_access_log_has_no_token_even_when_a_client_puts_one_in_the_url(monkeypatch):
    """gunicorn's own access line, with the configured format, through hotline.logs."""
    import logging
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("access_log_format", conf["access_log_format"])
    cfg.set("accesslog", "-")
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        root.handlers = []
        logger = conf["logger_class"](cfg)
        records = []
        root.handlers[0].emit = lambda record: records.append(root.handlers[0].format(record))
        environ = {"REQUEST_METHOD": "POST", "RAW_URI": "/nlg?token=s3cr3t-nlg-token",
                   "PATH_INFO": "/nlg", "QUERY_STRING": "token=s3cr3t-nlg-token",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7"}
        logger.access(SimpleNamespace(status="200 OK", sent=12, headers=[]), {}, environ,
                      timedelta(milliseconds=42))
    finally:
        root.handlers, root.level = saved
    assert len(records) == 1
    assert '"POST /nlg HTTP/1.1" 200 12 42ms' in records[0]
    assert "s3cr3t" not in records[0]


def metric_names() -> set[str]:
    """The metric families the code defines (counted ones and those read from Redis)."""
    names = set()
    for path in (PROJECT_ROOT / "hotline" / "metrics.py", PROJECT_ROOT / "webhooks" / "metrics.py"):
        names |= set(re.findall(r'"(hotline_[a-z_]+)"', path.read_text()))
    return names


def used_metrics(expr: str) -> set[str]:
    found = set(re.findall(r"\b(hotline_[a-z_]+)", expr))
    # A histogram's series and a counter's family name both stand for the defined family.
    return {re.sub(r"_(bucket|count|sum)$", "", name) for name in found}


def test_alert_rules_and_dashboard_use_metrics_the_code_exports():
    defined = metric_names()
    assert {"hotline_messages_in_total", "hotline_reply_seconds", "hotline_queue_depth",
            "hotline_escalations_waiting", "hotline_broadcast_messages",
            "hotline_twilio_errors_total"} <= defined
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((DEPLOY / "grafana" / "hotline.json").read_text())
    exprs += [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = set().union(*(used_metrics(e) for e in exprs))
    assert used and used <= defined, sorted(used - defined)
    assert {"hotline_reply_seconds", "hotline_queue_depth"} <= used


@pytest.mark.parametrize("path", RENDERS)
def test_rasa_and_the_action_server_admit_exactly_their_callers(path):
    """Who may reach a private service is who is told its URL (RASA_URL, ACTION_SERVER_URL)."""
    docs = render(path)
    policies = of_kind(docs, "NetworkPolicy")
    for service, variable in (("rasa", "RASA_URL"), ("actions", "ACTION_SERVER_URL")):
        callers = {deployment["spec"]["selector"]["matchLabels"]["app"]
                   for _, deployment, container in containers(docs)
                   if variable in env_of(container)}
        rule = policies[service]["spec"]["ingress"]
        admitted = {peer["podSelector"]["matchLabels"]["app"]
                    for entry in rule for peer in entry["from"]}
        assert policies[service]["spec"]["podSelector"]["matchLabels"] == {"app": service}
        assert admitted == callers - {service}, service
