#!/usr/bin/env python3
"""Deadline 10 plugin that renders Bella scenes with bella_cli, one frame per task.

A thin shell: Deadline's API (Deadline.*, System.*) exists only inside the
Worker, so every decision - arguments, path mapping, stdout parsing - is made
by bella_logic.py next to this file, which is plain Python and unit-tested.
"""

import os
import shutil
import sys

from Deadline.Plugins import DeadlinePlugin, PluginType
from Deadline.Scripting import FileUtils, RepositoryUtils
from System.Diagnostics import ProcessPriorityClass


def GetDeadlinePlugin():
    """Deadline calls this to get the plugin instance."""
    return BellaRenderPlugin()


def CleanupDeadlinePlugin(deadlinePlugin):
    """Deadline calls this when the plugin is unloaded."""
    deadlinePlugin.Cleanup()


def _load_logic(plugin_directory):
    # The Worker copies the whole plugin folder locally; make its pure module importable.
    if plugin_directory and plugin_directory not in sys.path:
        sys.path.insert(0, plugin_directory)
    import bella_logic  # noqa: E402 - only importable once the folder is on sys.path
    return bella_logic


class BellaRenderPlugin(DeadlinePlugin):
    def __init__(self):
        super().__init__()  # required by Deadline 10.1+ (Python 3 plugins)
        self.InitializeProcessCallback += self.InitializeProcess
        self.PreRenderTasksCallback += self.PreRenderTasks
        self.StartupDirectoryCallback += self.StartupDirectory
        self.RenderExecutableCallback += self.RenderExecutable
        self.RenderArgumentCallback += self.RenderArgument
        self.PostRenderTasksCallback += self.PostRenderTasks
        self.logic = None
        self.options = None
        self.prepared_frame = None
        self.work_dir = ""
        self.local_scene = ""

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

    # -- setup ------------------------------------------------------------

    def InitializeProcess(self):
        self.logic = _load_logic(self.GetPluginDirectory())
        self.SingleFramesOnly = True  # one bella_cli run renders one frame
        self.PluginType = PluginType.Simple
        self.ProcessPriority = ProcessPriorityClass.BelowNormal
        self.UseProcessTree = True  # a cancelled task kills bella_cli too
        self.StdoutHandling = True
        self.AddStdoutHandlerCallback(self.logic.PROGRESS_REGEX).HandleCallback += self.HandleProgress
        self.AddStdoutHandlerCallback(self.logic.WARNING_REGEX).HandleCallback += self.HandleWarning
        self.AddStdoutHandlerCallback(self.logic.ERROR_REGEX).HandleCallback += self.HandleError

    def _config(self, key, default=""):
        return self.GetConfigEntryWithDefault(key, default)

    def _map(self, path):
        """Deadline's own mapping rules first, then the farm's share mapping."""
        if not path:
            return path
        mapping = self.logic.mapping_from_config({
            "HubOverlayIP": self._config("HubOverlayIP", self.logic.DEFAULT_HUB_IP),
            "HubHostNames": self._config("HubHostNames"),
            "ShareName": self._config("ShareName", self.logic.DEFAULT_SHARE),
            "ClientSharePrefixes": self._config("ClientSharePrefixes"),
            "WorkerShareRoot": self._config("WorkerShareRoot", self.logic.DEFAULT_WORKER_ROOT),
        })
        return self.logic.map_path(RepositoryUtils.CheckPathMapping(path), mapping)

    def _prepare(self):
        """Work out this task's options once; every callback below relies on them."""
        frame = self.GetStartFrame()
        if self.prepared_frame == frame and self.options is not None:
            return self.options
        options = self.logic.options_from_plugin_info(
            lambda key: self.GetPluginInfoEntryWithDefault(key, ""), frame)
        try:
            options["scene"] = self._map(options.get("scene", ""))
            options["output_dir"] = self._map(options.get("output_dir", ""))
            scene = self.logic.expand_frame_tokens(options["scene"], frame)
        except ValueError as error:
            self.FailRender(str(error))
        if not os.path.isfile(scene):
            self.FailRender("Bella scene not found on this worker: %s (is the share mounted?)" % scene)
        if options.get("output_dir"):
            os.makedirs(options["output_dir"], exist_ok=True)
        threads = self._config("Threads", "").strip()
        if threads and "threads" not in options:
            options["threads"] = threads

        # bella_cli unpacks a .bsz next to where it runs; a private working
        # folder stops workers colliding (the original farm hit this).
        self.work_dir = self.CreateTempDirectory("bella")
        self.local_scene = ""
        if scene.lower().endswith(".bsz") and self.GetBooleanConfigEntryWithDefault("CopyBszLocally", True):
            self.local_scene = os.path.join(self.work_dir, os.path.basename(scene))
            shutil.copyfile(scene, self.local_scene)
            options["scene"] = self.local_scene
            # Keep the shared scene's name for the default output name.
            options.setdefault("output_name", self.logic.safe_name(self.logic.scene_stem(scene)))
        self.options = options
        self.prepared_frame = frame
        return options

    # -- callbacks Deadline calls for each task -----------------------------

    def PreRenderTasks(self):
        self._prepare()

    def StartupDirectory(self):
        self._prepare()
        return self.work_dir

    def RenderExecutable(self):
        candidates = self._config("BellaCliExecutable", "/opt/oomerfarm/bella/bella_cli")
        executable = FileUtils.SearchFileList(candidates)
        if executable == "":
            self.FailRender("bella_cli not found; looked in: %s (Configure Plugins > BellaRender)" % candidates)
        return executable

    def RenderArgument(self):
        options = self._prepare()
        try:
            args = self.logic.build_arguments(options)
        except ValueError as error:
            self.FailRender("Bad BellaRender job settings: %s" % error)
        self.LogInfo("bella_cli arguments: %s" % args)
        return self.logic.join_arguments(args)

    def PostRenderTasks(self):
        options = self._prepare()
        if self.local_scene and os.path.isfile(self.local_scene):
            os.remove(self.local_scene)
        expected = self.logic.expected_output_path(options)
        if expected and not os.path.isfile(expected):
            self.FailRender("bella_cli exited but the image is missing: %s" % expected)
        self.prepared_frame = None

    # -- stdout handlers ----------------------------------------------------

    def HandleProgress(self):
        progress = self.logic.parse_progress(self.GetRegexMatch(0))
        if progress is not None:
            self.SetProgress(progress)
            self.SetStatusMessage(self.GetRegexMatch(0))

    def HandleWarning(self):
        self.LogWarning(self.GetRegexMatch(0))

    def HandleError(self):
        # bella_cli prints [ERROR] for problems it renders through (the
        # original farm saw many), so failing on them is opt-in.
        if self.GetBooleanConfigEntryWithDefault("FailOnErrorLines", False):
            self.FailRender(self.GetRegexMatch(0))
        else:
            self.LogWarning(self.GetRegexMatch(0))
