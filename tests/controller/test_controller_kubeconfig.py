"""`promotion-conformance controller` with a kubeconfig it cannot use: exit 2, the file and why, no traceback."""
from __future__ import annotations

import pytest

from harness.controller.app import main


@pytest.mark.parametrize(("text", "why"), [
    ("not: [yaml\n", "not YAML (line 2, column 1): expected ',' or ']'"),
    ("just a sentence\n", "not a kubeconfig: expected a mapping with clusters, contexts and users, found a str"),
    ("- a\n- list\n", "found a list"),
])
def test_a_kubeconfig_that_is_no_kubeconfig_exits_2_naming_the_file_and_why(tmp_path, capsys, text, why):
    path = tmp_path / "kubeconfig"
    path.write_text(text)
    assert main(["--kubeconfig", str(path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"promotion-conformance controller: error: cannot load the cluster configuration: {path}: ")
    assert why in error and "Traceback" not in error


def test_the_same_from_the_kubeconfig_environment_variable(tmp_path, capsys, monkeypatch):
    path = tmp_path / "kubeconfig"
    path.write_text("42\n")
    monkeypatch.setenv("KUBECONFIG", str(path))
    assert main([]) == 2
    assert f"{path}: not a kubeconfig" in capsys.readouterr().err


def test_a_missing_kubeconfig_exits_2_naming_it(tmp_path, capsys):
    assert main(["--kubeconfig", str(tmp_path / "nowhere")]) == 2
    assert f"cannot load the cluster configuration: {tmp_path / 'nowhere'}: no such file" in capsys.readouterr().err
