"""Every judge a Then-step calls has a unit test in which it fails, and no Then-step judges by itself.

A check that only ever passes proves nothing: the suite is worth what it refuses. The rule is read
from the code, not kept as a list: a judge is a function whose name says `must`, called from the
body of a Then-step in `steps/`; it counts as tested when some test under `tests/` calls it inside
`pytest.raises(...)`. A Then-step that asserts or raises NotYet itself judges outside
`harness/library/`, where no unit test reaches it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def judges() -> dict[str, list[str]]:
    """Judge name → the Then-steps that call it (directly or through a helper of their module)."""
    found: dict[str, list[str]] = {}
    for where, nodes in _then_steps_with_helpers():
        for name in set().union(*map(_called, nodes)):
            if "must" in name:
                found.setdefault(name, []).append(where)
    return found


def test_the_scan_finds_the_judges_of_the_then_steps():
    found = judges()
    assert len(found) >= 60, sorted(found)  # a broken scan would find none and pass the tests below
    assert {"reason_must_be_visible", "phase_must_end_after_its_jobs", "each_task_must_have_run_once"} <= set(found), sorted(found)


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
    assert not judging, "Then-steps that judge in their body (move the check into harness/library/ with a test):\n" + \
        "\n".join(judging)
