"""`python -m genuine ...`: the same command line as `genuine` (used to start the worker)."""

from genuine.cli import main

main()
