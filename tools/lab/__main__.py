"""python3 tools/lab ARGS: what ./lab runs (./lab is a shell shim that
makes sure python3 is installed first). See cli.py."""
import os
import sys

# Run as a folder, Python puts this folder first on the path: put its parent
# there instead, so that this package is imported as `lab`.
sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from lab.cli import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
