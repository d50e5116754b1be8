"""Pure logic for the BellaRender Deadline plugin and its Monitor submitter.

Everything that decides *what* happens lives here: the bella_cli argument
list, the share-path mapping, stdout parsing and the job/plugin info files.
BellaRender.py and BellaRenderSubmission.py only glue this to Deadline's API,
which exists only inside Deadline. Standard library only, Python 3.7+
(Deadline 10.4 embeds Python 3.10), so it imports and tests anywhere.

Sources for bella_cli facts (public code, read for facts, nothing copied):
  [oomerfarm]  github.com/oomer/oomerfarm, DeadlineRepository10/custom/plugins/
               BellaRender/BellaRender.py: -i:, -od:, -res:"WxH", -pf:"..."
               parse fragments (beautyPass.outputExt/outputName/targetNoise/
               timeLimit/denoise, settings.useGpu, settings.threads), the
               stdout patterns "Progress: 68.78%", "[WARNING]", "[ERROR]", and
               the note that bella_cli fails when outputName contains "default".
  [flamenco]   github.com/oomer/oomerfarm-flamenco, scripts/simple-bella-render.js
               and scripts/SimpleBellaRender.js: "-i:<scene>", "-od:<dir>",
               "-on:<name>", "-res:<W>x<H>" passed as separate argv items.
  [submitter]  oomerfarm DeadlineRepository10/custom/scripts/Submission/
               BellaRender.py: image formats .png .jpg .exr .tga .bmp tif
               .iff .dpx .hdr offered for beautyPass.outputExt.
  [bsa]        github.com/oomer/bellarenderfarm, DeadlineRepository10/BellaShared/
               1_TestScene.bsa: the scene's `settings` node holds
               `.camera = camera;`, so a camera is chosen by node name.
  [bellatui]   github.com/oomer/bellatui README.md: Bella Engine SDK progress
               strings "Saturn | Elapsed: 41s | Progress: 22.65%".
"""

import ntpath
import posixpath
import re
from collections import OrderedDict, namedtuple

PLUGIN_NAME = "BellaRender"
SCENE_EXTENSIONS = (".bsz", ".bsx", ".bsa")

# Canonical extension for each accepted spelling ([submitter] list + common aliases).
_FORMAT_ALIASES = {
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "exr": "exr",
    "tif": "tif",
    "tiff": "tif",
    "tga": "tga",
    "bmp": "bmp",
    "iff": "iff",
    "dpx": "dpx",
    "hdr": "hdr",
}
OUTPUT_FORMATS = tuple(sorted(set(_FORMAT_ALIASES.values())))

# Bella node names and output names end up inside parse fragments
# (`settings.camera=NAME;`, `beautyPass.outputName="NAME";`), so they are kept
# to characters that cannot close a string or start a new statement.
_NODE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9_.#-]+$")
_MAX_RESOLUTION = 65536


class BellaOptionError(ValueError):
    """An option that would make bella_cli misbehave; the message says which."""


# --------------------------------------------------------------------------
# bella_cli arguments
# --------------------------------------------------------------------------

def normalize_format(value):
    """'EXR', '.exr', 'tiff' -> 'exr'/'tif'; '' or 'default' -> '' (scene's own)."""
    text = (value or "").strip().lower().lstrip(".")
    if text in ("", "default"):
        return ""
    if text not in _FORMAT_ALIASES:
        raise BellaOptionError(
            "unknown output format %r (use one of %s)" % (value, ", ".join(OUTPUT_FORMATS)))
    return _FORMAT_ALIASES[text]


def parse_resolution(value):
    """'1920x1080' / (1920, 1080) -> (1920, 1080); '' or None -> None (scene's own)."""
    if value is None or value == "":
        return None
    if isinstance(value, (tuple, list)):
        parts = list(value)
    else:
        parts = re.split(r"\s*[xX]\s*", str(value).strip())
    if len(parts) != 2:
        raise BellaOptionError("resolution must be WIDTHxHEIGHT, got %r" % (value,))
    try:
        width, height = int(str(parts[0]).strip()), int(str(parts[1]).strip())
    except ValueError:
        raise BellaOptionError("resolution must be whole numbers, got %r" % (value,))
    for side in (width, height):
        if side < 1 or side > _MAX_RESOLUTION:
            raise BellaOptionError(
                "resolution sides must be 1..%d, got %r" % (_MAX_RESOLUTION, value))
    return width, height


