"""build_arguments / join_arguments: the bella_cli command line for one task."""

import subprocess
import unittest

from support import bella_logic as b

SCENE = "/mnt/oomerfarm/bella/orange-juice.bsz"


class BuildArguments(unittest.TestCase):
    def test_minimal_scene_uses_scene_stem_as_output_name(self):
        self.assertEqual(b.build_arguments({"scene": SCENE}),
                         ["-i:" + SCENE, "-on:orange-juice"])

    def test_full_option_set_in_documented_order(self):
        args = b.build_arguments({
            "scene": SCENE, "output_dir": "/mnt/oomerfarm/bella/renders",
            "output_name": "oj", "output_format": ".EXR", "resolution": "1920 x 1080",
            "camera": "camera", "target_noise": "8", "time_limit": 2.5, "use_gpu": "true",
            "threads": 0, "denoise_name": "oj_denoised",
            "extra_fragments": ["beautyPass.overridePath=null", " "],
        })
        self.assertEqual(args, [
            "-i:" + SCENE,
            "-od:/mnt/oomerfarm/bella/renders",
            "-on:oj",
            "-res:1920x1080",
            '-pf:beautyPass.outputExt=".exr";',
            "-pf:settings.camera=camera;",
            "-pf:beautyPass.targetNoise=8u;",
            "-pf:beautyPass.timeLimit=2.5f;",
            "-pf:settings.useGpu=true;",
            "-pf:settings.threads=0;",
            '-pf:beautyPass.denoise=true; beautyPass.denoiseOutputName="oj_denoised";',
            "-pf:beautyPass.overridePath=null;",
        ])

    def test_format_aliases_and_default(self):
        self.assertEqual(b.normalize_format("TIFF"), "tif")
        self.assertEqual(b.normalize_format("jpeg"), "jpg")
        self.assertEqual(b.normalize_format("default"), "")
        args = b.build_arguments({"scene": SCENE, "output_format": "default"})
        self.assertFalse(any("outputExt" in a for a in args))
        with self.assertRaises(b.BellaOptionError):
            b.normalize_format("gif")

    def test_resolution_forms_and_limits(self):
        self.assertEqual(b.parse_resolution((800, 600)), (800, 600))
        self.assertEqual(b.parse_resolution("640X480"), (640, 480))
        self.assertIsNone(b.parse_resolution(""))
        for bad in ("800", "0x600", "800x-1", "axb", "800x600x2", "70000x10"):
            with self.assertRaises(b.BellaOptionError, msg=bad):
                b.parse_resolution(bad)

    def test_frame_padding_in_scene_and_output_name(self):
        args = b.build_arguments({"scene": "/mnt/oomerfarm/seq/shot_####.bsx",
                                  "output_name": "beauty_###", "frame": 7})
        self.assertEqual(args, ["-i:/mnt/oomerfarm/seq/shot_0007.bsx", "-on:beauty_007"])
        # Default output name follows the frame's scene file.
        args = b.build_arguments({"scene": "/mnt/oomerfarm/seq/shot_##.bsa", "frame": 3})
        self.assertEqual(args[-1], "-on:shot_03")
        with self.assertRaises(b.BellaOptionError):
            b.build_arguments({"scene": "/mnt/oomerfarm/seq/shot_##.bsa"})

    def test_rejects_values_that_would_break_a_parse_fragment(self):
        bad = [
            {"scene": ""},
            {"scene": "/mnt/oomerfarm/a.blend"},
            {"scene": SCENE, "camera": "cam; settings.threads=1"},
            {"scene": SCENE, "camera": "2cam"},
            {"scene": SCENE, "output_name": 'x";evil'},
            {"scene": SCENE, "output_name": "my default render"},
            {"scene": SCENE, "output_name": "mydefault"},
            {"scene": SCENE, "target_noise": 0},
            {"scene": SCENE, "target_noise": "lots"},
            {"scene": SCENE, "time_limit": "nan"},
            {"scene": SCENE, "extra_fragments": ["a=1;\nb=2;"]},
            {"scene": SCENE, "output_dir": '/mnt/"x"'},
        ]
        for options in bad:
            with self.assertRaises(b.BellaOptionError, msg=repr(options)):
                b.build_arguments(options)

    def test_scene_stem_with_spaces_or_default_is_made_safe(self):
        args = b.build_arguments({"scene": "/mnt/oomerfarm/My Default Scene.bsz"})
        self.assertEqual(args[-1], "-on:My_dflt_Scene")

    def test_expected_output_path(self):
        options = {"scene": SCENE, "output_dir": "/mnt/oomerfarm/bella/renders",
                   "output_format": "png", "output_name": "oj_####", "frame": 12}
        self.assertEqual(b.expected_output_path(options), "/mnt/oomerfarm/bella/renders/oj_0012.png")
        options["output_format"] = ""
        self.assertIsNone(b.expected_output_path(options))


def split_like_msvcrt(command_line):
    """Independent reading of the MS C runtime argv rules (what .NET's Process uses)."""
    args, current, in_quotes, has_arg, i = [], [], False, False, 0
    while i < len(command_line):
        char = command_line[i]
        if char == "\\":
            run = 0
            while i < len(command_line) and command_line[i] == "\\":
                run, i = run + 1, i + 1
            if i < len(command_line) and command_line[i] == '"':
                current.append("\\" * (run // 2))
                if run % 2:
                    current.append('"')
                    i += 1
            else:
                current.append("\\" * run)
            has_arg = True
            continue
        if char == '"':
            in_quotes, has_arg = not in_quotes, True
        elif char in " \t" and not in_quotes:
            if has_arg:
                args.append("".join(current))
            current, has_arg = [], False
        else:
            current.append(char)
            has_arg = True
        i += 1
    if has_arg:
        args.append("".join(current))
    return args


class JoinArguments(unittest.TestCase):
    CASES = [
        ["-i:/mnt/oomerfarm/a b/orange-juice.bsz", "-on:oj"],
        ['-pf:beautyPass.outputExt=".exr";', "-res:1920x1080"],
        ["C:\\path with space\\", "trailing\\\\", 'quote\\"inside', ""],
        ["plain", "tab\there", 'beautyPass.denoise=true; beautyPass.denoiseOutputName="x";'],
    ]

    def test_splitter_agrees_with_python_reference(self):
        # subprocess.list2cmdline encodes by the same rules; this checks the test's own parser.
        for args in self.CASES:
            self.assertEqual(split_like_msvcrt(subprocess.list2cmdline(args)), args, msg=args)

    def test_round_trips_through_msvcrt_rules(self):
        for args in self.CASES:
            self.assertEqual(split_like_msvcrt(b.join_arguments(args)), args, msg=args)

    def test_real_argument_list_round_trips(self):
        args = b.build_arguments({"scene": "/mnt/oomerfarm/my scenes/orange-juice.bsz",
                                  "output_format": "exr", "denoise_name": "oj_dn"})
        self.assertEqual(split_like_msvcrt(b.join_arguments(args)), args)

    def test_fragment_quotes_survive(self):
        self.assertEqual(b.join_arguments(['-pf:beautyPass.outputExt=".png";']),
                         '"-pf:beautyPass.outputExt=\\".png\\";"')


if __name__ == "__main__":
    unittest.main()
