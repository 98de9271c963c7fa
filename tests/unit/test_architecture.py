"""The import rules of ARCHITECTURE.md, checked on the source: every module under hotline/,
actions/, webhooks/, sandbox/, rasa_ext/ and bench/ is parsed with `ast` (nothing is imported or
run), and each rule is a function from the parsed modules to the places that break it.

The last tests feed the checker synthetic modules that break each rule, so a rule that stopped
finding anything would fail here rather than pass quietly.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hotline", "actions", "webhooks", "sandbox", "rasa_ext", "bench")

# The floors, lowest first (ARCHITECTURE.md, "Who may import whom"). A module may import modules
# on its own floor or below; on its own floor, only modules of its own package.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("hotline", "hotline.config", "hotline.errors", "hotline.crypto", "hotline.text",
              "hotline.logs", "hotline.metrics", "hotline.heartbeat", "hotline.redis_connect",
              "hotline.replication", "hotline.liveness")),
    ("content", ("hotline.content", "hotline.content.*")),
    ("messaging rules, stores and clients", (
        "hotline.messaging", "hotline.messaging.channels", "hotline.messaging.keywords",
        "hotline.messaging.language", "hotline.messaging.menus", "hotline.messaging.sms",
        "hotline.messaging.serial", "hotline.messaging.messages", "hotline.messaging.assistant",
        "hotline.messaging.twilio_client", "hotline.messaging.payload",
        "hotline.messaging.pins", "hotline.messaging.phones", "hotline.messaging.billing",
        "hotline.messaging.flow", "hotline.messaging.turns",
        "hotline.messaging.deadletters", "hotline.messaging.misunderstood")),
    ("contacts", ("hotline.contacts",)),
    ("capability rules and stores", (
        "hotline.registration", "hotline.registration.answers", "hotline.registration.answers.*",
        "hotline.registration.reading", "hotline.registration.summary",
        "hotline.registration.store", "hotline.registration.form_mark",
        "hotline.registration.destinations", "hotline.registration.rights",
        "hotline.handoff", "hotline.handoff.*", "hotline.access", "hotline.access.*",
        "rasa_ext", "rasa_ext.keys")),
    ("runtime", ("hotline.runtime",)),
    ("send path", ("hotline.messaging.delivery", "hotline.messaging.routing",
                   "hotline.messaging.outbound", "hotline.messaging.callbacks")),
    ("registration use cases", ("hotline.registration.notify",)),
    ("outreach", ("hotline.outreach", "hotline.outreach.*")),
    ("erasure", ("hotline.erasure",)),
    ("inbound", ("hotline.messaging.inbound",)),
    ("processes", ("hotline.jobs", "hotline.sweeper", "webhooks", "webhooks.*", "actions",
                   "actions.*", "sandbox", "sandbox.*", "rasa_ext.*")),
    ("ops", ("hotline.ops", "hotline.ops.*")),
    ("benchmarks", ("bench", "bench.*")),
]
CORE = FLOORS[0][1]
KEY_PREFIX = "hl:"


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # one of our modules, or an outside dotted name
    names: tuple[str, ...]  # what `from target import ...` took from it (() for modules)
    line: int


@dataclass
class Module:
    name: str
    tree: ast.Module
    is_package: bool
    imports: list[Import] = field(default_factory=list)


def parse(sources: dict[str, str], packages: set[str]) -> dict[str, Module]:
    """Modules by dotted name; `packages` names the ones that are packages (__init__.py)."""
    modules = {name: Module(name, ast.parse(text), name in packages)
               for name, text in sources.items()}
    for module in modules.values():
        module.imports = list(_imports(module, modules))
    return modules


def read_tree(root: Path = ROOT) -> dict[str, Module]:
    sources, packages = {}, set()
    for top in PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
                packages.add(".".join(parts))
            sources[".".join(parts)] = path.read_text()
    return parse(sources, packages)


def _known(dotted: str, modules: dict[str, Module]) -> str:
    """The longest prefix of `dotted` that is one of our modules (else `dotted` itself)."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in modules:
            return ".".join(parts[:end])
    return dotted


