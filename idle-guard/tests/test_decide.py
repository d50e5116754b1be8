import unittest

import _path  # noqa: F401
from decide import BUSY, DELETE, UNKNOWN, WAIT, decide

T0 = 1_700_000_000.0
LIMIT = 30  # minutes


class DecideTable(unittest.TestCase):
    def test_idle_starts_counting(self):
        self.assertEqual(decide(T0, None, 0, LIMIT), (WAIT, T0))

    def test_not_yet(self):
        self.assertEqual(decide(T0 + 29 * 60, T0, 0, LIMIT, last_seen=T0 + 28 * 60), (WAIT, T0))

    def test_one_second_before_the_limit(self):
        self.assertEqual(decide(T0 + 30 * 60 - 1, T0, 0, LIMIT, last_seen=T0 + 29 * 60), (WAIT, T0))

    def test_exactly_at_the_limit(self):
        self.assertEqual(decide(T0 + 30 * 60, T0, 0, LIMIT, last_seen=T0 + 29 * 60), (DELETE, T0))

    def test_past_the_limit(self):
        self.assertEqual(decide(T0 + 90 * 60, T0, 0, LIMIT, last_seen=T0 + 89 * 60), (DELETE, T0))

    def test_work_resumes(self):
        self.assertEqual(decide(T0 + 29 * 60, T0, 3, LIMIT, last_seen=T0 + 28 * 60), (BUSY, None))
        self.assertEqual(decide(T0 + 31 * 60, T0, 1, LIMIT, last_seen=T0 + 30 * 60), (BUSY, None))

    def test_busy_with_no_idle_start(self):
        self.assertEqual(decide(T0, None, 1, LIMIT), (BUSY, None))

    def test_clock_goes_backwards_before_the_idle_start(self):
        self.assertEqual(decide(T0 - 3600, T0, 0, LIMIT, last_seen=T0 + 60), (WAIT, T0 - 3600))

    def test_clock_goes_backwards_since_the_last_run(self):
        # still after idle_since, but earlier than the previous run: restart, never delete
        self.assertEqual(decide(T0 + 40 * 60, T0, 0, LIMIT, last_seen=T0 + 45 * 60), (WAIT, T0 + 40 * 60))

    def test_clock_jumps_forward_or_hub_was_down(self):
        # the previous run was 2 hours ago: the idle time in between was not observed
        self.assertEqual(decide(T0 + 3 * 3600, T0, 0, LIMIT, last_seen=T0 + 3600), (WAIT, T0 + 3 * 3600))

    def test_deadline_unreachable_changes_nothing(self):
        self.assertEqual(decide(T0 + 90 * 60, T0, None, LIMIT, last_seen=T0 + 89 * 60), (UNKNOWN, T0))
        self.assertEqual(decide(T0, None, None, LIMIT), (UNKNOWN, None))

    def test_fractional_minutes(self):
        self.assertEqual(decide(T0 + 90, T0, 0, 1.5, last_seen=T0 + 60), (DELETE, T0))


if __name__ == "__main__":
    unittest.main()
