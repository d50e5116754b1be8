"""parse_progress / error and warning detection, fed with the fixture lines."""

import re
import unittest

from support import bella_logic as b, fixture_lines


class FixtureLines(unittest.TestCase):
    def setUp(self):
        self.lines = fixture_lines("bella_cli_output.txt")

    def test_fixture_is_not_empty(self):
        self.assertGreaterEqual(len(self.lines), 8)

    def test_each_fixture_line(self):
        for expected, line in self.lines:
            kind = b.classify_line(line)
            if expected == "none":
                self.assertIsNone(b.parse_progress(line), msg=line)
                self.assertIsNone(kind, msg=line)
            elif expected in ("warning", "error"):
                self.assertEqual(kind, expected, msg=line)
                self.assertIsNone(b.parse_progress(line), msg=line)
            else:
                self.assertEqual(kind, "progress", msg=line)
                self.assertAlmostEqual(b.parse_progress(line), float(expected), places=4, msg=line)

    def test_deadline_handler_regexes_match_the_same_lines(self):
        # The plugin registers these patterns with Deadline; HandleProgress then
        # parses GetRegexMatch(0), i.e. only the matched text.
        for expected, line in self.lines:
            match = re.search(b.PROGRESS_REGEX, line)
            if expected in ("none", "warning", "error"):
                self.assertIsNone(match, msg=line)
            else:
                self.assertAlmostEqual(b.parse_progress(match.group(0)), float(expected), places=4)
            self.assertEqual(bool(re.search(b.ERROR_REGEX, line)), expected == "error", msg=line)
            self.assertEqual(bool(re.search(b.WARNING_REGEX, line)), expected == "warning", msg=line)


class ProgressEdgeCases(unittest.TestCase):
    def test_clamped_and_locale_comma(self):
        self.assertEqual(b.parse_progress("Progress: 250%"), 100.0)
        self.assertEqual(b.parse_progress("Progress: 12,5%"), 12.5)
        self.assertEqual(b.parse_progress("Progress:7 %"), 7.0)

    def test_not_progress(self):
        for line in ("", None, "Progress: abc%", "Progress 50%", "50%", "Progress: -5%"):
            self.assertIsNone(b.parse_progress(line), msg=line)

    def test_error_wins_over_progress_on_one_line(self):
        self.assertEqual(b.classify_line("[ERROR] Progress: 10%"), "error")
        self.assertTrue(b.is_error_line("x [ERROR] y"))
        self.assertFalse(b.is_error_line("ERROR without brackets"))


if __name__ == "__main__":
    unittest.main()
