"""`python -m harness.compat OLD NEW [--objects DIR]`: the crd-compat command without the CLI."""
import sys

from harness.compat import main

sys.exit(main(sys.argv[1:]))
