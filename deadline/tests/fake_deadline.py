"""Test doubles for the Deadline/.NET modules BellaRender.py imports.

Deadline's API only exists inside a Worker or Monitor. These fakes model just
the members the plugin shell touches, with the behaviour the Deadline
Scripting Reference documents (FailRender raises, SearchFileList returns the
first existing path or ""), so the shell's wiring can be exercised here.
"""

import os
import re
import sys
import tempfile
import types


class Event:
    """Stands in for a .NET event: supports `+=` and records the handlers."""

    def __init__(self):
        self.handlers = []

    def __iadd__(self, handler):
        self.handlers.append(handler)
        return self


class StdoutHandler:
    def __init__(self, regex):
        self.regex = regex
        self.HandleCallback = Event()


class FailRenderError(Exception):
    pass


class DeadlinePlugin:
    def __init__(self):
        for name in ("InitializeProcessCallback", "PreRenderTasksCallback", "StartupDirectoryCallback",
                     "RenderExecutableCallback", "RenderArgumentCallback", "PostRenderTasksCallback"):
            setattr(self, name, Event())
        self.StdoutHandlers = []
        self.plugin_info, self.config = {}, {}
        self.frame, self.plugin_dir = 1, ""
        self.progress, self.status, self.warnings, self.infos = None, "", [], []
        self.temp_root = tempfile.mkdtemp(prefix="fake-worker-")
        self.environment = {}
        self._match = None

    # Accessors Deadline provides.
    def GetPluginDirectory(self):
        return self.plugin_dir

    def GetStartFrame(self):
        return self.frame

    def GetPluginInfoEntryWithDefault(self, key, default):
        return self.plugin_info.get(key, default)

    def GetConfigEntryWithDefault(self, key, default):
        return self.config.get(key, default)

    def GetBooleanConfigEntryWithDefault(self, key, default):
        value = self.config.get(key)
        return default if value is None else str(value).lower() in ("true", "1")

    def CreateTempDirectory(self, prefix):
        return tempfile.mkdtemp(prefix=prefix, dir=self.temp_root)

    # Effects.
    def FailRender(self, message):
        raise FailRenderError(message)

    def LogInfo(self, message):
        self.infos.append(message)

    def LogWarning(self, message):
        self.warnings.append(message)

    def SetEnvironmentVariable(self, key, value):
        self.environment[key] = value

    def SetProgress(self, value):
        self.progress = value

    def SetStatusMessage(self, message):
        self.status = message

    def AddStdoutHandlerCallback(self, regex):
        handler = StdoutHandler(regex)
        self.StdoutHandlers.append(handler)
        return handler

    def GetRegexMatch(self, index):
        return self._match.group(index)

    def feed_stdout(self, line):
        """What Deadline does for each stdout line: run every matching handler."""
        for handler in self.StdoutHandlers:
            match = re.search(handler.regex, line)
            if match:
                self._match = match
                for callback in handler.HandleCallback.handlers:
                    callback()


def _search_file_list(candidates):
    for path in candidates.split(";"):
        if path.strip() and os.path.isfile(path.strip()):
            return path.strip()
    return ""


def install():
    """Register the fake modules under the names BellaRender.py imports."""
    plugins = types.ModuleType("Deadline.Plugins")
    plugins.DeadlinePlugin = DeadlinePlugin
    plugins.PluginType = types.SimpleNamespace(Simple="Simple", Advanced="Advanced")
    scripting = types.ModuleType("Deadline.Scripting")
    scripting.FileUtils = types.SimpleNamespace(SearchFileList=_search_file_list)
    scripting.RepositoryUtils = types.SimpleNamespace(CheckPathMapping=lambda path: path)
    deadline = types.ModuleType("Deadline")
    deadline.Plugins, deadline.Scripting = plugins, scripting
    sys.modules.update({"Deadline": deadline, "Deadline.Plugins": plugins,
                        "Deadline.Scripting": scripting})