def expand_frame_tokens(text, frame):
    """Replace each run of '#' with the frame number zero-padded to the run's length.

    'shot_####.bsz', 12 -> 'shot_0012.bsz'. Text without '#' is returned as is.
    This is how one job renders a sequence of per-frame scene files.
    """
    if "#" not in text:
        return text
    if frame is None:
        raise BellaOptionError("%r has '#' frame padding but no frame was given" % (text,))
    frame = int(frame)
    sign = "-" if frame < 0 else ""
    return re.sub(r"#+", lambda m: sign + str(abs(frame)).zfill(len(m.group(0))), text)


def _basename_any(path):
    """File name of a POSIX or Windows path (submitters run on either)."""
    return ntpath.basename(path.replace("/", "\\"))


def scene_stem(scene):
    name = _basename_any(scene)
    stem, _ext = posixpath.splitext(name)
    return stem


def safe_name(text):
    """A scene stem made usable as an output name (spaces etc. -> '_')."""
    name = re.sub(r"[^A-Za-z0-9_.#-]+", "_", text).strip("._") or "render"
    return re.sub(r"(?i)default", "dflt", name)


def check_output_name(name):
    if not _FILE_NAME.match(name):
        raise BellaOptionError(
            "output name %r may only use letters, digits, '_', '-', '.' and '#'" % (name,))
    # [oomerfarm]: "bella_cli will fail when the outputName has the string
    # default anywhere" - refuse it here instead of failing on every worker.
    if "default" in name.lower():
        raise BellaOptionError("output name %r contains 'default', which bella_cli rejects" % (name,))
    return name


def _check_scene(scene):
    if not scene or not str(scene).strip():
        raise BellaOptionError("a scene file is required")
    scene = str(scene).strip()
    ext = posixpath.splitext(_basename_any(scene))[1].lower()
    if ext not in SCENE_EXTENSIONS:
        raise BellaOptionError(
            "scene %r is not a Bella scene (%s)" % (scene, ", ".join(SCENE_EXTENSIONS)))
    if '"' in scene or "\n" in scene or "\r" in scene:
        raise BellaOptionError("scene path %r contains a quote or a line break" % (scene,))
    return scene


def _number(value, name, cast, minimum, maximum):
    try:
        number = cast(value)
    except (TypeError, ValueError):
        raise BellaOptionError("%s must be a number, got %r" % (name, value))
    if number != number or number < minimum or number > maximum:  # NaN or out of range
        raise BellaOptionError("%s must be %s..%s, got %r" % (name, minimum, maximum, value))
    return number


def _format_float(value):
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def resolve_output_name(options):
    """The output base name for this task: given name or scene stem, frame-expanded."""
    frame = options.get("frame")
    name = (options.get("output_name") or "").strip()
    if not name:
        name = safe_name(scene_stem(expand_frame_tokens(_check_scene(options.get("scene")), frame)))
    check_output_name(name)
    return expand_frame_tokens(name, frame)


