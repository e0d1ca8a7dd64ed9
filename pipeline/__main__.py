"""``python -m pipeline`` runs the command line."""

from .cli import command

raise SystemExit(command())
