"""Conformant variants: implementations that differ from the reference where the contract allows,
expected to pass every scenario they run (a judge that fails one bakes in the reference)."""
