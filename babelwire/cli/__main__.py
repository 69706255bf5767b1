"""`python -m babelwire.cli`, the same as the `babelwire` command."""

import sys

from babelwire.cli import main

sys.exit(main())
