// Sealed keybundles for in-house workers: a password-encrypted file that carries the private
// keys of the in-house slots to a person's own Linux box.
//
// The format is chosen so that a bare EL8/Debian/Ubuntu box can open it with nothing but
// python3's standard library (hashlib.scrypt, hmac) and `openssl enc`: scrypt is the password
// KDF (memory-hard, unlike the original's 10k-round PBKDF2), AES-256-CTR encrypts (no padding,
// `openssl enc -aes-256-ctr -K -iv` decrypts it on OpenSSL 1.1.1 and 3.x), and HMAC-SHA256
// authenticates header+iv+ciphertext (encrypt-then-MAC: nothing is decrypted before the tag
// checks out). cloud-init/inhouse/worker.sh holds the bash/python/openssl reader.
//
// File format, version 1 (all integers big-endian):
//
//   offset  size  field
//        0     8  magic, ASCII "OOMERFKB"
//        8     1  format version = 1
//        9     1  scrypt log2(N)     (10..22)
//       10     1  scrypt r           (1..32)
//       11     1  scrypt p           (1..16)
//       12     8  ciphertext length L (uint64)
//       20    32  scrypt salt (random)
//       52    16  AES-256-CTR initial counter block (random IV)
//       68     L  ciphertext
//     68+L    32  HMAC-SHA256(macKey, bytes 0 .. 68+L)
//
//   key material = scrypt(NFC-normalised UTF-8 password, salt, N, r, p, dkLen = 64)
//   encKey = key material [0, 32), macKey = key material [32, 64)
//
// The length field lets a reader tell a truncated file from a wrong password before it spends
// time on scrypt; the memory bound (128 * r * N <= 1 GiB) keeps a foreign or hostile header
// from asking for an absurd amount of memory (and keeps python's maxmem argument valid).

import * as crypto from "crypto";

export const KEYBUNDLE_MAGIC = Buffer.from("OOMERFKB", "ascii");
export const KEYBUNDLE_VERSION = 1;
export const KEYBUNDLE_HEADER_LENGTH = 68; // magic .. iv, everything the tag covers before the ciphertext
export const KEYBUNDLE_TAG_LENGTH = 32;
export const KEYBUNDLE_MIN_PASSWORD_LENGTH = 12;
export const KEYBUNDLE_DEFAULT_SCRYPT_N = 2 ** 15;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const SALT_LENGTH = 32;
const IV_LENGTH = 16;
const MAX_SCRYPT_MEMORY = 2 ** 30;

export interface SealOptions {
  /** scrypt cost N, a power of two (default 2^15). Lower values only for tests. */
  scryptN?: number;
  /** 32 bytes; random when left out. Fixed only to make test vectors reproducible. */
  salt?: Buffer;
  /** 16 bytes; random when left out. */
  iv?: Buffer;
}

interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

function checkParams({ log2N, r, p }: ScryptParams): void {
  const ok =
    log2N >= 10 && log2N <= 22 && r >= 1 && r <= 32 && p >= 1 && p <= 16 && 128 * r * 2 ** log2N <= MAX_SCRYPT_MEMORY;
  if (!ok) {
    throw new Error(
      `keybundle: scrypt parameters out of range (N=2^${log2N}, r=${r}, p=${p}); the file was modified or is not an oomerfarm keybundle`,
    );
  }
}

function deriveKeys(password: string, salt: Buffer, { log2N, r, p }: ScryptParams): { encKey: Buffer; macKey: Buffer } {
  const N = 2 ** log2N;
  // Node's default maxmem (32 MiB) is exactly the default cost: give scrypt the room it needs.
  const maxmem = 128 * r * (N + p + 2) + 2 ** 20;
  const material = crypto.scryptSync(Buffer.from(password.normalize("NFC"), "utf8"), salt, 64, { N, r, p, maxmem });
  return { encKey: material.subarray(0, 32), macKey: material.subarray(32, 64) };
}

