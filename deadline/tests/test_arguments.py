"""build_arguments / join_arguments: the bella_cli command line for one task."""

import unittest

from support import bella_logic as b

SCENE = "/mnt/oomerfarm/bella/orange-juice.bsz"


class BuildArguments(unittest.TestCase):
    def test_minimal_scene_uses_scene_stem_as_output_name(self):
        self.assertEqual(b.build_arguments({"SceneFile": SCENE}, 1),
                         ["-i:" + SCENE, "-on:orange-juice"])

    def test_full_option_set_in_documented_order(self):
        args = b.build_arguments({
            "SceneFile": SCENE, "OutputDirectory": "/mnt/oomerfarm/bella/renders",
            "OutputName": "oj", "OutputFormat": ".EXR", "Resolution": "1920 x 1080",
            "Camera": "camera", "TargetNoise": "8", "UseGpu": "True",
            "ParseFragments": 'beautyPass.timeLimit=60f; beautyPass.outputName="a;b"',
        }, 1)
        self.assertEqual(args, [
            "-i:" + SCENE,
            "-od:/mnt/oomerfarm/bella/renders",
            "-on:oj",
            "-res:1920x1080",
            '-pf:beautyPass.outputExt=".exr";',
            "-pf:settings.camera=camera;",
            "-pf:beautyPass.targetNoise=8u;",
            "-pf:settings.useGpu=true;",
            '-pf:beautyPass.timeLimit=60f; beautyPass.outputName="a;b";',
        ])

    def test_blank_settings_keep_the_scene_s_own(self):
        args = b.build_arguments({"SceneFile": SCENE, "OutputFormat": " ", "Resolution": "",
                                  "Camera": None, "TargetNoise": "", "UseGpu": "False",
                                  "ParseFragments": ""}, 1)
        self.assertEqual(args, ["-i:" + SCENE, "-on:orange-juice"])

    def test_every_offered_format_is_accepted(self):
        for fmt in b.FORMATS:
            args = b.build_arguments({"SceneFile": SCENE, "OutputFormat": fmt.upper()}, 1)
            self.assertEqual(args[-1], '-pf:beautyPass.outputExt=".%s";' % fmt)

    def test_resolution_forms(self):
        for text, arg in (("640X480", "-res:640x480"), ("800x600", "-res:800x600"), (" 8 x 6 ", "-res:8x6")):
            self.assertEqual(b.build_arguments({"SceneFile": SCENE, "Resolution": text}, 1)[-1], arg)

    def test_frame_padding_in_scene_and_output_name(self):
        args = b.build_arguments({"SceneFile": "/mnt/oomerfarm/seq/shot_####.bsx",
                                  "OutputName": "beauty_###"}, 7)
        self.assertEqual(args, ["-i:/mnt/oomerfarm/seq/shot_0007.bsx", "-on:beauty_007"])
        # Default output name follows the frame's scene file.
        args = b.build_arguments({"SceneFile": "/mnt/oomerfarm/seq/shot_##.bsa"}, 3)
        self.assertEqual(args[-1], "-on:shot_03")
        self.assertEqual(b.frame_path("a_#_####", 12), "a_12_0012")
        with self.assertRaises(b.BellaOptionError):
            b.build_arguments({"SceneFile": "/mnt/oomerfarm/seq/shot_##.bsa"}, None)

    def test_rejects_values_that_would_break_a_parse_fragment_or_bella_cli(self):
        bad = [
            {"SceneFile": ""},
            {"SceneFile": "/mnt/oomerfarm/a.blend"},
            {"SceneFile": "/mnt/oomerfarm/a.bsz.txt"},
            {"SceneFile": SCENE, "Camera": "cam; settings.threads=1"},
            {"SceneFile": SCENE, "Camera": "2cam"},
            {"SceneFile": SCENE, "OutputName": 'x";evil'},
            {"SceneFile": SCENE, "OutputName": "my default render"},
            {"SceneFile": SCENE, "OutputName": "mydefault"},
            {"SceneFile": SCENE, "OutputFormat": "gif"},
            {"SceneFile": SCENE, "TargetNoise": "0"},
            {"SceneFile": SCENE, "TargetNoise": "101"},
            {"SceneFile": SCENE, "TargetNoise": "lots"},
            {"SceneFile": SCENE, "TargetNoise": "8; settings.threads=1"},
        ] + [{"SceneFile": SCENE, "Resolution": bad} for bad in ("800", "0x600", "800x-1", "axb", "800x600x2")]
        for info in bad:
            with self.assertRaises(b.BellaOptionError, msg=repr(info)):
                b.build_arguments(info, 1)

    def test_scene_stem_with_spaces_or_default_is_made_safe(self):
        args = b.build_arguments({"SceneFile": "/mnt/oomerfarm/My Default Scene.bsz"}, 1)
        self.assertEqual(args[-1], "-on:My_dflt_Scene")
        self.assertEqual(b.stem("C:\\scenes\\shot.v2.bsz"), "shot.v2")
        self.assertEqual(b.safe_name("ñ!"), "render")

    def test_expected_output_path(self):
        info = {"SceneFile": SCENE, "OutputDirectory": "/mnt/oomerfarm/bella/renders",
                "OutputFormat": "PNG", "OutputName": "oj_####"}
        self.assertEqual(b.expected_output_path(info, 12), "/mnt/oomerfarm/bella/renders/oj_0012.png")
        info["OutputFormat"] = ""
        self.assertIsNone(b.expected_output_path(info, 12))


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

    def test_splitter_reads_microsoft_s_documented_examples(self):
        # The examples in Microsoft's "Parsing C command-line arguments": they check this
        # test's own parser, which is then the judge of join_arguments below.
        examples = [
            ('"a b c" d e', ["a b c", "d", "e"]),
            ('"ab\\"c" "\\\\" d', ['ab"c', "\\", "d"]),
            ('a\\\\\\b d"e f"g h', ["a\\\\\\b", "de fg", "h"]),
            ('a\\\\\\"b c d', ['a\\"b', "c", "d"]),
            ('a\\\\\\\\"b c" d e', ["a\\\\b c", "d", "e"]),
        ]
        for line, args in examples:
            self.assertEqual(split_like_msvcrt(line), args, msg=line)

    def test_round_trips_through_msvcrt_rules(self):
        for args in self.CASES:
            self.assertEqual(split_like_msvcrt(b.join_arguments(args)), args, msg=args)

    def test_real_argument_list_round_trips(self):
        args = b.build_arguments({"SceneFile": "/mnt/oomerfarm/my scenes/orange-juice.bsz",
                                  "OutputFormat": "exr", "OutputDirectory": "C:\\renders\\",
                                  "ParseFragments": 'beautyPass.outputName="x y";'}, 1)
        self.assertEqual(split_like_msvcrt(b.join_arguments(args)), args)


if __name__ == "__main__":
    unittest.main()
