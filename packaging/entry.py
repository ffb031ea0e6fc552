"""The frozen app's entry point: the ``annotator`` command line; with no arguments, the desktop app."""
from __future__ import annotations

import multiprocessing
import sys

from annotator.cli import main

if __name__ == "__main__":
    # A frozen build starts its worker processes (spawn) by running this executable again;
    # freeze_support() makes such a child run its task instead of opening another app.
    multiprocessing.freeze_support()
    # Started from a menu or a file manager there are no arguments: open the app, not the help.
    sys.exit(main(sys.argv[1:] or ["gui"]))
