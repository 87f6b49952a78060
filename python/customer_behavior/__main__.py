"""Run the command line: ``python -m customer_behavior``."""

import sys

from customer_behavior.cli import main

sys.exit(main())
