"""The judges live in one package, `harness/judges/`, each with a unit test in which it fails.

A check that only ever passes proves nothing: the suite is worth what it refuses. The rules are read
from the code, not kept as a list, and not from a word in a name:
- a judge is a function of `harness/judges/` that a Then-step of `steps/` calls (directly, or
  through a helper of its steps module; calls resolved through each module's own imports); it
  counts as tested when some test under `tests/` calls it inside `pytest.raises(...)`;
- a Then-step calls nothing outside `harness/judges/` that can refuse: that asserts, raises
  AssertionError or NotYet, waits through `eventually` or `never`, or calls a function that does.
  Such a check is a judge kept somewhere else, where no one looks for it. (A Then-step may wrap a
  judge in `eventually` or `never` itself, to hold it for a while: the check is still the judge's.)
- a Then-step does not assert or raise NotYet itself, where no unit test reaches it.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _called(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name:
                names.add(name)
    return names


def _functions(tree: ast.AST) -> dict[str, ast.FunctionDef]:
    """A module's functions and methods by name (a Scenario's `job_of`, a `_job_seen`)."""
    return {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def _reachable(names: set[str], functions: dict[str, ast.FunctionDef]) -> set[str]:
    """`names` and every name the module's functions among them call, transitively."""
    reached, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += _called(functions[name]) if name in functions else ()
    return reached


def _failed_in_tests() -> set[str]:
    """Names of the functions some test calls inside `with pytest.raises(...)`, also through the
    test module's own helpers (a `_says_why` that calls the judge)."""
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text())
        functions = _functions(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.With) and any("raises" in ast.unparse(item.context_expr) for item in node.items):
                names |= _reachable(_called(node), functions)
    return names


def _then_steps_with_helpers() -> list[tuple[str, list[ast.FunctionDef]]]:
    """Each Then-step, with the helpers of its steps module it reaches."""
    steps = []
    for path in sorted((ROOT / "steps").glob("*.py")):
        functions = _functions(ast.parse(path.read_text()))
        for node in functions.values():
            if any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "then" for d in node.decorator_list):
                helpers = [functions[name] for name in _reachable(_called(node), functions) if name in functions]
                steps.append((f"{path.name}::{node.name}", [node, *helpers]))
    return steps


JUDGES = "harness.judges"
WAITS = {("harness.eventually", "eventually"), ("harness.eventually", "never")}
Qualified = tuple[str, str]  # (module, function)


def _imports(tree: ast.Module, module: str) -> tuple[dict[str, str], dict[str, Qualified]]:
    """A module's imported modules by alias, and its imported functions by local name."""
    modules, names = {}, {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            source = node.module if node.level == 0 else ".".join([*module.split(".")[:-node.level], node.module])
            for alias in node.names:
                local = alias.asname or alias.name
                if (ROOT / Path(*f"{source}.{alias.name}".split("."))).with_suffix(".py").is_file() or \
                        (ROOT / Path(*f"{source}.{alias.name}".split("."))).is_dir():
                    modules[local] = f"{source}.{alias.name}"
                else:
                    names[local] = (source, alias.name)
    return modules, names


def _calls(node: ast.AST, module: str, own: set[str], modules: dict[str, str], names: dict[str, Qualified]) -> set[Qualified]:
    """The calls in `node`, resolved to (module, function) where the module's imports say which."""
    found = set()
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Name):
            if func.id in own:
                found.add((module, func.id))
            elif func.id in names:
                found.add(names[func.id])
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
            found.add((modules[func.value.id], func.attr))
    return found


def _refuses_by_itself(node: ast.FunctionDef) -> bool:
    return any(isinstance(sub, ast.Assert) or (isinstance(sub, ast.Raise) and sub.exc is not None and
                                               any(word in ast.unparse(sub.exc) for word in ("AssertionError", "NotYet")))
               for sub in ast.walk(node))


@cache
def refusing_functions() -> frozenset[Qualified]:
    """Every top-level function of the harness package that can refuse (see the module's docstring)."""
    functions: dict[Qualified, ast.FunctionDef] = {}
    calls: dict[Qualified, set[Qualified]] = {}
    for path in (ROOT / "harness").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        modules, names = _imports(tree, module)
        own = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                functions[(module, node.name)] = node
                calls[(module, node.name)] = _calls(node, module, own, modules, names)
    refusing = {name for name, node in functions.items() if _refuses_by_itself(node)}
    while True:
        more = {name for name in functions if name not in refusing and calls[name] & (refusing | WAITS)}
        if not more:
            return frozenset(refusing)
        refusing |= more


@cache
def then_calls() -> dict[Qualified, list[str]]:
    """(module, function) → the Then-steps that call it (directly or through a helper of their module)."""
    found: dict[Qualified, list[str]] = {}
    for path in sorted((ROOT / "steps").glob("*.py")):
        tree = ast.parse(path.read_text())
        modules, names = _imports(tree, f"steps.{path.stem}")
        own = set(_functions(tree))
        for where, nodes in _then_steps_with_helpers():
            if where.startswith(f"{path.name}::"):
                for called in set().union(*(_calls(node, f"steps.{path.stem}", own, modules, names) for node in nodes)):
                    found.setdefault(called, []).append(where)
    return found


def judges() -> dict[str, list[str]]:
    """Judge name → the Then-steps that call it: the functions of the package that can refuse (what
    else lives there, such as counting what a watch saw, is what the judges read)."""
    refusing = refusing_functions()
    found: dict[str, list[str]] = {}
    for (module, name), where in then_calls().items():
        if module.startswith(JUDGES) and (module, name) in refusing:
            found.setdefault(name, []).extend(where)
    return found


def test_the_scan_finds_the_judges_of_the_then_steps():
    found = judges()
    assert len(found) >= 60, sorted(found)  # a broken scan would find none and pass the tests below
    assert {"reason_must_be_visible", "phase_must_end_after_its_jobs", "each_task_must_have_run_once"} <= set(found), sorted(found)


def test_no_then_step_calls_a_check_kept_outside_the_judges():
    refusing = refusing_functions()
    elsewhere = {f"{module}.{name}": where for (module, name), where in then_calls().items()
                 if (module, name) in refusing - WAITS and not module.startswith(JUDGES)}
    assert not elsewhere, f"checks Then-steps call outside {JUDGES} (move them there, with a failing test): {elsewhere}"


def test_the_check_for_checks_kept_elsewhere_sees_them():
    """A function outside the package that asserts, or that waits, counts as a check."""
    refusing = refusing_functions()
    assert ("harness.library.lookups", "newest_app_version") in refusing  # raises NotYet
    assert {q for q in refusing if q[0].startswith(JUDGES)}, "the scan found no check in the judges package"


def test_every_judge_a_then_step_calls_has_a_test_in_which_it_fails():
    failed = _failed_in_tests()
    never_failed = {name: where for name, where in judges().items() if name not in failed}
    assert not never_failed, ("judges with no unit test that makes them fail (call them inside pytest.raises "
                              f"on the wrong input): {never_failed}")


def test_no_then_step_judges_by_itself():
    judging = []
    for where, nodes in _then_steps_with_helpers():
        for sub in (sub for node in nodes for sub in ast.walk(node)):
            if isinstance(sub, ast.Assert) or (isinstance(sub, ast.Raise) and "NotYet" in ast.unparse(sub)):
                judging.append(f"{where} line {sub.lineno}: {ast.unparse(sub)[:80]}")
    assert not judging, "Then-steps that judge in their body (move the check into harness/judges/ with a test):\n" + \
        "\n".join(judging)
