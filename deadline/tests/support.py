"""Shared test setup: makes the plugin folder importable and locates fixtures."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEADLINE = os.path.dirname(HERE)
PLUGIN_DIR = os.path.join(DEADLINE, "custom", "plugins", "BellaRender")
SUBMISSION_DIR = os.path.join(DEADLINE, "custom", "scripts", "Submission")
FIXTURES = os.path.join(HERE, "fixtures")

if PLUGIN_DIR not in sys.path:
    sys.path.insert(0, PLUGIN_DIR)

import bella_logic  # noqa: E402,F401 - re-exported for the tests


def fixture_lines(name):
    """(expected, line) pairs from a TAB-separated fixture, comments skipped."""
    pairs = []
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        for raw in handle:
            raw = raw.rstrip("\n")
            if not raw or raw.startswith("#"):
                continue
            expected, line = raw.split("\t", 1)
            pairs.append((expected, line))
    return pairs
