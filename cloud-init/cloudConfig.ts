// The #cloud-config document every server boots with: files, then the boot steps.
// Large files go through write_files' gz+b64 encoding (deterministic gzip) to stay far below
// the providers' user-data limits (32 KiB on Hetzner, 16 KB on AWS).
import * as zlib from "zlib";
import { stringify } from "yaml";

export interface BootFile {
  path: string;
  /** text, or binary as base64 text with `encoding: "base64"` (Buffers do not survive Pulumi outputs) */
  content: string | Buffer;
  /** octal, "0600" */
  permissions: string;
  encoding?: "base64";
}

/** The bytes of a boot file, whatever form its content takes. */
export function fileBytes(f: BootFile): Buffer {
  if (Buffer.isBuffer(f.content)) return f.content;
  if (typeof f.content !== "string") throw new Error(`boot file ${f.path}: content is neither text nor bytes`);
  return f.encoding === "base64" ? Buffer.from(f.content, "base64") : Buffer.from(f.content, "utf8");
}

export interface CloudConfigInput {
  hostname: string;
  files: BootFile[];
  /** commands run once, in order, after the files are written */
  runcmd: string[][];
}

const COMPRESS_ABOVE = 512;

function encodeFile(f: BootFile): Record<string, string> {
  const raw = fileBytes(f);
  const binary = typeof f.content !== "string" || f.encoding === "base64";
  const base = { path: f.path, permissions: f.permissions, owner: "root:root" };
  if (raw.length > COMPRESS_ABOVE) {
    return { ...base, encoding: "gz+b64", content: zlib.gzipSync(raw, { level: 9 }).toString("base64") };
  }
  if (binary) return { ...base, encoding: "b64", content: raw.toString("base64") };
  return { ...base, content: raw.toString("utf8") };
}

export function renderCloudConfig(input: CloudConfigInput): string {
  const seen = new Set<string>();
  for (const f of input.files) {
    if (seen.has(f.path)) throw new Error(`cloud-config: ${f.path} written twice`);
    seen.add(f.path);
  }
  const doc = {
    hostname: input.hostname,
    preserve_hostname: false,
    ssh_pwauth: false,
    disable_root: false,
    write_files: input.files.map(encodeFile),
    runcmd: input.runcmd,
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

/** The files of a cloud-config, decoded (tests, the farm-in-a-box harness, the keybundle). */
export function decodeWriteFiles(files: Array<Record<string, string>>): BootFile[] {
  return files.map((f) => {
    let content: Buffer;
    if (f.encoding === "gz+b64") content = zlib.gunzipSync(Buffer.from(f.content, "base64"));
    else if (f.encoding === "b64") content = Buffer.from(f.content, "base64");
    else content = Buffer.from(f.content ?? "", "utf8");
    return { path: f.path, content, permissions: f.permissions ?? "0644" };
  });
}