def _imports(module: Module, modules: dict[str, Module]) -> Iterator[Import]:
    # Every import, at the top or inside a function: a lazy import is still a dependency.
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module.name, _known(alias.name, modules), (), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.name.split(".")
                base = base[:len(base) - node.level + (1 if module.is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in modules:  # `from package import module`
                    yield Import(module.name, f"{source}.{alias.name}", (), node.lineno)
                else:
                    yield Import(module.name, _known(source, modules), (alias.name,),
                                 node.lineno)


def floor(name: str) -> int:
    for number, (_, patterns) in enumerate(FLOORS):
        if any(fnmatch(name, pattern) for pattern in patterns):
            return number
    raise LookupError(f"{name} is on no floor: add it to FLOORS and ARCHITECTURE.md")


def package(name: str) -> str:
    """hotline.<capability> for a capability's modules, else the top-level package."""
    parts = name.split(".")
    if parts[0] == "hotline" and len(parts) > 2:
        return ".".join(parts[:2])
    return parts[0]


def ours(target: str) -> bool:
    return target.split(".")[0] in PACKAGES


def where(imp: Import) -> str:
    return f"{imp.module}:{imp.line} imports {imp.target}"


# The rules --------------------------------------------------------------------------------------
def floors_are_kept(modules: dict[str, Module]) -> list[str]:
    found = []
    for module in modules.values():
        here = floor(module.name)
        for imp in module.imports:
            if not ours(imp.target) or imp.target == module.name:
                continue
            there = floor(imp.target)
            if there > here:
                found.append(f"{where(imp)}: {FLOORS[there][0]} is above {FLOORS[here][0]}")
            elif there == here and package(imp.target) != package(module.name):
                found.append(f"{where(imp)}: another package on the same floor "
                             f"({FLOORS[here][0]})")
    return found


def core_imports_no_capability(modules: dict[str, Module]) -> list[str]:
    return [f"{where(imp)}: core imports only core"
            for name in CORE if name in modules
            for imp in modules[name].imports
            if ours(imp.target) and imp.target not in CORE]


# Benchmarks that measure Rasa's own code beside ours, run in the Rasa environment.
RASA_BENCHMARKS = ("bench.tracker_merge",)


def only_rasa_ext_imports_rasa(modules: dict[str, Module]) -> list[str]:
    found = []
    for module in modules.values():
        for imp in module.imports:
            top = imp.target.split(".")[0]
            if (top == "rasa" and package(module.name) != "rasa_ext"
                    and module.name not in RASA_BENCHMARKS):
                found.append(f"{where(imp)}: only rasa_ext/ imports rasa")
            if top == "rasa_sdk" and package(module.name) != "actions":
                found.append(f"{where(imp)}: only actions/ imports rasa_sdk")
    return found


def hotline_never_imports_the_processes(modules: dict[str, Module]) -> list[str]:
    found = []
    for module in modules.values():
        for imp in module.imports:
            top = imp.target.split(".")[0]
            if module.name.startswith("hotline") and top in ("webhooks", "actions", "sandbox"):
                found.append(f"{where(imp)}: hotline/ never imports a process's package")
            in_ops = package(imp.target) == "hotline.ops" or imp.target == "hotline.ops"
            if in_ops and package(module.name) not in ("hotline.ops", "bench"):
                found.append(f"{where(imp)}: only ops and the benchmarks import hotline.ops")
    return found


def no_private_names_across_packages(modules: dict[str, Module]) -> list[str]:
    return [f"{where(imp)}: takes {name}, private to {package(imp.target)}"
            for module in modules.values() for imp in module.imports
            if ours(imp.target) and package(imp.target) != package(module.name)
            for name in imp.names if name.startswith("_")]


def key_constants(modules: dict[str, Module]) -> dict[str, dict[str, str]]:
    """Each store's Redis keys: module-level constants whose value starts with "hl:"."""
    keys: dict[str, dict[str, str]] = {}
    for module in modules.values():
        for node in module.tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)
                    and node.value.value.startswith(KEY_PREFIX)):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        keys.setdefault(module.name, {})[target.id] = node.value.value
    return keys


def _module_aliases(module: Module) -> dict[str, str]:
    """Local names bound to one of our modules (import a.b as c; from a import b)."""
    aliases = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                for imp in module.imports:
                    if imp.line == node.lineno and imp.target.endswith("." + alias.name):
                        aliases[alias.asname or alias.name] = imp.target
    return aliases


def each_store_owns_its_keys(modules: dict[str, Module]) -> list[str]:
    """No module takes another module's key constant, by import or as `module.CONSTANT`, or
    writes another store's key as a literal."""
    keys = key_constants(modules)
    prefixes = {value.split("{")[0]: owner for owner, named in keys.items()
                for value in named.values()}
    found = []
    for module in modules.values():
        for imp in module.imports:
            for name in imp.names:
                if imp.target != module.name and name in keys.get(imp.target, {}):
                    found.append(f"{where(imp)}: takes the key {name}; ask the store instead")
        aliases = _module_aliases(module)
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and aliases.get(node.value.id) in keys
                    and node.attr in keys[aliases[node.value.id]]):
                found.append(f"{module.name}:{node.lineno} reads the key {node.value.id}."
                             f"{node.attr}; ask the store instead")
            literal = _literal_head(node)
            own = {value.split("{")[0] for value in keys.get(module.name, {}).values()}
            if (literal and literal.startswith(KEY_PREFIX)
                    and not any(literal.startswith(prefix) for prefix in own)):
                owner = _owner(literal, prefixes)
                if owner:
                    found.append(f"{module.name}:{node.lineno} writes {literal!r}, a key of "
                                 f"{owner}; ask the store instead")
    return found


