"""Shared test setup: makes the plugin folder importable and locates fixtures.

The plugin folder goes *after* PYTHONPATH, so a copy put first on PYTHONPATH (the
transport-stripped files, see test/deadline-plugin.test.ts) is what the suite tests;
PLUGIN_DIR then names that copy's folder, so BellaRender.py is loaded from there too.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_PLUGIN_DIR = os.path.join(os.path.dirname(HERE), "custom", "plugins", "BellaRender")
FIXTURES = os.path.join(HERE, "fixtures")

if SOURCE_PLUGIN_DIR not in sys.path:
    sys.path.append(SOURCE_PLUGIN_DIR)

import bella_logic  # noqa: E402 - re-exported for the tests

PLUGIN_DIR = os.path.dirname(os.path.abspath(bella_logic.__file__))


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
