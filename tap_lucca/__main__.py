"""Run the tap with `python -m tap_lucca`."""

from tap_lucca.tap import TapLucca

TapLucca.cli()
