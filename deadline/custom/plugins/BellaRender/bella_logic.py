"""Pure logic for the BellaRender Deadline plugin and its Monitor submitter.

Everything that decides *what* happens lives here: the bella_cli argument list,
the share-path mapping, stdout parsing and the job/plugin info. BellaRender.py and
BellaRenderSubmission.py only glue this to Deadline's API, which exists only
inside Deadline. Standard library only, Python 3.7+ (Deadline 10.4 embeds 3.10).

This file travels inside the workers' cloud-init user data (32 KiB in all), so it
keeps to what the farm uses; test/deadline-plugin.test.ts holds it to a budget.

bella_cli facts (public code, read for facts, nothing copied):
  github.com/oomer/oomerfarm  DeadlineRepository10/custom/plugins/BellaRender:
    -i: -od: -res:WxH and -pf:"..." parse fragments (beautyPass.outputExt,
    beautyPass.targetNoise, settings.useGpu); stdout "Progress: 68.78%",
    "[WARNING]", "[ERROR]"; bella_cli fails when outputName contains "default".
  github.com/oomer/oomerfarm-flamenco  scripts/simple-bella-render.js: -on:<name>.
  github.com/oomer/bellarenderfarm  1_TestScene.bsa: settings.camera names a node.
"""

import posixpath
import os
import re
from subprocess import list2cmdline

# Deadline hands RenderArgument's string to .NET's Process, which splits it by the
# Microsoft C runtime rules on every OS; list2cmdline quotes by exactly those rules.
join_arguments = list2cmdline

# Plugin info keys: the job's settings, as the submitter writes them and workers read them.
KEYS = ("SceneFile", "OutputDirectory", "OutputName", "OutputFormat", "Resolution",
        "Camera", "TargetNoise", "UseGpu", "ParseFragments")
FORMATS = ("png", "jpg", "exr", "tif", "tga", "bmp", "iff", "dpx", "hdr")
# Where every worker mounts the hub's share.
ROOT = "/mnt/oomerfarm"

# A boss path on the share: \\<hub>\oomerfarm (hub overlay IP or the name "hub"; host and
# share in any case, either slash), macOS /Volumes/oomerfarm (APFS ignores case) or
# Linux /mnt/oomerfarm. Group 2 is the rest of the path.
def _hub_ip(env_file="/etc/oomerfarm/farm.env"):
    """The hub's overlay address: it follows the stack's vpnCidr (10.87.0.1 by default)."""
    ip = os.environ.get("OOMERFARM_HUB_IP", "")
    try:
        with open(env_file) as f:
            for line in f:
                if not ip and line.startswith("HUB_OVERLAY_IP="):
                    ip = line.split("=", 1)[1].strip().strip("'\"")
    except OSError:
        pass
    return ip or "10.87.0.1"


_SHARE = re.compile(r"((?i://(?:%s|hub)/+oomerfarm|/volumes/oomerfarm)|/mnt/oomerfarm)(/.*)?$" % re.escape(_hub_ip()))

PROGRESS_REGEX = r"Progress:\s*([0-9]+(?:[.,][0-9]+)?)\s*%"
WARNING_REGEX = r"\[WARNING\].*"
ERROR_REGEX = r"\[ERROR\].*"


class BellaOptionError(ValueError):
    """A job setting bella_cli cannot use; the message says which."""


def frame_path(text, frame):
    """Each run of '#' becomes the frame number padded to the run's length: shot_####, 12 -> shot_0012."""
    if "#" in text and frame is None:
        raise BellaOptionError("%s has # frame padding but no frame was given" % text)
    return re.sub("#+", lambda m: str(int(frame)).zfill(len(m.group())), text)


def stem(path):
    """File name without extension, of a POSIX or Windows path."""
    return posixpath.splitext(re.split(r"[\\/]", path)[-1])[0]


def safe_name(text):
    """A scene stem made usable as an output name."""
    name = re.sub("[^A-Za-z0-9_.#-]+", "_", text).strip("._") or "render"
    return re.sub("(?i)default", "dflt", name)


def _get(info, key):
    return str(info.get(key) or "").strip()


def _format(info):
    fmt = _get(info, "OutputFormat").lower().lstrip(".")
    if fmt and fmt not in FORMATS:
        raise BellaOptionError("output format %s is not one of %s" % (fmt, " ".join(FORMATS)))
    return fmt


def output_name(info, frame):
    """The image base name for this frame: OutputName, or the scene's file name."""
    name = _get(info, "OutputName") or safe_name(stem(frame_path(_get(info, "SceneFile"), frame)))
    if not re.match(r"[A-Za-z0-9_.#-]+$", name) or "default" in name.lower():
        raise BellaOptionError("output name %s: use letters, digits, _ - . # and not 'default'" % name)
    return frame_path(name, frame)


