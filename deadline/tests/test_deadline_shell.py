"""BellaRender.py wired to fake Deadline modules: one task from plugin info to image check."""

import importlib.util
import os
import shutil
import tempfile
import unittest
from unittest import mock

import fake_deadline
from support import PLUGIN_DIR, bella_logic as b, fixture_lines


def load_plugin_module():
    fake_deadline.install()
    spec = importlib.util.spec_from_file_location("BellaRender_under_test",
                                                  os.path.join(PLUGIN_DIR, "BellaRender.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class OneTask(unittest.TestCase):
    def setUp(self):
        self.module = load_plugin_module()
        self.share = tempfile.mkdtemp(prefix="share-")
        os.makedirs(os.path.join(self.share, "bella"))
        with open(os.path.join(self.share, "bella", "orange-juice.bsz"), "wb") as handle:
            handle.write(b"PK\x03\x04 not a real scene")
        self.cli = os.path.join(self.share, "bella_cli")
        open(self.cli, "w").close()
        self.plugin = self.module.GetDeadlinePlugin()
        self.plugin.plugin_dir = PLUGIN_DIR
        self.plugin.frame = 3
        self.plugin.config = {"BellaCliExecutable": "/nonexistent/bella_cli;" + self.cli}
        # The worker's share mount is a temp folder here.
        patch = mock.patch.object(b, "ROOT", self.share)
        patch.start()
        self.addCleanup(patch.stop)
        self.plugin.plugin_info = {
            "SceneFile": "\\\\10.87.0.1\\OomerFarm\\bella\\orange-juice.bsz",
            "OutputDirectory": "\\\\10.87.0.1\\oomerfarm\\bella\\renders",
            "OutputName": "oj_####", "OutputFormat": "png", "Resolution": "320x240",
        }

    def tearDown(self):
        shutil.rmtree(self.share, ignore_errors=True)
        shutil.rmtree(self.plugin.temp_root, ignore_errors=True)

    def run_callbacks(self):
        p = self.plugin
        p.InitializeProcessCallback.handlers[0]()
        p.PreRenderTasksCallback.handlers[0]()
        return (p.StartupDirectoryCallback.handlers[0](),
                p.RenderExecutableCallback.handlers[0](),
                p.RenderArgumentCallback.handlers[0]())

    def test_task_arguments_use_mapped_paths_and_a_private_scene_copy(self):
        startup, executable, arguments = self.run_callbacks()
        self.assertEqual(executable, self.cli)
        local_scene = os.path.join(startup, "orange-juice.bsz")
        self.assertTrue(os.path.isfile(local_scene))
        self.assertNotEqual(os.path.dirname(local_scene), os.path.join(self.share, "bella"))
        renders = os.path.join(self.share, "bella", "renders")
        self.assertTrue(os.path.isdir(renders), "output folder is created on the worker")
        self.assertEqual(arguments, b.join_arguments([
            "-i:" + local_scene, "-od:" + renders, "-on:oj_0003", "-res:320x240",
            '-pf:beautyPass.outputExt=".png";']))

    def test_no_licence_on_the_share_sets_nothing(self):
        self.run_callbacks()
        self.assertEqual(self.plugin.environment, {})

    def test_a_licence_on_the_share_reaches_bella_cli(self):
        licence = os.path.join(self.share, "bella", "bella.lic")
        with open(licence, "w") as handle:
            handle.write("# Bella License\n")
        self.run_callbacks()
        self.assertEqual(self.plugin.environment, {"BELLA_LICENSE_PATH": licence})

    def test_post_render_fails_without_image_and_passes_with_it(self):
        startup, _exe, _args = self.run_callbacks()
        post = self.plugin.PostRenderTasksCallback.handlers[0]
        with self.assertRaises(fake_deadline.FailRenderError):
            post()
        with open(os.path.join(self.share, "bella", "renders", "oj_0003.png"), "wb") as handle:
            handle.write(b"\x89PNG")
        post()
        self.assertFalse(os.path.exists(os.path.join(startup, "orange-juice.bsz")),
                         "the private scene copy is removed after the task")

    def test_missing_scene_and_missing_executable_fail_the_task(self):
        self.plugin.plugin_info["SceneFile"] = "\\\\10.87.0.1\\oomerfarm\\bella\\missing.bsz"
        with self.assertRaises(fake_deadline.FailRenderError):
            self.run_callbacks()
        self.plugin.config["BellaCliExecutable"] = "/nonexistent/bella_cli"
        with self.assertRaises(fake_deadline.FailRenderError):
            self.plugin.RenderExecutable()

    def test_scene_formats_other_than_bsz_are_read_in_place(self):
        with open(os.path.join(self.share, "bella", "orange-juice.bsx"), "w") as handle:
            handle.write("<scene/>")
        self.plugin.plugin_info["SceneFile"] = "/Volumes/oomerfarm/bella/orange-juice.bsx"
        startup, _exe, arguments = self.run_callbacks()
        self.assertIn(b.join_arguments(["-i:" + os.path.join(self.share, "bella", "orange-juice.bsx")]), arguments)
        self.assertEqual(os.listdir(startup), [])
        # Nothing to clean up, but the missing image still fails the task.
        with self.assertRaises(fake_deadline.FailRenderError):
            self.plugin.PostRenderTasksCallback.handlers[0]()

    def test_deadline_path_mapping_runs_before_the_share_mapping(self):
        # e.g. a Deadline rule for a boss's mapped drive letter Z: -> the hub's share.
        repository = self.module.RepositoryUtils
        self.addCleanup(setattr, repository, "CheckPathMapping", repository.CheckPathMapping)
        repository.CheckPathMapping = lambda path: path.replace("Z:", "\\\\hub\\oomerfarm")
        self.plugin.plugin_info["SceneFile"] = "Z:\\bella\\orange-juice.bsz"
        self.plugin.plugin_info["OutputName"] = ""
        startup, _exe, arguments = self.run_callbacks()
        self.assertEqual(arguments, b.join_arguments([
            "-i:" + os.path.join(startup, "orange-juice.bsz"), "-od:" + os.path.join(self.share, "bella", "renders"),
            "-on:orange-juice", "-res:320x240", '-pf:beautyPass.outputExt=".png";']))

    def test_escaping_the_share_fails_the_task(self):
        self.plugin.plugin_info["SceneFile"] = "\\\\10.87.0.1\\oomerfarm\\..\\etc\\a.bsz"
        with self.assertRaises(fake_deadline.FailRenderError) as caught:
            self.run_callbacks()
        self.assertIn("climbs out", str(caught.exception))

    def test_bad_job_settings_fail_with_a_message(self):
        self.plugin.plugin_info["Camera"] = "cam; settings.threads=1"
        with self.assertRaises(fake_deadline.FailRenderError) as caught:
            self.run_callbacks()
        self.assertIn("camera", str(caught.exception))

    def test_stdout_handlers_with_fixture_lines(self):
        self.run_callbacks()
        for expected, line in fixture_lines("bella_cli_output.txt"):
            self.plugin.progress = None
            self.plugin.warnings = []
            self.plugin.feed_stdout(line)
            if expected == "none":
                self.assertIsNone(self.plugin.progress, msg=line)
                self.assertEqual(self.plugin.warnings, [], msg=line)
            elif expected in ("warning", "error"):
                # [ERROR] lines are logged, not fatal, unless FailOnErrorLines is set.
                self.assertEqual(self.plugin.warnings, [line], msg=line)
            else:
                self.assertAlmostEqual(self.plugin.progress, float(expected), places=4, msg=line)
        self.plugin.config["FailOnErrorLines"] = "True"
        with self.assertRaises(fake_deadline.FailRenderError):
            self.plugin.feed_stdout("[ERROR] something")

    def test_cleanup_releases_callbacks(self):
        self.run_callbacks()
        self.module.CleanupDeadlinePlugin(self.plugin)
        self.assertFalse(hasattr(self.plugin, "RenderArgumentCallback"))


if __name__ == "__main__":
    unittest.main()
