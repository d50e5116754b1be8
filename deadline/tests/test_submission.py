"""Job info / plugin info files the Monitor submitter hands to deadlinecommand."""

import unittest

from support import bella_logic as b

BOSS_SCENE = "\\\\10.87.0.1\\oomerfarm\\bella\\orange-juice.bsz"
BOSS_RENDERS = "\\\\10.87.0.1\\oomerfarm\\bella\\renders"


def parse(text):
    """How Deadline reads an info file: key=value per line, split at the first '='."""
    return dict(line.split("=", 1) for line in text.splitlines())


def submit(fields):
    """submission() as two dicts; the texts are checked to end with a newline."""
    job, plugin = b.submission(fields)
    assert job.endswith("\n") and plugin.endswith("\n")
    return parse(job), parse(plugin)


class Submission(unittest.TestCase):
    def test_orange_juice_single_frame(self):
        job, plugin = b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                    "output_format": "png", "priority": 60, "pool": "bella",
                                    "group": "", "width": 800, "height": 600,
                                    "camera": "camera", "target_noise": "", "use_gpu": False})
        self.assertEqual(job, "\n".join([
            "Plugin=BellaRender", "Name=orange-juice", "Frames=1", "Pool=bella", "Group=none",
            "Priority=60", "OutputDirectory0=" + BOSS_RENDERS,
            "OutputFilename0=orange-juice.png"]) + "\n")
        self.assertEqual(plugin, "\n".join([
            "SceneFile=" + BOSS_SCENE, "OutputDirectory=" + BOSS_RENDERS,
            "OutputName=orange-juice", "OutputFormat=png", "Resolution=800x600",
            "Camera=camera"]) + "\n")

    def test_frame_lists_with_several_frames_get_one_image_per_frame(self):
        for frames in ("1-24", "1,5", "1-9x2", "-3--1", "1 2"):
            job, plugin = submit({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                        "output_format": "exr", "frames": frames})
            self.assertEqual(plugin["OutputName"], "orange-juice_####", msg=frames)
            self.assertEqual(job["OutputFilename0"], "orange-juice_####.exr")
            self.assertEqual(job["Frames"], frames)
        for frames in ("1", "12", "-5", " 7 "):
            _job, plugin = submit({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "frames": frames})
            self.assertEqual(plugin["OutputName"], "orange-juice", msg=frames)
        _job, plugin = submit({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                     "output_name": "oj_##", "frames": "1-24"})
        self.assertEqual(plugin["OutputName"], "oj_##")

    def test_scene_format_and_resolution_can_be_left_to_the_scene(self):
        job, plugin = submit({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                    "width": 0, "height": 0, "priority": 0})
        self.assertNotIn("OutputFormat", plugin)
        self.assertNotIn("OutputFilename0", job)
        self.assertNotIn("Resolution", plugin)
        self.assertEqual(job["Priority"], "0")

    def test_refuses_bad_submissions(self):
        bad = [
            {"scene": "", "output_dir": BOSS_RENDERS},
            {"scene": "\\\\10.87.0.1\\oomerfarm\\a.blend", "output_dir": BOSS_RENDERS},
            {"scene": BOSS_SCENE, "output_dir": " "},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "camera": "a b"},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "output_name": "default"},
            {"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "width": 800},  # height missing
        ]
        for fields in bad:
            with self.assertRaises(b.BellaOptionError, msg=repr(fields)):
                b.submission(fields)

    def test_plugin_info_round_trips_to_worker_arguments(self):
        _job, plugin = submit({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS,
                                     "output_format": "jpg", "frames": "1-2", "width": 640,
                                     "height": 480, "target_noise": 6, "use_gpu": True,
                                     "extra_fragments": 'beautyPass.outputName="a;b"; settings.threads=0'})
        info = dict(plugin)
        # What a worker does with it (BellaRender.PreRenderTasks).
        info = {key: info.get(key, "") for key in b.KEYS}
        for key in ("SceneFile", "OutputDirectory"):
            info[key] = b.map_path(info[key])
        self.assertEqual(b.build_arguments(info, 2), [
            "-i:/mnt/oomerfarm/bella/orange-juice.bsz",
            "-od:/mnt/oomerfarm/bella/renders",
            "-on:orange-juice_0002",
            "-res:640x480",
            '-pf:beautyPass.outputExt=".jpg";',
            "-pf:beautyPass.targetNoise=6u;",
            "-pf:settings.useGpu=true;",
            '-pf:beautyPass.outputName="a;b"; settings.threads=0;',
        ])
        self.assertEqual(b.expected_output_path(info, 2),
                         "/mnt/oomerfarm/bella/renders/orange-juice_0002.jpg")

    def test_key_value_text_refuses_injection(self):
        for value in ("x\nPlugin=Other", "x\r"):
            with self.assertRaises(b.BellaOptionError):
                b.to_key_value_text({"Name": value})
        with self.assertRaises(b.BellaOptionError):
            b.submission({"scene": BOSS_SCENE, "output_dir": BOSS_RENDERS, "name": "two\nlines"})


if __name__ == "__main__":
    unittest.main()
