"""Deadline Monitor submitter for BellaRender jobs (Submit > BellaRender).

Only the dialog and the call to deadlinecommand live here; what goes into the job
info and plugin info files is decided by bella_logic.submission(), which sits in
custom/plugins/BellaRender/ and is unit-tested outside Deadline.
"""

import os
import sys

from System.Collections.Specialized import StringCollection

from Deadline.Scripting import ClientUtils, RepositoryUtils
from DeadlineUI.Controls.Scripting.DeadlineScriptDialog import DeadlineScriptDialog

# Controls remembered between submissions.
STICKY = ("sceneBox", "outputDirBox", "formatBox", "widthBox", "heightBox", "cameraBox",
          "framesBox", "poolBox", "groupBox", "priorityBox", "noiseBox", "gpuBox", "fragmentsBox")


def _logic():
    path = RepositoryUtils.GetRepositoryFilePath("custom/plugins/BellaRender/bella_logic.py", True)
    sys.path.insert(0, os.path.dirname(path))
    import bella_logic
    return bella_logic


def __main__(*args):
    global dialog, logic
    logic = _logic()
    dialog = DeadlineScriptDialog()
    dialog.SetTitle("Submit Bella render to Deadline (oomerfarm)")
    dialog.AddGrid()

    def label(text, row, column, tip=""):
        dialog.AddControlToGrid(text, "LabelControl", text, row, column, tip, False)

    label("Scene file", 0, 0, "A .bsz/.bsx/.bsa on the oomerfarm share; # runs become the frame number.")
    dialog.AddSelectionControlToGrid("sceneBox", "FileBrowserControl", "", "Bella scenes (*.bsz *.bsx *.bsa)", 0, 1, colSpan=3)
    label("Output folder", 1, 0, "A folder on the oomerfarm share.")
    dialog.AddSelectionControlToGrid("outputDirBox", "FolderBrowserControl", "", "", 1, 1, colSpan=3)
    label("Output name", 2, 0, "Blank uses the scene's name.")
    dialog.AddControlToGrid("outputNameBox", "TextControl", "", 2, 1)
    label("Format", 2, 2)
    dialog.AddComboControlToGrid("formatBox", "ComboControl", "png", logic.FORMATS, 2, 3)
    label("Width x height", 3, 0, "0 x 0 keeps the scene's resolution.")
    dialog.AddRangeControlToGrid("widthBox", "RangeControl", 0, 0, 65536, 0, 1, 3, 1)
    dialog.AddRangeControlToGrid("heightBox", "RangeControl", 0, 0, 65536, 0, 1, 3, 2)
    label("Camera node", 4, 0, "Blank keeps the scene's camera.")
    dialog.AddControlToGrid("cameraBox", "TextControl", "", 4, 1)
    dialog.AddSelectionControlToGrid("gpuBox", "CheckBoxControl", False, "Render on GPU", 4, 2, "")
    label("Target noise", 5, 0, "0 keeps the scene's setting; higher is cleaner.")
    dialog.AddRangeControlToGrid("noiseBox", "RangeControl", 0, 0, 100, 0, 1, 5, 1)
    label("Parse fragments", 6, 0, "Extra Bella statements for -pf:, e.g. beautyPass.timeLimit=60f;")
    dialog.AddControlToGrid("fragmentsBox", "TextControl", "", 6, 1, colSpan=3)
    label("Job name", 7, 0, "Blank uses the scene's name.")
    dialog.AddControlToGrid("nameBox", "TextControl", "", 7, 1)
    label("Frames", 7, 2, "e.g. 1 or 1-24 or 1,5,10-20x2")
    dialog.AddControlToGrid("framesBox", "TextControl", "1", 7, 3)
    label("Pool", 8, 0)
    dialog.AddControlToGrid("poolBox", "PoolComboControl", "none", 8, 1)
    label("Group", 8, 2)
    dialog.AddControlToGrid("groupBox", "GroupComboControl", "none", 8, 3)
    label("Priority", 9, 0)
    dialog.AddRangeControlToGrid("priorityBox", "RangeControl", 50, 0, 100, 0, 1, 9, 1)
    submit = dialog.AddControlToGrid("submitButton", "ButtonControl", "Submit", 9, 2, expand=False)
    submit.ValueModified.connect(submitButtonPressed)
    close = dialog.AddControlToGrid("closeButton", "ButtonControl", "Close", 9, 3, expand=False)
    close.ValueModified.connect(dialog.closeEvent)
    dialog.EndGrid()

    settings = os.path.join(ClientUtils.GetUsersSettingsDirectory(), "BellaRenderSettings.ini")
    dialog.LoadSettings(settings, STICKY)
    dialog.EnabledStickySaving(STICKY, settings)
    dialog.ShowDialog(False)


def submitButtonPressed(*args):
    value = dialog.GetValue
    fields = {
        "scene": value("sceneBox"), "output_dir": value("outputDirBox"),
        "output_name": value("outputNameBox"), "output_format": value("formatBox"),
        "width": value("widthBox"), "height": value("heightBox"), "camera": value("cameraBox"),
        "use_gpu": value("gpuBox"), "target_noise": int(value("noiseBox")) or "",
        "extra_fragments": value("fragmentsBox"), "name": value("nameBox"),
        "frames": value("framesBox"), "pool": value("poolBox"), "group": value("groupBox"),
        "priority": value("priorityBox"),
    }
    if not os.path.isfile(fields["scene"]):
        dialog.ShowMessageBox("Scene file not found: %s" % fields["scene"], "Error")
        return
    for path in (fields["scene"], fields["output_dir"]):
        if not logic.on_share(path):
            dialog.ShowMessageBox("%s is not on the oomerfarm share; workers may not find it." % path, "Warning")
    try:
        files = logic.submission(fields)
    except ValueError as error:
        dialog.ShowMessageBox(str(error), "Error")
        return
    arguments = StringCollection()
    for name, text in zip(("bella_job_info.job", "bella_plugin_info.job"), files):
        path = os.path.join(ClientUtils.GetDeadlineTempPath(), name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        arguments.Add(path)
    dialog.ShowMessageBox(ClientUtils.ExecuteCommandAndGetOutput(arguments), "Submission results")