def build_arguments(info, frame):
    """bella_cli argv (no executable) for one frame; info maps KEYS to values, paths as this worker sees them.

    The first item is always -i:<scene>. Camera, format and noise end up inside parse
    fragments, so they are checked to be values that cannot start another statement.
    """
    scene = _get(info, "SceneFile")
    if not re.search(r"\.bs[zxa]$", scene, re.I):
        raise BellaOptionError("the scene must be a .bsz, .bsx or .bsa file, not %r" % scene)
    args = ["-i:" + frame_path(scene, frame)]
    if _get(info, "OutputDirectory"):
        args.append("-od:" + _get(info, "OutputDirectory"))
    args.append("-on:" + output_name(info, frame))
    res = _get(info, "Resolution")
    if res:
        size = re.match(r"(\d+)\s*[xX]\s*(\d+)$", res)
        if not size or min(int(side) for side in size.groups()) < 1:
            raise BellaOptionError("resolution must be WIDTHxHEIGHT, not %s" % res)
        args.append("-res:%dx%d" % tuple(int(side) for side in size.groups()))
    fragments = []
    if _format(info):
        fragments.append('beautyPass.outputExt=".%s";' % _format(info))
    camera = _get(info, "Camera")
    if camera:
        if not re.match(r"[A-Za-z_][A-Za-z0-9_]*$", camera):
            raise BellaOptionError("camera %r is not a Bella node name" % camera)
        fragments.append("settings.camera=%s;" % camera)
    noise = _get(info, "TargetNoise")
    if noise:
        if not re.match(r"[0-9]+$", noise) or not 1 <= int(noise) <= 100:
            raise BellaOptionError("target noise must be 1..100, not %s" % noise)
        fragments.append("beautyPass.targetNoise=%du;" % int(noise))
    if _get(info, "UseGpu").lower() in ("true", "1"):
        fragments.append("settings.useGpu=true;")
    # Raw Bella statements, passed whole as one -pf.
    extra = _get(info, "ParseFragments")
    if extra:
        fragments.append(extra if extra.endswith(";") else extra + ";")
    return args + ["-pf:" + fragment for fragment in fragments]


def expected_output_path(info, frame):
    """Where the image must appear after bella_cli exits; None when the scene keeps its own format."""
    fmt, folder = _format(info), _get(info, "OutputDirectory")
    if fmt and folder:
        return posixpath.join(folder.replace("\\", "/"), output_name(info, frame) + "." + fmt)
    return None


def map_path(path):
    """A boss's share path on this worker's mount (ROOT); any other path comes back unchanged.

    Raises ValueError for a path that climbs out of the share with '..'.
    """
    share = _SHARE.match(path.strip().replace("\\", "/"))
    if not share:
        return path
    parts = []
    for part in (share.group(2) or "").split("/"):
        if part == "..":
            if not parts:
                raise ValueError("%s climbs out of the shared folder" % path)
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join([ROOT] + parts)


def on_share(path):
    """True when workers can reach the path through the share."""
    try:
        map_path(path)
    except ValueError:
        return False
    return bool(_SHARE.match(path.strip().replace("\\", "/")))


def license_env(root=None):
    """Bella reads its licence from BELLA_LICENSE_PATH: the share's bella/bella.lic, if present."""
    path = posixpath.join(root or ROOT, "bella", "bella.lic")
    return {"BELLA_LICENSE_PATH": path} if os.path.isfile(path) else {}


def parse_progress(line):
    """Percentage (float, at most 100) from a bella_cli progress line, else None."""
    match = re.search(PROGRESS_REGEX, line or "")
    return min(100.0, float(match.group(1).replace(",", "."))) if match else None


def to_key_value_text(entries):
    """Deadline's job/plugin info file format: key=value lines."""
    if any(re.search("[\r\n]", value) for value in entries.values()):
        raise BellaOptionError("job settings must be one line each")
    return "".join("%s=%s\n" % item for item in entries.items())


def submission(fields):
    """The job info and plugin info files' text for the Monitor dialog's fields.

    fields: scene, output_dir, output_name, output_format, width, height (0 keeps the
    scene's), camera, target_noise, use_gpu, extra_fragments, name, frames, pool,
    group, priority. Paths stay as the boss sees them; workers map them.
    """
    scene, frames = _get(fields, "scene"), _get(fields, "frames") or "1"
    name = _get(fields, "output_name") or safe_name(stem(scene))
    if "#" not in name and re.search(r"\d\D+\d", frames):
        # Several frames: one image each instead of overwriting one file.
        name += "_####"
    width, height = int(fields.get("width") or 0), int(fields.get("height") or 0)
    plugin = {
        "SceneFile": scene, "OutputDirectory": fields.get("output_dir"), "OutputName": name,
        "OutputFormat": fields.get("output_format"),
        "Resolution": "%dx%d" % (width, height) if width or height else "",
        "Camera": fields.get("camera"), "TargetNoise": fields.get("target_noise"),
        "UseGpu": "True" if fields.get("use_gpu") else "", "ParseFragments": fields.get("extra_fragments"),
    }
    plugin = {key: _get(plugin, key) for key in KEYS if _get(plugin, key)}
    if not plugin.get("OutputDirectory"):
        raise BellaOptionError("an output folder is required")
    # The checks every worker makes, before anything is submitted.
    build_arguments(plugin, 1)
    fmt = _format(plugin)
    job = {
        "Plugin": "BellaRender", "Name": _get(fields, "name") or stem(scene), "Frames": frames,
        "Pool": _get(fields, "pool") or "none", "Group": _get(fields, "group") or "none",
        "Priority": str(int(fields.get("priority", 50))),
        "OutputDirectory0": plugin["OutputDirectory"],
        "OutputFilename0": name + "." + fmt if fmt else "",
    }
    return to_key_value_text({key: value for key, value in job.items() if value}), to_key_value_text(plugin)