def build_arguments(options):
    """bella_cli argv (without the executable) for one task.

    options (dict):
      scene          required; .bsz/.bsx/.bsa path as the worker sees it; may use '#' frame padding
      frame          the task's frame number (needed when scene/output_name use '#')
      output_dir     -od: folder for images (bella_cli writes into it)
      output_name    -on: base name; default is the scene's stem; may use '#'
      output_format  png/jpg/exr/tif/tga/bmp/iff/dpx/hdr; '' keeps the scene's setting
      resolution     'WxH' or (w, h); '' keeps the scene's resolution
      camera         Bella camera node name -> settings.camera
      target_noise   int 1..100 -> beautyPass.targetNoise (unsigned, 'u' suffix)
      time_limit     float > 0 -> beautyPass.timeLimit ('f' suffix, unit as Bella defines it)
      use_gpu        bool -> settings.useGpu=true
      threads        int -> settings.threads (0 = all cores, as the original farm used)
      denoise_name   output name for the denoised image -> beautyPass.denoise=true
      extra_fragments  list of raw parse fragments the artist typed (each ends with ';')
    """
    scene = expand_frame_tokens(_check_scene(options.get("scene")), options.get("frame"))
    args = ["-i:" + scene]

    output_dir = (options.get("output_dir") or "").strip()
    if output_dir:
        if '"' in output_dir or "\n" in output_dir:
            raise BellaOptionError("output folder %r contains a quote or a line break" % (output_dir,))
        args.append("-od:" + output_dir)

    args.append("-on:" + resolve_output_name(options))

    resolution = parse_resolution(options.get("resolution"))
    if resolution:
        args.append("-res:%dx%d" % resolution)

    fragments = []
    fmt = normalize_format(options.get("output_format"))
    if fmt:
        fragments.append('beautyPass.outputExt=".%s";' % fmt)

    camera = (options.get("camera") or "").strip()
    if camera:
        if not _NODE_NAME.match(camera):
            raise BellaOptionError("camera %r is not a Bella node name" % (camera,))
        fragments.append("settings.camera=%s;" % camera)

    if options.get("target_noise") not in (None, ""):
        noise = _number(options["target_noise"], "target noise", int, 1, 100)
        fragments.append("beautyPass.targetNoise=%du;" % noise)

    if options.get("time_limit") not in (None, ""):
        limit = _number(options["time_limit"], "time limit", float, 0.0001, 1e7)
        fragments.append("beautyPass.timeLimit=%sf;" % _format_float(limit))

    if _truthy(options.get("use_gpu")):
        fragments.append("settings.useGpu=true;")

    if options.get("threads") not in (None, ""):
        threads = _number(options["threads"], "threads", int, -1024, 4096)
        fragments.append("settings.threads=%d;" % threads)

    denoise = (options.get("denoise_name") or "").strip()
    if denoise:
        check_output_name(denoise)
        fragments.append('beautyPass.denoise=true; beautyPass.denoiseOutputName="%s";'
                         % expand_frame_tokens(denoise, options.get("frame")))

    for raw in options.get("extra_fragments") or []:
        raw = raw.strip()
        if not raw:
            continue
        if "\n" in raw or "\r" in raw:
            raise BellaOptionError("a parse fragment must be one line: %r" % (raw,))
        fragments.append(raw if raw.endswith(";") else raw + ";")

    args.extend("-pf:" + fragment for fragment in fragments)
    return args


def expected_output_path(options):
    """Where the beauty image should appear, or None when the scene keeps its own format."""
    fmt = normalize_format(options.get("output_format"))
    output_dir = (options.get("output_dir") or "").strip()
    if not fmt or not output_dir:
        return None
    return posixpath.join(output_dir.replace("\\", "/"), resolve_output_name(options) + "." + fmt)


def _truthy(value):
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def join_arguments(args):
    """Join argv into the one string Deadline's RenderArgument must return.

    Deadline hands that string to .NET's Process, which splits it with the
    Microsoft C runtime rules on every OS; this quotes by the same rules
    (backslashes are literal unless they precede a double quote).
    """
    parts = []
    for arg in args:
        if arg and not re.search(r'[\s"]', arg):
            parts.append(arg)
            continue
        out, backslashes = ['"'], 0
        for char in arg:
            if char == "\\":
                backslashes += 1
                continue
            if char == '"':
                out.append("\\" * (backslashes * 2 + 1) + '"')
            else:
                out.append("\\" * backslashes + char)
            backslashes = 0
        out.append("\\" * (backslashes * 2) + '"')
        parts.append("".join(out))
    return " ".join(parts)


# --------------------------------------------------------------------------
# Share path mapping: boss paths -> worker mount
# --------------------------------------------------------------------------

ShareMapping = namedtuple("ShareMapping", "hub_hosts share_name client_prefixes worker_root")

DEFAULT_HUB_IP = "10.87.0.1"
DEFAULT_SHARE = "oomerfarm"
DEFAULT_WORKER_ROOT = "/mnt/oomerfarm"
DEFAULT_CLIENT_PREFIXES = ("/Volumes/oomerfarm", "/mnt/oomerfarm")


