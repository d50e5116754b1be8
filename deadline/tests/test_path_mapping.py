"""map_path: boss share paths (Windows, macOS, Linux) -> the worker's /mnt/oomerfarm."""

import unittest

from support import bella_logic as b


class MapPath(unittest.TestCase):
    def check(self, boss_path, worker_path):
        self.assertEqual(b.map_path(boss_path), worker_path, msg=boss_path)

    def test_windows_unc_from_the_brief(self):
        self.check("\\\\10.87.0.1\\oomerfarm\\projects\\a.bsz", "/mnt/oomerfarm/projects/a.bsz")

    def test_either_slash_direction_and_mixed(self):
        self.check("//10.87.0.1/oomerfarm/projects/a.bsz", "/mnt/oomerfarm/projects/a.bsz")
        self.check("\\\\10.87.0.1/oomerfarm\\projects/a.bsz", "/mnt/oomerfarm/projects/a.bsz")
        self.check("\\\\10.87.0.1\\\\oomerfarm\\\\bella\\\\\\renders", "/mnt/oomerfarm/bella/renders")

    def test_hub_name_and_share_in_any_case(self):
        self.check("\\\\10.87.0.1\\OOMERFARM\\Bella\\Orange.bsz", "/mnt/oomerfarm/Bella/Orange.bsz")
        self.check("\\\\HUB\\OomerFarm\\x.bsz", "/mnt/oomerfarm/x.bsz")
        self.check(" \\\\hub\\oomerfarm\\x.bsz ", "/mnt/oomerfarm/x.bsz")

    def test_share_root_itself_and_trailing_separators(self):
        self.check("\\\\10.87.0.1\\oomerfarm", "/mnt/oomerfarm")
        self.check("\\\\10.87.0.1\\oomerfarm\\", "/mnt/oomerfarm")
        self.check("/Volumes/oomerfarm/", "/mnt/oomerfarm")
        self.check("/mnt/oomerfarm/bella/renders/", "/mnt/oomerfarm/bella/renders")

    def test_macos_and_linux_mounts(self):
        self.check("/Volumes/oomerfarm/bella/orange-juice.bsz", "/mnt/oomerfarm/bella/orange-juice.bsz")
        self.check("/volumes/OOMERFARM/bella/a.bsz", "/mnt/oomerfarm/bella/a.bsz")  # APFS ignores case
        self.check("/mnt/oomerfarm/bella/orange-juice.bsz", "/mnt/oomerfarm/bella/orange-juice.bsz")
        self.check("/mnt/oomerfarm/./bella//a.bsz", "/mnt/oomerfarm/bella/a.bsz")

    def test_spaces_and_unicode_are_kept(self):
        self.check("\\\\10.87.0.1\\oomerfarm\\My Scenes\\jus d'orange ñ.bsz",
                   "/mnt/oomerfarm/My Scenes/jus d'orange ñ.bsz")

    def test_other_hosts_shares_and_lookalike_prefixes_are_left_alone(self):
        for path in ("\\\\10.87.0.2\\oomerfarm\\a.bsz",           # a worker, not the hub
                     "\\\\10.87.0.10\\oomerfarm\\a.bsz",
                     "\\\\hubby\\oomerfarm\\a.bsz",
                     "\\\\10.87.0.1\\DeadlineRepository10\\a",    # another share
                     "\\\\10.87.0.1\\oomerfarm2\\a.bsz",          # share name prefix only
                     "/mnt/oomerfarmX/a.bsz",
                     "/Volumes/oomerfarm-1/a.bsz",
                     "/srv/mnt/oomerfarm/a.bsz",
                     "/home/artist/a.bsz",
                     "C:\\scenes\\a.bsz",
                     "relative/a.bsz",
                     ""):
            self.check(path, path)

    def test_linux_worker_root_is_case_sensitive(self):
        self.check("/MNT/oomerfarm/a.bsz", "/MNT/oomerfarm/a.bsz")

    def test_dot_dot_inside_the_share_is_resolved(self):
        self.check("\\\\10.87.0.1\\oomerfarm\\a\\..\\b\\c.bsz", "/mnt/oomerfarm/b/c.bsz")

    def test_escaping_the_share_is_refused(self):
        for path in ("\\\\10.87.0.1\\oomerfarm\\..\\etc\\passwd",
                     "\\\\hub\\oomerfarm\\a\\..\\..\\x",
                     "/Volumes/oomerfarm/a/../../x",
                     "/mnt/oomerfarm/../../etc/shadow"):
            with self.assertRaises(ValueError, msg=path):
                b.map_path(path)

    def test_on_share(self):
        self.assertTrue(b.on_share("\\\\10.87.0.1\\oomerfarm\\a.bsz"))
        self.assertTrue(b.on_share("/Volumes/oomerfarm/a.bsz"))
        self.assertTrue(b.on_share("/mnt/oomerfarm"))
        self.assertFalse(b.on_share("C:\\a.bsz"))
        self.assertFalse(b.on_share("/mnt/oomerfarm/../x"))


if __name__ == "__main__":
    unittest.main()
