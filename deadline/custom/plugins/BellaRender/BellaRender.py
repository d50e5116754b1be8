#!/usr/bin/env python3
"""Deadline 10 plugin that renders Bella scenes with bella_cli, one frame per task.

A thin shell: Deadline's API (Deadline.*) exists only inside the Worker, so every
decision is made by bella_logic.py next to this file, which is plain Python and tested.
"""

import os
import shutil
import sys

from Deadline.Plugins import DeadlinePlugin, PluginType
from Deadline.Scripting import FileUtils, RepositoryUtils


def GetDeadlinePlugin():
    return BellaRenderPlugin()


def CleanupDeadlinePlugin(deadlinePlugin):
    deadlinePlugin.Cleanup()


class BellaRenderPlugin(DeadlinePlugin):
    def __init__(self):
        # Required by Deadline 10.1+ (Python 3 plugins).
        super().__init__()
        self.InitializeProcessCallback += self.InitializeProcess
        self.PreRenderTasksCallback += self.PreRenderTasks
        self.StartupDirectoryCallback += self.StartupDirectory
        self.RenderExecutableCallback += self.RenderExecutable
        self.RenderArgumentCallback += self.RenderArgument
        self.PostRenderTasksCallback += self.PostRenderTasks

    def Cleanup(self):
        # Deadline leaks the interpreter's callbacks unless they are deleted.
        for stdoutHandler in self.StdoutHandlers:
            del stdoutHandler.HandleCallback
        del self.InitializeProcessCallback
        del self.PreRenderTasksCallback
        del self.StartupDirectoryCallback
        del self.RenderExecutableCallback
        del self.RenderArgumentCallback
        del self.PostRenderTasksCallback

    def InitializeProcess(self):
        # The Worker copies the plugin folder locally; its pure module is importable from there.
        sys.path.insert(0, self.GetPluginDirectory())
        import bella_logic
        self.logic = bella_logic
        self.SingleFramesOnly = True
        self.PluginType = PluginType.Simple
        # A cancelled task kills bella_cli too.
        self.UseProcessTree = True
        self.StdoutHandling = True
        # Bella's licence, when the farm has one: oomerfarm/bella/bella.lic on the share.
        for key, value in bella_logic.license_env().items():
            self.SetEnvironmentVariable(key, value)
        self.AddStdoutHandlerCallback(bella_logic.PROGRESS_REGEX).HandleCallback += self.HandleProgress
        self.AddStdoutHandlerCallback(bella_logic.WARNING_REGEX).HandleCallback += self.HandleWarning
        self.AddStdoutHandlerCallback(bella_logic.ERROR_REGEX).HandleCallback += self.HandleError

    def PreRenderTasks(self):
        """Deadline calls this first for each task: map paths, check the scene, build the arguments."""
        logic, frame = self.logic, self.GetStartFrame()
        info = {key: self.GetPluginInfoEntryWithDefault(key, "") for key in logic.KEYS}
        try:
            # Deadline's own path-mapping rules first (e.g. a Windows drive letter), then the share's.
            for key in ("SceneFile", "OutputDirectory"):
                info[key] = logic.map_path(RepositoryUtils.CheckPathMapping(info[key]))
            self.args = logic.build_arguments(info, frame)
            self.expected = logic.expected_output_path(info, frame)
        except ValueError as error:
            self.FailRender("Bad BellaRender job settings: %s" % error)
        scene = self.args[0][len("-i:"):]
        if not os.path.isfile(scene):
            self.FailRender("Bella scene not found on this worker (is the share mounted?): " + scene)
        if info["OutputDirectory"]:
            os.makedirs(info["OutputDirectory"], exist_ok=True)
        # bella_cli unpacks a .bsz where it runs: a private copy per task stops workers
        # colliding on the share (the original farm hit this).
        self.work_dir = self.CreateTempDirectory("bella")
        self.local_scene = os.path.join(self.work_dir, os.path.basename(scene))
        if scene.lower().endswith(".bsz"):
            shutil.copyfile(scene, self.local_scene)
            self.args[0] = "-i:" + self.local_scene

    def StartupDirectory(self):
        return self.work_dir

    def RenderExecutable(self):
        paths = self.GetConfigEntryWithDefault("BellaCliExecutable", "/opt/oomerfarm/bella/bella_cli")
        executable = FileUtils.SearchFileList(paths)
        if not executable:
            self.FailRender("bella_cli not found in: %s (Configure Plugins > BellaRender)" % paths)
        return executable

    def RenderArgument(self):
        self.LogInfo("bella_cli arguments: %s" % self.args)
        return self.logic.join_arguments(self.args)

    def PostRenderTasks(self):
        if os.path.isfile(self.local_scene):
            os.remove(self.local_scene)
        if self.expected and not os.path.isfile(self.expected):
            self.FailRender("bella_cli exited but the image is missing: " + self.expected)

    def HandleProgress(self):
        self.SetProgress(self.logic.parse_progress(self.GetRegexMatch(0)))
        self.SetStatusMessage(self.GetRegexMatch(0))

    def HandleWarning(self):
        self.LogWarning(self.GetRegexMatch(0))

    def HandleError(self):
        # bella_cli prints [ERROR] for problems it renders through, so failing on them is opt-in.
        if self.GetBooleanConfigEntryWithDefault("FailOnErrorLines", False):
            self.FailRender(self.GetRegexMatch(0))
        self.LogWarning(self.GetRegexMatch(0))