def make_mapping(hub_ip=DEFAULT_HUB_IP, hub_names=(), share_name=DEFAULT_SHARE,
                 client_prefixes=DEFAULT_CLIENT_PREFIXES, worker_root=DEFAULT_WORKER_ROOT):
    """A mapping for one farm. hub_names are extra names the boss may use for the hub."""
    hosts = tuple(h.strip().lower() for h in (hub_ip,) + tuple(hub_names) if h and h.strip())
    if not hosts:
        raise ValueError("the hub's overlay IP is required for path mapping")
    root = "/" + worker_root.strip().strip("/")
    prefixes = tuple(p.strip().replace("\\", "/").rstrip("/") for p in client_prefixes if p.strip())
    return ShareMapping(hosts, share_name.strip().lower(), prefixes, root)


def _split_list(text):
    return [part.strip() for part in re.split(r"[;,]", text or "") if part.strip()]


def mapping_from_config(config):
    """Build the mapping from BellaRender.param entries (a dict of strings)."""
    prefixes = _split_list(config.get("ClientSharePrefixes"))
    return make_mapping(
        hub_ip=(config.get("HubOverlayIP") or DEFAULT_HUB_IP).strip(),
        hub_names=_split_list(config.get("HubHostNames")),
        share_name=(config.get("ShareName") or DEFAULT_SHARE),
        client_prefixes=prefixes or DEFAULT_CLIENT_PREFIXES,
        worker_root=(config.get("WorkerShareRoot") or DEFAULT_WORKER_ROOT),
    )


_UNC = re.compile(r"^(?:[\\/]{2}|smb://)([^\\/]+)[\\/]+([^\\/]+)(?:[\\/]+(.*))?$", re.IGNORECASE)


def _join_inside(root, rest, original):
    """root + rest with '.'/'..' resolved; refuses anything that climbs out of root."""
    parts = []
    for part in re.split(r"[\\/]+", rest or ""):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ValueError("path %r climbs out of the shared folder" % (original,))
            parts.pop()
            continue
        parts.append(part)
    return posixpath.join(root, *parts) if parts else root


def _prefix_rest(path, prefix):
    """The part of path after prefix, or None. Case-insensitive for macOS volumes and drives."""
    norm = path.replace("\\", "/")
    insensitive = prefix.lower().startswith("/volumes/") or re.match(r"^[A-Za-z]:", prefix)
    head, probe = (norm.lower(), prefix.lower()) if insensitive else (norm, prefix)
    if head == probe:
        return ""
    if head.startswith(probe + "/"):
        return norm[len(prefix) + 1:]
    return None


def map_path(path, mapping):
    """Map a boss's share path to the worker's mount; other paths come back unchanged.

    \\\\10.87.0.1\\oomerfarm\\projects\\a.bsz -> /mnt/oomerfarm/projects/a.bsz
    //hub/OOMERFARM/a.bsz, smb://hub/oomerfarm/a.bsz, /Volumes/oomerfarm/a.bsz and
    /mnt/oomerfarm/a.bsz map the same way. Raises ValueError for '..' escapes.
    """
    if path is None:
        return path
    text = path.strip()
    unc = _UNC.match(text)
    if unc:
        host, share, rest = unc.group(1).lower(), unc.group(2).lower(), unc.group(3)
        if host in mapping.hub_hosts and share == mapping.share_name:
            return _join_inside(mapping.worker_root, rest, path)
        return path
    for prefix in mapping.client_prefixes + (mapping.worker_root,):
        rest = _prefix_rest(text, prefix)
        if rest is not None:
            return _join_inside(mapping.worker_root, rest, path)
    return path


def is_on_share(path, mapping):
    """True when the path maps into the worker's share mount (what workers can read)."""
    try:
        mapped = map_path(path, mapping)
    except ValueError:
        return False
    return mapped == mapping.worker_root or mapped.startswith(mapping.worker_root + "/")


# --------------------------------------------------------------------------
# stdout parsing
# --------------------------------------------------------------------------

