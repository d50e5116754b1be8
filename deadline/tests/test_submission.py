"""Job info / plugin info files the Monitor submitter hands to deadlinecommand."""

import unittest

from support import bella_logic as b

BOSS_SCENE = "\\\\10.87.0.1\\oomerfarm\\bella\\orange-juice.bsz"
BOSS_RENDERS = "\\\\10.87.0.1\\oomerfarm\\bella\\renders"


class Frames(unittest.TestCase):
    def test_frame_lists(self):
        self.assertEqual(b.parse_frames("1"), [1])
        self.assertEqual(b.parse_frames("1-3,7"), [1, 2, 3, 7])
        self.assertEqual(b.parse_frames("1-9x4, 2"), [1, 2, 5, 9])
        self.assertEqual(b.parse_frames("0"), [0])
        for bad in ("", "a", "5-1", "1-10x0", "1--3", "0-99999999"):
            with self.assertRaises(b.BellaOptionError, msg=bad):
                b.parse_frames(bad)


class Submission(unittest.TestCase):
    def test_orange_juice_single_frame(self):
        job, plugin = b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                    "output_format": "png", "priority": 60, "pool": "bella",
                                    "group": "none", "width": 800, "height": 600,
                                    "camera": "camera"})
        self.assertEqual(b.to_key_value_text(job), "\n".join([
            "Plugin=BellaRender", "Name=orange-juice", "Comment=", "Department=",
            "Pool=bella", "Group=none", "Priority=60", "Frames=1", "ChunkSize=1",
            "MachineLimit=0", "OutputDirectory0=" + BOSS_RENDERS,
            "OutputFilename0=orange-juice.png"]) + "\n")
        self.assertEqual(dict(plugin), {
            "SceneFile": BOSS_SCENE, "OutputDirectory": BOSS_RENDERS,
            "OutputName": "orange-juice", "OutputFormat": "png",
            "Resolution": "800x600", "Camera": "camera"})

    def test_frame_range_gets_one_image_per_frame(self):
        job, plugin = b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                    "output_format": "EXR", "frames": "1-24", "suspended": True})
        self.assertEqual(plugin["OutputName"], "orange-juice_####")
        self.assertEqual(job["OutputFilename0"], "orange-juice_####.exr")
        self.assertEqual(job["Frames"], "1-24")
        self.assertEqual(job["InitialStatus"], "Suspended")

    def test_scene_format_default_writes_no_format_or_filename(self):
        job, plugin = b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS})
        self.assertNotIn("OutputFormat", plugin)
        self.assertNotIn("OutputFilename0", job)
        self.assertNotIn("Resolution", plugin)

    def test_refuses_bad_submissions(self):
        bad = [
            {"scene": "", "output_dir": BOSS_RENDERS},
            {"scene": BOSS_SCENE, "output_dir": ""},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "frames": "ten"},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "priority": 101},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "camera": "a b"},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "name": "two\nlines"},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "width": 800},  # height missing
        ]
        for fields in bad:
            with self.assertRaises(b.BellaOptionError, msg=repr(fields)):
                b.submission(fields)

    def test_plugin_info_round_trips_to_worker_arguments(self):
        _job, plugin = b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                     "output_format": "jpg", "frames": "1-2", "width": 640,
                                     "height": 480, "target_noise": 6, "use_gpu": True,
                                     "extra_fragments": ['beautyPass.outputName="a;b"', "settings.threads=0"]})
        text = b.to_key_value_text(plugin)
        entries = b.parse_key_value_text(text)
        self.assertEqual(entries, plugin)
        options = b.options_from_plugin_info(lambda key: entries.get(key, ""), frame=2)
        options["scene"] = b.map_path(options["scene"], b.make_mapping())
        options["output_dir"] = b.map_path(options["output_dir"], b.make_mapping())
        self.assertEqual(b.build_arguments(options), [
            "-i:/mnt/oomerfarm/bella/orange-juice.bsz",
            "-od:/mnt/oomerfarm/bella/renders",
            "-on:orange-juice_0002",
            "-res:640x480",
            '-pf:beautyPass.outputExt=".jpg";',
            "-pf:beautyPass.targetNoise=6u;",
            "-pf:settings.useGpu=true;",
            '-pf:beautyPass.outputName="a;b"; settings.threads=0;',
        ])
        self.assertEqual(b.expected_output_path(options),
                         "/mnt/oomerfarm/bella/renders/orange-juice_0002.jpg")

    def test_key_value_text_refuses_injection(self):
        with self.assertRaises(b.BellaOptionError):
            b.to_key_value_text({"Name": "x\nPlugin=Other"})
        with self.assertRaises(b.BellaOptionError):
            b.to_key_value_text({"bad key": "x"})


if __name__ == "__main__":
    unittest.main()
