// The static part of a host's boot files (steps, units, plugins) travels as one gzipped tar:
// one compression stream over all files is what keeps user data under the providers' limits.
// Deterministic: fixed order, mtime 0, root ownership, so the same files give the same bytes.
import * as zlib from "zlib";
import { BootFile, fileBytes } from "./cloudConfig";

export const PAYLOAD_PATH = "/var/lib/oomerfarm/payload.tgz";

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, mode: number): Buffer {
  const h = Buffer.alloc(512, 0);
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`payload: path too long for ustar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, "utf8");
  h.write(octal(mode, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write("root", 265, "ascii");
  h.write("root", 297, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** A gzipped ustar archive of the files, paths relative to / (extract with tar -xzf -C /). */
export function packPayload(files: BootFile[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const data = fileBytes(f);
    parts.push(header(f.path.replace(/^\/+/, ""), data.length, parseInt(f.permissions, 8)), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(parts), { level: 9 });
}

/** The files inside a payload (tests, the farm-in-a-box harness, the keybundle). */
export function unpackPayload(tgz: Buffer): BootFile[] {
  const tar = zlib.gunzipSync(tgz);
  const files: BootFile[] = [];
  for (let pos = 0; pos + 512 <= tar.length; ) {
    const h = tar.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    const str = (start: number, len: number) => h.subarray(start, start + len).toString("utf8").replace(/\0.*$/s, "");
    const name = str(0, 100);
    const prefix = str(345, 155);
    const size = parseInt(str(124, 12).trim(), 8);
    const mode = parseInt(str(100, 8).trim(), 8);
    const data = Buffer.from(tar.subarray(pos + 512, pos + 512 + size));
    files.push({ path: `/${prefix ? `${prefix}/` : ""}${name}`, content: data, permissions: mode.toString(8).padStart(4, "0") });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/**
 * Drops full-line comments, blank lines and Python docstrings for transport; the repository
 * keeps the documented sources. Heredoc bodies and other Python strings are left untouched.
 * Tests run shellcheck, py_compile and the unit tests on the stripped form too.
 */
export function stripForTransport(path: string, content: string): string {
  if (path.endsWith(".sh")) return stripShell(content);
  if (path.endsWith(".py")) return stripPython(content);
  if (/\.(service|timer|steps)$/.test(path) || path.startsWith("/etc/systemd/")) return stripLineComments(content);
  return content;
}

const packed = new WeakMap<readonly BootFile[], Buffer>();

/**
 * The payload as it travels: stripped, then packed. Memoized per file list, so the code shared by
 * a hundred workers is compressed once, not once per worker.
 */
export function packForTransport(files: readonly BootFile[]): Buffer {
  let tgz = packed.get(files);
  if (!tgz) {
    tgz = packPayload(files.map((f) => ({ ...f, content: stripForTransport(f.path, fileBytes(f).toString("utf8")) })));
    packed.set(files, tgz);
  }
  return tgz;
}

/** systemd units and step lists: only full-line comments and blank lines go. */
function stripLineComments(content: string): string {
  return `${content.split("\n").filter((l) => l.trim() !== "" && !/^\s*[#;]/.test(l)).join("\n")}\n`;
}

function stripShell(content: string): string {
  const out: string[] = [];
  let heredocEnd: string | undefined;
  content.split("\n").forEach((line, i) => {
    const t = line.trim();
    if (heredocEnd !== undefined) {
      out.push(line);
      if (t === heredocEnd) heredocEnd = undefined;
      return;
    }
    if (i === 0 && t.startsWith("#!")) return void out.push(line);
    // shellcheck directives stay: they document deliberate exceptions.
    if (t === "" || (t.startsWith("#") && !t.startsWith("# shellcheck"))) return;
    const m = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(line);
    if (m) heredocEnd = m[1];
    out.push(line);
  });
  return `${out.join("\n")}\n`;
}

function stripPython(content: string): string {
  const out: string[] = [];
  const lines = content.split("\n");
  let lastCode = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (i === 0 && t.startsWith("#!")) {
      out.push(line);
      continue;
    }
    if (t === "" || t.startsWith("#")) continue;
    const quote = t.startsWith('"""') ? '"""' : t.startsWith("'''") ? "'''" : undefined;
    const docstringPosition = lastCode === "" || lastCode.endsWith(":");
    if (quote && docstringPosition) {
      // A docstring: skip it, leaving `pass` so a body that held only a docstring stays valid.
      let j = i;
      const rest = t.slice(3);
      if (!rest.includes(quote)) {
        j++;
        while (j < lines.length && !lines[j].includes(quote)) j++;
      }
      out.push(`${line.slice(0, line.length - line.trimStart().length)}pass`);
      lastCode = "pass";
      i = j;
      continue;
    }
    // Any other line that opens a triple-quoted string: copy it verbatim up to its end.
    const opens = (line.match(/"""|'''/g) ?? []).length;
    out.push(line);
    if (opens % 2 === 1) {
      const q = /"""/.test(line) ? '"""' : "'''";
      while (++i < lines.length) {
        out.push(lines[i]);
        if (lines[i].includes(q)) break;
      }
    }
    lastCode = lines[i].trim();
  }
  return `${out.join("\n")}\n`;
}