# .NET-compatible patterns for DeadlinePlugin.AddStdoutHandlerCallback; the
# Python functions below use the same expressions so tests cover both.
PROGRESS_REGEX = r"Progress:\s*([0-9]+(?:[.,][0-9]+)?)\s*%"
WARNING_REGEX = r"\[WARNING\].*"
ERROR_REGEX = r"\[ERROR\].*"

_PROGRESS = re.compile(PROGRESS_REGEX)
_WARNING = re.compile(WARNING_REGEX)
_ERROR = re.compile(ERROR_REGEX)


def parse_progress(line):
    """Percentage (0..100, float) from a bella_cli/Bella SDK progress line, else None."""
    match = _PROGRESS.search(line or "")
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    return max(0.0, min(100.0, value))


def is_error_line(line):
    return bool(_ERROR.search(line or ""))


def is_warning_line(line):
    return bool(_WARNING.search(line or ""))


def classify_line(line):
    """'error' | 'warning' | 'progress' | None for one stdout line."""
    if is_error_line(line):
        return "error"
    if is_warning_line(line):
        return "warning"
    if parse_progress(line) is not None:
        return "progress"
    return None


# --------------------------------------------------------------------------
# Frames, job info and plugin info (the two files deadlinecommand submits)
# --------------------------------------------------------------------------

_FRAME_ITEM = re.compile(r"^(-?\d+)(?:\s*-\s*(-?\d+)(?:\s*[xX:]\s*(\d+))?)?$")


def parse_frames(spec):
    """Deadline frame list '1-10', '1,3,5-9x2' -> sorted unique frames. Raises on nonsense."""
    frames = set()
    items = [item.strip() for item in re.split(r"[,\s]+", (spec or "").strip()) if item.strip()]
    if not items:
        raise BellaOptionError("the frame list is empty")
    for item in items:
        match = _FRAME_ITEM.match(item)
        if not match:
            raise BellaOptionError("cannot read frame range %r" % (item,))
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) is not None else start
        step = int(match.group(3)) if match.group(3) else 1
        if step < 1 or end < start:
            raise BellaOptionError("frame range %r must count upwards" % (item,))
        if (end - start) // step > 100000:
            raise BellaOptionError("frame range %r is too long" % (item,))
        frames.update(range(start, end + 1, step))
    return sorted(frames)


def _check_value(key, value):
    text = "" if value is None else str(value)
    if "\n" in text or "\r" in text:
        raise BellaOptionError("%s must be one line" % key)
    return text


def to_key_value_text(entries):
    """Deadline's job/plugin info format: one key=value per line."""
    lines = []
    for key, value in entries.items():
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", key):
            raise BellaOptionError("bad info key %r" % (key,))
        lines.append("%s=%s" % (key, _check_value(key, value)))
    return "\n".join(lines) + "\n"


def parse_key_value_text(text):
    entries = OrderedDict()
    for line in text.splitlines():
        if not line.strip() or "=" not in line:
            continue
        key, value = line.split("=", 1)
        entries[key.strip()] = value
    return entries


def job_info(name, frames="1", priority=50, pool="none", secondary_pool="", group="none",
             comment="", department="", chunk_size=1, machine_limit=0,
             output_directory="", output_filename="", suspended=False):
    """The job info entries for a BellaRender job, in the order Deadline shows them."""
    parse_frames(frames)  # refuse a list Deadline would choke on
    priority = _number(priority, "priority", int, 0, 100)
    chunk_size = _number(chunk_size, "chunk size", int, 1, 100000)
    machine_limit = _number(machine_limit, "machine limit", int, 0, 100000)
    info = OrderedDict()
    info["Plugin"] = PLUGIN_NAME
    info["Name"] = (name or "").strip() or "Bella render"
    info["Comment"] = comment
    info["Department"] = department
    info["Pool"] = pool or "none"
    if secondary_pool:
        info["SecondaryPool"] = secondary_pool
    info["Group"] = group or "none"
    info["Priority"] = str(priority)
    info["Frames"] = frames.strip()
    info["ChunkSize"] = str(chunk_size)
    info["MachineLimit"] = str(machine_limit)
    if output_directory:
        info["OutputDirectory0"] = output_directory
    if output_filename:
        info["OutputFilename0"] = output_filename
    if suspended:
        info["InitialStatus"] = "Suspended"
    for key, value in info.items():
        _check_value(key, value)
    return info


