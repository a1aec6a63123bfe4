"""`python -m generator`: the same as the `hindsight` command."""

import sys

from generator.cli import main

sys.exit(main())