/** Encrypts and authenticates `plaintext` under `password` (at least 12 characters). */
export function sealKeybundle(plaintext: Buffer, password: string, opts: SealOptions = {}): Buffer {
  if ([...password].length < KEYBUNDLE_MIN_PASSWORD_LENGTH) {
    throw new Error(`keybundle: the password must be at least ${KEYBUNDLE_MIN_PASSWORD_LENGTH} characters long`);
  }
  const N = opts.scryptN ?? KEYBUNDLE_DEFAULT_SCRYPT_N;
  const log2N = Math.log2(N);
  if (!Number.isInteger(log2N)) throw new Error(`keybundle: scrypt N must be a power of two, got ${N}`);
  const params = { log2N, r: DEFAULT_R, p: DEFAULT_P };
  if (log2N < 10 || log2N > 20) throw new Error(`keybundle: scrypt N must be 2^10 .. 2^20, got 2^${log2N}`);
  const salt = opts.salt ?? crypto.randomBytes(SALT_LENGTH);
  const iv = opts.iv ?? crypto.randomBytes(IV_LENGTH);
  if (salt.length !== SALT_LENGTH) throw new Error(`keybundle: the salt must be ${SALT_LENGTH} bytes`);
  if (iv.length !== IV_LENGTH) throw new Error(`keybundle: the iv must be ${IV_LENGTH} bytes`);

  const { encKey, macKey } = deriveKeys(password, salt, params);
  const cipher = crypto.createCipheriv("aes-256-ctr", encKey, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);

  const header = Buffer.alloc(KEYBUNDLE_HEADER_LENGTH);
  KEYBUNDLE_MAGIC.copy(header, 0);
  header.writeUInt8(KEYBUNDLE_VERSION, 8);
  header.writeUInt8(params.log2N, 9);
  header.writeUInt8(params.r, 10);
  header.writeUInt8(params.p, 11);
  header.writeBigUInt64BE(BigInt(ciphertext.length), 12);
  salt.copy(header, 20);
  iv.copy(header, 52);

  const body = Buffer.concat([header, ciphertext]);
  const tag = crypto.createHmac("sha256", macKey).update(body).digest();
  return Buffer.concat([body, tag]);
}

/** Checks the tag and decrypts. Throws `keybundle: ...` errors a person can act on. */
export function openKeybundle(sealed: Buffer, password: string): Buffer {
  const minimum = KEYBUNDLE_HEADER_LENGTH + KEYBUNDLE_TAG_LENGTH;
  if (sealed.length < KEYBUNDLE_MAGIC.length || !sealed.subarray(0, KEYBUNDLE_MAGIC.length).equals(KEYBUNDLE_MAGIC)) {
    throw new Error("keybundle: not an oomerfarm keybundle (the file does not start with OOMERFKB)");
  }
  if (sealed.length < minimum) {
    throw new Error(`keybundle: the file is truncated (${sealed.length} bytes, a keybundle has at least ${minimum})`);
  }
  const version = sealed.readUInt8(8);
  if (version !== KEYBUNDLE_VERSION) {
    throw new Error(`keybundle: unsupported keybundle version ${version} (this tool reads version ${KEYBUNDLE_VERSION})`);
  }
  const params = { log2N: sealed.readUInt8(9), r: sealed.readUInt8(10), p: sealed.readUInt8(11) };
  const declared = sealed.readBigUInt64BE(12);
  const expected = BigInt(minimum) + declared;
  if (BigInt(sealed.length) !== expected) {
    throw new Error(
      `keybundle: the file is truncated or was modified (${sealed.length} bytes, its header says ${expected})`,
    );
  }
  checkParams(params);

  const salt = sealed.subarray(20, 52);
  const iv = sealed.subarray(52, 68);
  const bodyEnd = sealed.length - KEYBUNDLE_TAG_LENGTH;
  const { encKey, macKey } = deriveKeys(password, salt, params);
  const tag = crypto.createHmac("sha256", macKey).update(sealed.subarray(0, bodyEnd)).digest();
  if (!crypto.timingSafeEqual(tag, sealed.subarray(bodyEnd))) {
    throw new Error("keybundle: wrong password or the file was modified");
  }
  const decipher = crypto.createDecipheriv("aes-256-ctr", encKey, iv);
  return Buffer.concat([decipher.update(sealed.subarray(KEYBUNDLE_HEADER_LENGTH, bodyEnd)), decipher.final()]);
}

// ---------------------------------------------------------------------------------------------
// What goes inside: the `inhouseBundle` stack output (JSON). The Pulumi program builds it; the
// keybundle tool validates and narrows it; worker.sh on the in-house box writes its files.

export const INHOUSE_BUNDLE_FORMAT = "oomerfarm-inhouse/1";

/** One file a host boots with; content is base64, permissions an octal string such as "0600". */
export interface BundleFile {
  path: string;
  content: string;
  permissions: string;
}

export interface BundleSlot {
  slot: number;
  name: string;
  ip: string;
  files: BundleFile[];
}

export interface InhouseBundle {
  format: typeof INHOUSE_BUNDLE_FORMAT;
  farm: string;
  hubPublicIp: string;
  hubOverlayIp: string;
  /** Files that are the same for every slot: farm.env, scripts, units, secrets, CAs. */
  common: BundleFile[];
  /** The in-house slots: each with its own Nebula certificate, key, config and host.env. */
  slots: BundleSlot[];
  /** The shared identity worker.sh uses to ask "is this slot online already?". */
  probe: { name: string; ip: string; files: BundleFile[] };
}