# Plugin info keys <-> build_arguments option names.
PLUGIN_INFO_KEYS = OrderedDict([
    ("SceneFile", "scene"),
    ("OutputDirectory", "output_dir"),
    ("OutputName", "output_name"),
    ("OutputFormat", "output_format"),
    ("Resolution", "resolution"),
    ("Camera", "camera"),
    ("TargetNoise", "target_noise"),
    ("TimeLimit", "time_limit"),
    ("UseGpu", "use_gpu"),
    ("Threads", "threads"),
    ("DenoiseName", "denoise_name"),
    ("ParseFragments", "extra_fragments"),
])


def plugin_info(options):
    """Plugin info entries for the options; validated by building frame 1's arguments."""
    probe = dict(options)
    probe.setdefault("frame", 1)
    build_arguments(probe)
    info = OrderedDict()
    for key, option in PLUGIN_INFO_KEYS.items():
        value = options.get(option)
        if value in (None, "", [], ()):
            continue
        if option == "resolution":
            value = "%dx%d" % parse_resolution(value)
        elif option == "output_format":
            value = normalize_format(value)
            if not value:
                continue
        elif option == "use_gpu":
            value = "True" if _truthy(value) else "False"
        elif option == "extra_fragments":
            # One line in the info file; ';' already ends each fragment.
            value = " ".join(f.strip() if f.strip().endswith(";") else f.strip() + ";"
                             for f in value if f.strip())
        info[key] = _check_value(key, value)
    return info


def options_from_plugin_info(get, frame=None):
    """Inverse of plugin_info: get(key) returns the entry or '' (Deadline's accessor)."""
    options = {"frame": frame}
    for key, option in PLUGIN_INFO_KEYS.items():
        value = (get(key) or "").strip()
        if not value:
            continue
        if option == "extra_fragments":
            # Kept whole: one -pf may hold several statements, and splitting
            # on ';' would break a string value that contains one.
            value = [value]
        options[option] = value
    return options


def submission(fields):
    """(job_info, plugin_info) for what the artist filled in the Monitor dialog.

    fields: scene, output_dir, output_name, output_format, width, height (0 =
    scene's own), camera, frames, priority, pool, secondary_pool, group, name,
    comment, department, chunk_size, suspended, target_noise, use_gpu,
    extra_fragments. Paths stay as the boss sees them; workers map them.
    """
    scene = _check_scene(fields.get("scene"))
    frames = (fields.get("frames") or "1").strip()
    frame_list = parse_frames(frames)
    width, height = int(fields.get("width") or 0), int(fields.get("height") or 0)
    resolution = "%dx%d" % (width, height) if width or height else ""
    output_name = (fields.get("output_name") or "").strip() or safe_name(scene_stem(scene))
    if len(frame_list) > 1 and "#" not in output_name:
        output_name += "_####"  # one image per frame instead of overwriting one file
    options = {
        "scene": scene,
        "output_dir": fields.get("output_dir"),
        "output_name": output_name,
        "output_format": fields.get("output_format"),
        "resolution": resolution,
        "camera": fields.get("camera"),
        "target_noise": fields.get("target_noise"),
        "use_gpu": fields.get("use_gpu"),
        "extra_fragments": fields.get("extra_fragments"),
    }
    if not (options["output_dir"] or "").strip():
        raise BellaOptionError("an output folder is required")
    plugin = plugin_info(options)
    fmt = normalize_format(fields.get("output_format"))
    job = job_info(
        name=fields.get("name") or scene_stem(scene),
        frames=frames,
        priority=fields.get("priority", 50),
        pool=fields.get("pool") or "none",
        secondary_pool=fields.get("secondary_pool") or "",
        group=fields.get("group") or "none",
        comment=fields.get("comment") or "",
        department=fields.get("department") or "",
        chunk_size=fields.get("chunk_size") or 1,
        output_directory=options["output_dir"].strip(),
        output_filename=(output_name + "." + fmt) if fmt else "",
        suspended=_truthy(fields.get("suspended")),
    )
    return job, plugin
