"""`python -m planner` runs the gigaplan CLI."""

from planner.cli import main

main()