def _literal_head(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (isinstance(node, ast.JoinedStr) and node.values
            and isinstance(node.values[0], ast.Constant)):
        return node.values[0].value
    return None


def _owner(literal: str, prefixes: dict[str, str]) -> str | None:
    """The store whose key this literal is: the longest key prefix it starts with."""
    matches = [p for p in prefixes if literal.startswith(p) and p != KEY_PREFIX]
    return prefixes[max(matches, key=len)] if matches else None


def sandbox_imports_no_store(modules: dict[str, Module]) -> list[str]:
    stores = set(key_constants(modules)) | {"hotline.runtime"}
    return [f"{where(imp)}: the sandbox stands in for Twilio and reads none of our stores"
            for module in modules.values() if package(module.name) == "sandbox"
            for imp in module.imports if imp.target in stores]


def no_cycles(modules: dict[str, Module]) -> list[str]:
    """No cycle between modules, lazy imports included (a cycle that works only because one side
    imports late is still one). Between packages, the floors leave no room for one."""
    graph = {name: {imp.target for imp in module.imports
                    if imp.target in modules and imp.target != name
                    and not name.startswith(imp.target + ".")}  # a package's own __init__
             for name, module in modules.items()}
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                found.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


RULES = [floors_are_kept, core_imports_no_capability, only_rasa_ext_imports_rasa,
         hotline_never_imports_the_processes, no_private_names_across_packages,
         each_store_owns_its_keys, sandbox_imports_no_store, no_cycles]


# The tests --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tree() -> dict[str, Module]:
    return read_tree()


def test_every_module_is_on_a_floor(tree):
    for name in tree:
        floor(name)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_the_code_keeps_the_rule(tree, rule):
    assert rule(tree) == []


def test_the_stores_keys_are_found(tree):
    keys = key_constants(tree)
    assert keys["hotline.messaging.messages"]["TRANSCRIPT_KEY"] == "hl:transcript:{}"
    assert "QUEUE" in keys["hotline.handoff.queue"] and "KEY" in keys["hotline.contacts"]


# A store, a use case and a process, small enough to break on purpose.
GOOD = {
    "hotline": '"""core"""',
    "hotline.config": "import os\n",
    "hotline.text": "from hotline.config import X\n",
    "hotline.contacts": 'KEY = "hl:contact:{}"\n_SECRET = 1\n',
    "hotline.runtime": "from hotline import contacts\n",
    "hotline.erasure": "from hotline import contacts\n",
    "hotline.ops": '"""ops"""',
    "hotline.ops.cli": "from hotline.erasure import erase\n",
    "sandbox": "from hotline.config import Settings\n",
    "rasa_ext": "from rasa.core import tracker_store\n",
    "actions": "from rasa_sdk import Action\nfrom hotline.erasure import erase\n",
}
PACKAGES_OF_GOOD = {"hotline", "hotline.ops", "sandbox", "rasa_ext", "actions"}


@pytest.mark.parametrize("module,source,rule,says", [
    ("hotline.config", "from hotline.erasure import erase", core_imports_no_capability,
     "core imports only core"),
    ("hotline.contacts", "from hotline.erasure import erase", floors_are_kept,
     "erasure is above contacts"),
    ("hotline.ops.cli", "from rasa.core.agent import Agent", only_rasa_ext_imports_rasa,
     "only rasa_ext/ imports rasa"),
    ("hotline.erasure", "import rasa_sdk", only_rasa_ext_imports_rasa,
     "only actions/ imports rasa_sdk"),
    ("hotline.erasure", "from actions import x", hotline_never_imports_the_processes,
     "never imports a process's package"),
    ("actions", "from hotline.ops import cli", hotline_never_imports_the_processes,
     "only ops and the benchmarks import hotline.ops"),
    ("hotline.ops.cli", "from hotline.contacts import _SECRET",
     no_private_names_across_packages, "private to hotline"),
    ("hotline.erasure", "from hotline.contacts import KEY", each_store_owns_its_keys,
     "takes the key KEY"),
    ("hotline.erasure", "from hotline import contacts\nk = contacts.KEY",
     each_store_owns_its_keys, "reads the key contacts.KEY"),
    ("hotline.erasure", "def f(cid):\n    return f'hl:contact:{cid}'",
     each_store_owns_its_keys, "a key of hotline.contacts"),
    ("sandbox", "from hotline import contacts", sandbox_imports_no_store,
     "reads none of our stores"),
    ("hotline.contacts", "def f():\n    from hotline.runtime import R", no_cycles,
     "hotline.contacts -> hotline.runtime -> hotline.contacts"),
])
def test_a_broken_rule_is_reported(module, source, rule, says):
    bad = parse({**GOOD, module: GOOD[module] + "\n" + source + "\n"}, PACKAGES_OF_GOOD)
    found = rule(bad)
    assert any(says in line for line in found), found


def test_the_good_example_keeps_every_rule():
    good = parse(GOOD, PACKAGES_OF_GOOD)
    assert {rule.__name__: rule(good) for rule in RULES} == {rule.__name__: [] for rule in RULES}
