"""Deliberately broken implementations (mutants) and conformant variants of the reference controller.

Each mutant breaks exactly one rule of docs/contract.md, says which in its first line, and changes the
reference by composition only (`compose.replace` at start-up); `launch.py` runs it, the adapter
beside it (`<name>.yaml`) makes it an implementation for `promotion-conformance run --impl`.
`matrix.yaml` says which scenarios must kill each one; `python tests/mutants/run_matrix.py` (make
mutants) runs them and writes the kill matrix.
"""