function fail(message: string): never {
  throw new Error(`inhouse bundle: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== "string" || v === "") fail(`${where}.${key} must be a non-empty string`);
  return v;
}

function checkFiles(value: unknown, where: string): BundleFile[] {
  if (!Array.isArray(value)) fail(`${where} must be a list of files`);
  return value.map((f, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(f)) fail(`${at} must be an object`);
    const path = str(f, "path", at);
    // worker.sh writes these paths as root: only absolute, normalised paths are acceptable.
    if (!path.startsWith("/") || path.split("/").some((part) => part === ".." || part === ".") || path.includes("//")) {
      fail(`${at}.path must be an absolute path without . or .. parts, got ${JSON.stringify(path)}`);
    }
    const content = f.content;
    if (typeof content !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
      fail(`${at}.content (${path}) must be base64`);
    }
    const permissions = str(f, "permissions", at);
    if (!/^0?[0-7]{3}$/.test(permissions)) fail(`${at}.permissions (${path}) must be octal like "0644"`);
    return { path, content, permissions };
  });
}

/** Parses and checks the `inhouseBundle` output (a JSON string, or the object itself). */
export function parseInhouseBundle(value: unknown): InhouseBundle {
  let v = value;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      fail("not valid JSON");
    }
  }
  if (!isObject(v)) fail("must be a JSON object");
  if (v.format !== INHOUSE_BUNDLE_FORMAT) {
    fail(`format must be ${JSON.stringify(INHOUSE_BUNDLE_FORMAT)}, got ${JSON.stringify(v.format)}`);
  }
  const farm = str(v, "farm", "bundle");
  const hubPublicIp = str(v, "hubPublicIp", "bundle");
  const hubOverlayIp = str(v, "hubOverlayIp", "bundle");
  const common = checkFiles(v.common, "common");
  if (!Array.isArray(v.slots) || v.slots.length === 0) fail("slots must be a non-empty list");
  const seen = new Set<number>();
  const slots = v.slots.map((s, i): BundleSlot => {
    const at = `slots[${i}]`;
    if (!isObject(s)) fail(`${at} must be an object`);
    const slot = s.slot;
    if (typeof slot !== "number" || !Number.isInteger(slot) || slot < 1 || slot > 9999) {
      fail(`${at}.slot must be an integer 1..9999`);
    }
    if (seen.has(slot)) fail(`slot ${slot} appears twice`);
    seen.add(slot);
    return { slot, name: str(s, "name", at), ip: str(s, "ip", at), files: checkFiles(s.files, `${at}.files`) };
  });
  if (!isObject(v.probe)) fail("probe must be an object");
  const probe = { name: str(v.probe, "name", "probe"), ip: str(v.probe, "ip", "probe"), files: checkFiles(v.probe.files, "probe.files") };
  if (!probe.files.some((f) => f.path.endsWith("/config.yml"))) fail("probe.files must hold a config.yml");
  return { format: INHOUSE_BUNDLE_FORMAT, farm, hubPublicIp, hubOverlayIp, common, slots, probe };
}

/** "91-95,97" -> [91, 92, 93, 94, 95, 97]. */
export function parseSlotSpec(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(",").map((p) => p.trim())) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!m) throw new Error(`--slots: "${part}" is not a slot or a range like 91-95`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 1 || hi < lo) throw new Error(`--slots: "${part}" is not a valid range (slots start at 1, low-high)`);
    for (let s = lo; s <= hi; s++) out.add(s);
  }
  return [...out].sort((a, b) => a - b);
}

/** [91, 92, 93, 95] -> "91-93,95": how people read a set of slots. */
export function formatSlotRanges(slots: number[]): string {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Keeps only the requested slots, so a bundle carries no more private keys than it must. */
export function narrowBundle(bundle: InhouseBundle, spec: string): InhouseBundle {
  const wanted = parseSlotSpec(spec);
  const have = new Set(bundle.slots.map((s) => s.slot));
  const missing = wanted.filter((s) => !have.has(s));
  if (missing.length > 0) {
    throw new Error(
      `--slots: slot(s) ${formatSlotRanges(missing)} are not in-house slots of this farm; it has ${formatSlotRanges([...have])}`,
    );
  }
  const keep = new Set(wanted);
  return { ...bundle, slots: bundle.slots.filter((s) => keep.has(s.slot)) };
}
