"""`python -m patron` runs the command line."""

from patron.cli import main

main()
