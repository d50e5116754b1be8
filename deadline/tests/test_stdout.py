"""Progress parsing and the [WARNING]/[ERROR] patterns, fed with the fixture lines."""

import re
import unittest

from support import bella_logic as b, fixture_lines


def kind(line):
    """What the plugin's stdout handlers make of a line ([ERROR] wins)."""
    for name, regex in (("error", b.ERROR_REGEX), ("warning", b.WARNING_REGEX), ("progress", b.PROGRESS_REGEX)):
        if re.search(regex, line):
            return name
    return None


class FixtureLines(unittest.TestCase):
    def setUp(self):
        self.lines = fixture_lines("bella_cli_output.txt")

    def test_fixture_is_not_empty(self):
        self.assertGreaterEqual(len(self.lines), 8)

    def test_each_fixture_line(self):
        for expected, line in self.lines:
            if expected in ("none", "warning", "error"):
                self.assertEqual(kind(line), None if expected == "none" else expected, msg=line)
                self.assertIsNone(b.parse_progress(line), msg=line)
            else:
                self.assertEqual(kind(line), "progress", msg=line)
                self.assertAlmostEqual(b.parse_progress(line), float(expected), places=4, msg=line)

    def test_progress_from_the_matched_text_alone(self):
        # HandleProgress parses GetRegexMatch(0), i.e. only what PROGRESS_REGEX matched.
        for expected, line in self.lines:
            match = re.search(b.PROGRESS_REGEX, line)
            if match:
                self.assertAlmostEqual(b.parse_progress(match.group(0)), float(expected), places=4)


class ProgressEdgeCases(unittest.TestCase):
    def test_clamped_and_locale_comma(self):
        self.assertEqual(b.parse_progress("Progress: 250%"), 100.0)
        self.assertEqual(b.parse_progress("Progress: 12,5%"), 12.5)
        self.assertEqual(b.parse_progress("Progress:7 %"), 7.0)

    def test_not_progress(self):
        for line in ("", None, "Progress: abc%", "Progress 50%", "50%", "Progress: -5%"):
            self.assertIsNone(b.parse_progress(line), msg=line)

    def test_error_needs_the_bracketed_token(self):
        self.assertEqual(kind("[ERROR] Progress: 10%"), "error")
        self.assertEqual(kind("x [ERROR] y"), "error")
        self.assertIsNone(kind("ERROR without brackets"))


if __name__ == "__main__":
    unittest.main()
