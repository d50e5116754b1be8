"""Deadline Monitor submitter for BellaRender jobs (Submit > BellaRender).

Only the dialog and the call to deadlinecommand live here; what goes into the
job info and plugin info files is decided by bella_logic.submission(), which
sits in custom/plugins/BellaRender/ and is unit-tested outside Deadline.
"""

import os
import sys

from System.Collections.Specialized import StringCollection

from Deadline.Scripting import ClientUtils, RepositoryUtils
from DeadlineUI.Controls.Scripting.DeadlineScriptDialog import DeadlineScriptDialog

scriptDialog = None

# Controls whose values are remembered between submissions.
STICKY = ("sceneBox", "outputDirBox", "outputNameBox", "formatBox", "widthBox", "heightBox",
          "cameraBox", "framesBox", "priorityBox", "poolBox", "secondaryPoolBox", "groupBox",
          "departmentBox", "noiseBox", "gpuBox")

FORMATS = ("scene default", "png", "jpg", "exr", "tif", "tga", "bmp", "iff", "dpx", "hdr")


def _logic():
    """Import bella_logic from the repository's BellaRender plugin folder."""
    path = RepositoryUtils.GetRepositoryFilePath("custom/plugins/BellaRender/bella_logic.py", True)
    folder = os.path.dirname(path)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import bella_logic  # noqa: E402 - found through the path added above
    return bella_logic


def __main__(*args):
    global scriptDialog
    scriptDialog = DeadlineScriptDialog()
    scriptDialog.SetTitle("Submit Bella render to Deadline (oomerfarm)")
    scriptDialog.AddGrid()

    row = 0
    scriptDialog.AddControlToGrid("sep1", "SeparatorControl", "Bella scene", row, 0, colSpan=4)
    row += 1
    scriptDialog.AddControlToGrid("sceneLabel", "LabelControl", "Scene file", row, 0,
                                  "A .bsz/.bsx/.bsa on the oomerfarm share. '#' runs become the frame number.", False)
    scriptDialog.AddSelectionControlToGrid("sceneBox", "FileBrowserControl", "",
                                           "Bella scenes (*.bsz *.bsx *.bsa);;All files (*)", row, 1, colSpan=3)
    row += 1
    scriptDialog.AddControlToGrid("cameraLabel", "LabelControl", "Camera node", row, 0,
                                  "Name of a camera node in the scene; blank keeps the scene's camera.", False)
    scriptDialog.AddControlToGrid("cameraBox", "TextControl", "", row, 1, colSpan=3)

    row += 1
    scriptDialog.AddControlToGrid("sep2", "SeparatorControl", "Output", row, 0, colSpan=4)
    row += 1
    scriptDialog.AddControlToGrid("outputDirLabel", "LabelControl", "Output folder", row, 0,
                                  "A folder on the oomerfarm share, e.g. oomerfarm/bella/renders.", False)
    scriptDialog.AddSelectionControlToGrid("outputDirBox", "FolderBrowserControl", "", "", row, 1, colSpan=3)
    row += 1
    scriptDialog.AddControlToGrid("outputNameLabel", "LabelControl", "Output name", row, 0,
                                  "Image base name; blank uses the scene's name.", False)
    scriptDialog.AddControlToGrid("outputNameBox", "TextControl", "", row, 1)
    scriptDialog.AddControlToGrid("formatLabel", "LabelControl", "Format", row, 2, "Image format.", False)
    scriptDialog.AddComboControlToGrid("formatBox", "ComboControl", "png", FORMATS, row, 3)
    row += 1
    scriptDialog.AddControlToGrid("resLabel", "LabelControl", "Width x height", row, 0,
                                  "0 x 0 keeps the scene's resolution.", False)
    scriptDialog.AddRangeControlToGrid("widthBox", "RangeControl", 0, 0, 65536, 0, 1, row, 1)
    scriptDialog.AddRangeControlToGrid("heightBox", "RangeControl", 0, 0, 65536, 0, 1, row, 2)
    row += 1
    scriptDialog.AddControlToGrid("noiseLabel", "LabelControl", "Target noise", row, 0,
                                  "0 keeps the scene's setting; higher is cleaner.", False)
    scriptDialog.AddRangeControlToGrid("noiseBox", "RangeControl", 0, 0, 100, 0, 1, row, 1)
    scriptDialog.AddSelectionControlToGrid("gpuBox", "CheckBoxControl", False, "Render on GPU", row, 2, "")

    row += 1
    scriptDialog.AddControlToGrid("sep3", "SeparatorControl", "Job", row, 0, colSpan=4)
    row += 1
    scriptDialog.AddControlToGrid("nameLabel", "LabelControl", "Job name", row, 0, "Blank uses the scene's name.", False)
    scriptDialog.AddControlToGrid("nameBox", "TextControl", "", row, 1)
    scriptDialog.AddControlToGrid("framesLabel", "LabelControl", "Frames", row, 2, "e.g. 1 or 1-24 or 1,5,10-20x2", False)
    scriptDialog.AddControlToGrid("framesBox", "TextControl", "1", row, 3)
    row += 1
    scriptDialog.AddControlToGrid("commentLabel", "LabelControl", "Comment", row, 0, "", False)
    scriptDialog.AddControlToGrid("commentBox", "TextControl", "", row, 1)
    scriptDialog.AddControlToGrid("departmentLabel", "LabelControl", "Department", row, 2, "", False)
    scriptDialog.AddControlToGrid("departmentBox", "TextControl", "", row, 3)
    row += 1
    scriptDialog.AddControlToGrid("poolLabel", "LabelControl", "Pool", row, 0, "", False)
    scriptDialog.AddControlToGrid("poolBox", "PoolComboControl", "none", row, 1)
    scriptDialog.AddControlToGrid("secondaryPoolLabel", "LabelControl", "Secondary pool", row, 2, "", False)
    scriptDialog.AddControlToGrid("secondaryPoolBox", "SecondaryPoolComboControl", "", row, 3)
    row += 1
    scriptDialog.AddControlToGrid("groupLabel", "LabelControl", "Group", row, 0, "", False)
    scriptDialog.AddControlToGrid("groupBox", "GroupComboControl", "none", row, 1)
    scriptDialog.AddControlToGrid("priorityLabel", "LabelControl", "Priority", row, 2, "0 (lowest) to 100", False)
    scriptDialog.AddRangeControlToGrid("priorityBox", "RangeControl", 50, 0, 100, 0, 1, row, 3)
    row += 1
    scriptDialog.AddSelectionControlToGrid("suspendedBox", "CheckBoxControl", False, "Submit suspended", row, 1, "")

    row += 1
    submitButton = scriptDialog.AddControlToGrid("submitButton", "ButtonControl", "Submit", row, 2, expand=False)
    submitButton.ValueModified.connect(submitButtonPressed)
    closeButton = scriptDialog.AddControlToGrid("closeButton", "ButtonControl", "Close", row, 3, expand=False)
    closeButton.ValueModified.connect(scriptDialog.closeEvent)
    scriptDialog.EndGrid()

    settingsFile = os.path.join(ClientUtils.GetUsersSettingsDirectory(), "BellaRenderSettings.ini")
    scriptDialog.LoadSettings(settingsFile, STICKY)
    scriptDialog.EnabledStickySaving(STICKY, settingsFile)
    scriptDialog.ShowDialog(False)


