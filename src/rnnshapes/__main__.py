"""``python -m rnnshapes``: the command line (see :mod:`rnnshapes.cli`)."""

import sys

from .cli import main

sys.exit(main())
