import sys

from harness.controller.app import main

sys.exit(main(sys.argv[1:]))