def _fields():
    value = scriptDialog.GetValue
    fmt = value("formatBox")
    noise = int(value("noiseBox"))
    return {
        "scene": value("sceneBox"),
        "camera": value("cameraBox"),
        "output_dir": value("outputDirBox"),
        "output_name": value("outputNameBox"),
        "output_format": "" if fmt == "scene default" else fmt,
        "width": int(value("widthBox")),
        "height": int(value("heightBox")),
        "target_noise": noise if noise > 0 else "",
        "use_gpu": bool(value("gpuBox")),
        "name": value("nameBox"),
        "frames": value("framesBox"),
        "comment": value("commentBox"),
        "department": value("departmentBox"),
        "pool": value("poolBox"),
        "secondary_pool": value("secondaryPoolBox"),
        "group": value("groupBox"),
        "priority": int(value("priorityBox")),
        "suspended": bool(value("suspendedBox")),
    }


def _write(path, text):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def submitButtonPressed(*args):
    logic = _logic()
    fields = _fields()
    if not os.path.isfile(fields["scene"]):
        scriptDialog.ShowMessageBox("Scene file not found: %s" % fields["scene"], "Error")
        return
    if not os.path.isdir(fields["output_dir"]):
        scriptDialog.ShowMessageBox("Output folder not found: %s" % fields["output_dir"], "Error")
        return
    mapping = logic.make_mapping(hub_names=("hub",))
    for label, path in (("scene", fields["scene"]), ("output folder", fields["output_dir"])):
        if not logic.is_on_share(path, mapping):
            scriptDialog.ShowMessageBox(
                "The %s is not on the oomerfarm share (%s); workers may not find it." % (label, path),
                "Warning")
    try:
        job, plugin = logic.submission(fields)
    except ValueError as error:
        scriptDialog.ShowMessageBox(str(error), "Error")
        return

    temp = ClientUtils.GetDeadlineTempPath()
    jobInfoFile = os.path.join(temp, "bella_job_info.job")
    pluginInfoFile = os.path.join(temp, "bella_plugin_info.job")
    _write(jobInfoFile, logic.to_key_value_text(job))
    _write(pluginInfoFile, logic.to_key_value_text(plugin))

    arguments = StringCollection()
    arguments.Add(jobInfoFile)
    arguments.Add(pluginInfoFile)
    report = ClientUtils.ExecuteCommandAndGetOutput(arguments)
    scriptDialog.ShowMessageBox(report, "Submission results")
