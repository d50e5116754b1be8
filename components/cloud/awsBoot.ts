// User data for EC2, which holds at most 16 KB before base64 (Hetzner takes 32 KiB): the
// host's own files (secrets, certificates, config) stay in the cloud-config; the payload
// (our open boot code, identical for every host of a role) goes to an S3 object the host
// fetches with its instance profile and checks against the sha256 pinned here.
// Pure and deterministic: the same boot and source give the same bytes.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { renderCloudConfig } from "../../cloud-init/cloudConfig";
import { RUN_STEPS } from "../../cloud-init/bootFiles";
import { HostFiles } from "../../cloud-init/hostFiles";
import { PAYLOAD_PATH, packForTransport, stripForTransport } from "../../cloud-init/payload";
import { HostBoot } from "./types";

/** EC2's limit on user data, in bytes before base64. */
export const AWS_USER_DATA_LIMIT = 16384;
export const FETCH_DIR = "/var/lib/oomerfarm/fetch";
export const FETCH_SCRIPT = `${FETCH_DIR}/fetch-payload.py`;

const FETCH_SOURCES = {
  "fetch-payload.py": path.join(__dirname, "aws-fetch-payload.py"),
  // One SigV4 implementation for the project: the idle guard's, checked against AWS's example.
  "sigv4.py": path.join(__dirname, "..", "..", "idle-guard", "sigv4.py"),
};

export interface Payload {
  tgz: Buffer;
  sha256: string;
}

/** Where a payload lives. `key` is content-addressed (`<prefix>/<sha256>.tgz`). */
export interface PayloadSource {
  bucket: string;
  region: string;
  key: string;
  sha256: string;
}

export interface SplitBoot {
  /** gzipped #cloud-config, for userDataBase64; at most AWS_USER_DATA_LIMIT bytes */
  userData: Buffer;
  payload: Payload;
  source: PayloadSource;
}

/** The payload as the whole Hetzner cloud-config embeds it (same files, same bytes). */
export function hostPayload(host: HostFiles): Payload {
  const tgz = packForTransport(host.payload);
  return { tgz, sha256: crypto.createHash("sha256").update(tgz).digest("hex") };
}

export function payloadKey(prefix: string, sha256: string): string {
  return `${prefix.replace(/\/+$/, "")}/${sha256}.tgz`;
}

let fetchFilesCache: Array<{ path: string; content: string; permissions: string }> | undefined;
function fetchFiles() {
  if (!fetchFilesCache) {
    fetchFilesCache = Object.entries(FETCH_SOURCES).map(([name, src]) => ({
      path: `${FETCH_DIR}/${name}`,
      content: stripForTransport(name, fs.readFileSync(src, "utf8")),
      permissions: name === "fetch-payload.py" ? "0755" : "0644",
    }));
  }
  return fetchFilesCache;
}

/** The cloud-config without the payload: the host's files, the fetch step, then the boot steps. */
export function fetchingCloudConfig(boot: HostBoot, source: PayloadSource): string {
  // EL8 has no python3 on PATH, only platform-python (3.6), which cloud-init itself runs on.
  const python = 'exec "$(command -v python3 || echo /usr/libexec/platform-python)" "$0" "$@"';
  return renderCloudConfig({
    hostname: boot.hostname,
    files: [...boot.host.files, ...fetchFiles()],
    runcmd: [
      ["sh", "-c", python, FETCH_SCRIPT, "--bucket", source.bucket, "--region", source.region, "--key", source.key, "--sha256", source.sha256, "--out", PAYLOAD_PATH],
      ["tar", "-xzf", PAYLOAD_PATH, "-C", "/", "--no-same-owner"],
      [RUN_STEPS, boot.role],
    ],
  });
}

/**
 * Splits a host's boot for EC2: the payload for the bucket, and gzipped user data that fetches
 * it. Throws when the user data would still exceed EC2's limit.
 */
export function splitBoot(boot: HostBoot, at: { bucket: string; region: string; keyPrefix: string }): SplitBoot {
  const payload = hostPayload(boot.host);
  const source: PayloadSource = { bucket: at.bucket, region: at.region, key: payloadKey(at.keyPrefix, payload.sha256), sha256: payload.sha256 };
  const userData = zlib.gzipSync(Buffer.from(fetchingCloudConfig(boot, source), "utf8"), { level: 9 });
  if (userData.length > AWS_USER_DATA_LIMIT) {
    throw new Error(`user data of ${boot.hostname} is ${userData.length} bytes gzipped, above EC2's ${AWS_USER_DATA_LIMIT}`);
  }
  return { userData, payload, source };
}
