// lib/keybundle.ts (the sealed format, bundle parsing, slot narrowing) and the
// `npm run keybundle` tool (argument parsing, bad input, the file it writes).

import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  formatSlotRanges,
  KEYBUNDLE_HEADER_LENGTH,
  narrowBundle,
  openKeybundle,
  parseInhouseBundle,
  parseSlotSpec,
  sealKeybundle,
} from "../lib/keybundle";
import { bundleFromOutputs, parseArgs, UsageError } from "../tools/keybundle";
import { haveTools, makeBundle, REPO, stackOutputs } from "./fixtures/inhouse/bundle";
import { runOnPty } from "./fixtures/inhouse/pty";

const PASSWORD = "correct horse battery staple";
const FAST = { scryptN: 2 ** 10 }; // scrypt cost for tests; the default is 2^15

const WRONG = /^keybundle: wrong password or the file was modified$/;
const TRUNCATED_OR_MODIFIED = /^keybundle: the file is truncated or was modified \(\d+ bytes, its header says \d+\)$/;

describe("sealKeybundle / openKeybundle", () => {
  const plaintext = crypto.randomBytes(1000);
  const sealed = sealKeybundle(plaintext, PASSWORD, FAST);

  test("round trip, with the default scrypt cost too", () => {
    expect(openKeybundle(sealed, PASSWORD).equals(plaintext)).toBe(true);
    const slow = sealKeybundle(plaintext, PASSWORD);
    expect(slow.readUInt8(9)).toBe(15);
    expect(openKeybundle(slow, PASSWORD).equals(plaintext)).toBe(true);
    expect(openKeybundle(sealKeybundle(Buffer.alloc(0), PASSWORD, FAST), PASSWORD).length).toBe(0);
  });

  test("layout: magic, version, parameters, length, and fresh salt/iv each time", () => {
    expect(sealed.subarray(0, 8).toString("ascii")).toBe("OOMERFKB");
    expect([sealed[8], sealed[9], sealed[10], sealed[11]]).toEqual([1, 10, 8, 1]);
    expect(sealed.readBigUInt64BE(12)).toBe(BigInt(plaintext.length));
    expect(sealed.length).toBe(KEYBUNDLE_HEADER_LENGTH + plaintext.length + 32);
    expect(sealed.subarray(KEYBUNDLE_HEADER_LENGTH, -32).equals(plaintext)).toBe(false);
    const again = sealKeybundle(plaintext, PASSWORD, FAST);
    expect(again.subarray(20, 68).equals(sealed.subarray(20, 68))).toBe(false);
    const salt = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(16, 9);
    expect(sealKeybundle(plaintext, PASSWORD, { ...FAST, salt, iv }).equals(sealKeybundle(plaintext, PASSWORD, { ...FAST, salt, iv }))).toBe(true);
  });

  test("ciphertext is plain AES-256-CTR under the first 32 bytes of scrypt output", () => {
    // Pins the key split that worker.sh's python/openssl reader relies on.
    const material = crypto.scryptSync(PASSWORD, sealed.subarray(20, 52), 64, { N: 2 ** 10, r: 8, p: 1 });
    const d = crypto.createDecipheriv("aes-256-ctr", material.subarray(0, 32), sealed.subarray(52, 68));
    expect(Buffer.concat([d.update(sealed.subarray(68, -32)), d.final()]).equals(plaintext)).toBe(true);
    const tag = crypto.createHmac("sha256", material.subarray(32)).update(sealed.subarray(0, -32)).digest();
    expect(tag.equals(sealed.subarray(-32))).toBe(true);
  });

  test("wrong password", () => {
    expect(() => openKeybundle(sealed, PASSWORD + "!")).toThrow(WRONG);
    expect(() => openKeybundle(sealed, "")).toThrow(WRONG);
  });

  test("a password is compared after NFC normalisation", () => {
    const composed = "caf\u00e9-caf\u00e9-caf\u00e9";
    const decomposed = "cafe\u0301-cafe\u0301-cafe\u0301";
    expect(openKeybundle(sealKeybundle(plaintext, composed, FAST), decomposed).equals(plaintext)).toBe(true);
  });

  test("passwords shorter than 12 characters are refused", () => {
    expect(() => sealKeybundle(plaintext, "elevenchars", FAST)).toThrow(/at least 12 characters/);
    expect(() => sealKeybundle(plaintext, "\u{1F600}".repeat(11), FAST)).toThrow(/at least 12 characters/);
    expect(() => sealKeybundle(plaintext, "twelve chars", FAST)).not.toThrow();
    expect(() => sealKeybundle(plaintext, PASSWORD, { scryptN: 3000 })).toThrow(/power of two/);
    expect(() => sealKeybundle(plaintext, PASSWORD, { scryptN: 2 ** 9 })).toThrow(/^keybundle: scrypt N must be 2\^10 \.\. 2\^20, got 2\^9$/);
  });

  // Every header byte, a spread of ciphertext bytes and every tag byte: flipping any one must
  // fail, and with the message that names the problem.
  function expectedFor(offset: number): RegExp {
    if (offset < 8) return /^keybundle: not an oomerfarm keybundle/;
    if (offset === 8) return /^keybundle: unsupported keybundle version 0 /;
    if (offset === 11) return /^keybundle: scrypt parameters out of range \(N=2\^10, r=8, p=0\)/; // p 1 -> 0
    if (offset >= 12 && offset < 20) return TRUNCATED_OR_MODIFIED;
    return WRONG; // log2N 10->11, r 8->9, salt, iv, ciphertext, tag
  }
  const offsets = [
    ...Array.from({ length: KEYBUNDLE_HEADER_LENGTH }, (_, i) => i),
    ...[0, 1, 2, 500, 998, 999].map((i) => KEYBUNDLE_HEADER_LENGTH + i),
    ...Array.from({ length: 32 }, (_, i) => sealed.length - 32 + i),
  ];
  test.each(offsets)("flipping the byte at offset %i is detected", (offset) => {
    const bad = Buffer.from(sealed);
    bad[offset] ^= 0x01;
    expect(() => openKeybundle(bad, PASSWORD)).toThrow(expectedFor(offset));
  });

  test("truncation and trailing bytes", () => {
    expect(() => openKeybundle(sealed.subarray(0, 0), PASSWORD)).toThrow(/not an oomerfarm keybundle/);
    expect(() => openKeybundle(sealed.subarray(0, 5), PASSWORD)).toThrow(/not an oomerfarm keybundle/);
    for (const n of [8, 20, 67, 99]) {
      expect(() => openKeybundle(sealed.subarray(0, n), PASSWORD)).toThrow(
        new RegExp(`^keybundle: the file is truncated \\(${n} bytes, a keybundle has at least 100\\)$`),
      );
    }
    for (const n of [100, 500, sealed.length - 32, sealed.length - 1]) {
      expect(() => openKeybundle(sealed.subarray(0, n), PASSWORD)).toThrow(TRUNCATED_OR_MODIFIED);
    }
    expect(() => openKeybundle(Buffer.concat([sealed, Buffer.from([0])]), PASSWORD)).toThrow(TRUNCATED_OR_MODIFIED);
  });

  test("foreign files", () => {
    const opensslSalted = Buffer.concat([Buffer.from("Salted__"), crypto.randomBytes(200)]);
    expect(() => openKeybundle(opensslSalted, PASSWORD)).toThrow(/not an oomerfarm keybundle/);
    const future = Buffer.from(sealed);
    future[8] = 2;
    expect(() => openKeybundle(future, PASSWORD)).toThrow(/unsupported keybundle version 2 \(this tool reads version 1\)/);
    const greedy = Buffer.from(sealed);
    greedy[9] = 30; // would ask scrypt for 128 GiB
    expect(() => openKeybundle(greedy, PASSWORD)).toThrow(/scrypt parameters out of range/);
  });
});

describe("inhouse bundle content", () => {
  const bundle = makeBundle({ slots: [91, 92, 93, 94, 95, 97] });

  test("parses the JSON string the stack exports, and the object", () => {
    expect(parseInhouseBundle(JSON.stringify(bundle)).slots.map((s) => s.slot)).toEqual([91, 92, 93, 94, 95, 97]);
    expect(parseInhouseBundle(bundle).farm).toBe("test");
  });

  test("rejects malformed bundles with the place named", () => {
    expect(() => parseInhouseBundle("{")).toThrow(/^inhouse bundle: not valid JSON$/);
    expect(() => parseInhouseBundle({ ...bundle, format: "x/2" })).toThrow(/format must be "oomerfarm-inhouse\/1"/);
    expect(() => parseInhouseBundle({ ...bundle, slots: [] })).toThrow(/slots must be a non-empty list/);
    const dup = { ...bundle, slots: [bundle.slots[0], bundle.slots[0]] };
    expect(() => parseInhouseBundle(dup)).toThrow(/slot 91 appears twice/);
    const evil = { ...bundle, common: [{ path: "/etc/../root/.ssh/authorized_keys", content: "", permissions: "0644" }] };
    expect(() => parseInhouseBundle(evil)).toThrow(/common\[0\]\.path must be an absolute path/);
    const relative = { ...bundle, common: [{ path: "etc/x", content: "", permissions: "0644" }] };
    expect(() => parseInhouseBundle(relative)).toThrow(/absolute path/);
    const notB64 = { ...bundle, common: [{ path: "/etc/x", content: "**", permissions: "0644" }] };
    expect(() => parseInhouseBundle(notB64)).toThrow(/content \(\/etc\/x\) must be base64/);
    const perms = { ...bundle, common: [{ path: "/etc/x", content: "", permissions: "rw" }] };
    expect(() => parseInhouseBundle(perms)).toThrow(/permissions \(\/etc\/x\) must be octal/);
    const noProbeConfig = { ...bundle, probe: { ...bundle.probe, files: [] } };
    expect(() => parseInhouseBundle(noProbeConfig)).toThrow(/probe\.files must hold a config\.yml/);
  });

  test("slot specs and ranges", () => {
    expect(parseSlotSpec("91-95")).toEqual([91, 92, 93, 94, 95]);
    expect(parseSlotSpec("97, 91-92,92")).toEqual([91, 92, 97]);
    expect(() => parseSlotSpec("95-91")).toThrow(/"95-91" is not a valid range/);
    expect(() => parseSlotSpec("0")).toThrow(/not a valid range/);
    expect(() => parseSlotSpec("a-b")).toThrow(/"a-b" is not a slot or a range/);
    expect(() => parseSlotSpec("")).toThrow(/is not a slot/);
    expect(formatSlotRanges([97, 91, 92, 93, 95])).toBe("91-93,95,97");
    expect(formatSlotRanges([5])).toBe("5");
  });

  test("narrowing keeps only the requested slots and names what is missing", () => {
    const narrow = narrowBundle(bundle, "92-94");
    expect(narrow.slots.map((s) => s.slot)).toEqual([92, 93, 94]);
    expect(narrow.common).toEqual(bundle.common);
    expect(narrow.probe).toEqual(bundle.probe);
    expect(() => narrowBundle(bundle, "90-92")).toThrow(/slot\(s\) 90 are not in-house slots of this farm; it has 91-95,97/);
    expect(() => narrowBundle(bundle, "96")).toThrow(/slot\(s\) 96 are not/);
  });
});

describe("keybundle tool: pieces", () => {
  test("parseArgs", () => {
    expect(parseArgs(["--outputs", "o.json", "--out", "b.okb", "--slots", "91-95"])).toEqual({
      outputs: "o.json",
      out: "b.okb",
      slots: "91-95",
    });
    expect(parseArgs(["--out=b.okb"])).toEqual({ outputs: undefined, out: "b.okb", slots: undefined });
    expect(() => parseArgs([])).toThrow(/--out is required/);
    expect(() => parseArgs(["--out"])).toThrow(/--out needs a value/);
    expect(() => parseArgs(["--out", "--slots", "1"])).toThrow(/--out needs a value/);
    expect(() => parseArgs(["--out", "x", "--bogus"])).toThrow(/unknown argument "--bogus"/);
    expect(() => parseArgs(["--out", "x", "extra"])).toThrow(UsageError);
  });

  test("bundleFromOutputs", () => {
    const bundle = makeBundle({ slots: [91, 92] });
    expect(bundleFromOutputs(stackOutputs(bundle), "f").slots).toHaveLength(2);
    expect(() => bundleFromOutputs("nope", "f")).toThrow(/f is not JSON/);
    expect(() => bundleFromOutputs("[]", "f")).toThrow(/not a JSON object/);
    expect(() => bundleFromOutputs("{}", "f")).toThrow(/f has no inhouseBundle output/);
    expect(() => bundleFromOutputs('{"inhouseBundle":"[secret]"}', "f")).toThrow(/--show-secrets/);
    expect(() => bundleFromOutputs('{"inhouseBundle":""}', "f")).toThrow(/the stack has no in-house slots/);
    expect(() => bundleFromOutputs('{"inhouseBundle":"{}"}', "f")).toThrow(/^f: inhouse bundle: format must be/);
  });
});

describe("keybundle tool: command line", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "keybundle-cli-"));
    fs.writeFileSync(path.join(dir, "outputs.json"), stackOutputs(makeBundle({ slots: [91, 92, 93, 94, 95] })));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string | undefined> = {}) {
        // node + tsx's cli directly, so a test may empty PATH (no pulumi to be found).
    const tsx = path.join(REPO, "node_modules/tsx/dist/cli.mjs");
    const r = spawnSync(process.execPath, [tsx, path.join(REPO, "tools/keybundle.ts"), ...args], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"], // stdin is not a terminal: must never prompt
      env: { ...process.env, OOMERFARM_BUNDLE_PASSWORD: undefined, ...env },
      timeout: 60000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test("seals a narrowed bundle, 0600, and says what it holds", () => {
    const out = path.join(dir, "b.okb");
    fs.writeFileSync(out, "old content");
    fs.chmodSync(out, 0o644);
    const r = run(["--outputs", "outputs.json", "--out", "b.okb", "--slots", "92-93"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Sealed 2 in-house slot\(s\) of farm "test" into b\.okb \(mode 0600\): slots 92-93/);
    expect(r.stdout).toMatch(/worker0092 {2}10\.87\.99\.92/);
    expect(r.stdout).toMatch(/sudo bash worker\.sh --bundle b\.okb --slot 92/);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const inside = parseInhouseBundle(openKeybundle(fs.readFileSync(out), PASSWORD).toString("utf8"));
    expect(inside.slots.map((s) => s.slot)).toEqual([92, 93]);
    expect(fs.readdirSync(dir).sort()).toEqual(["b.okb", "outputs.json"]); // no temp file left
  });

  test.each([
    [["--out", "x.okb"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD, PATH: "/nonexistent" }, /^keybundle: pulumi stack output failed .*pass a saved file with --outputs$/],
    [["--outputs", "missing.json", "--out", "x.okb"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD }, /^keybundle: cannot read missing\.json: ENOENT$/],
    [["--outputs", "outputs.json", "--out", "x.okb", "--slots", "90-91"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD }, /^keybundle: --slots: slot\(s\) 90 are not in-house slots of this farm; it has 91-95$/],
    [["--outputs", "outputs.json", "--out", "x.okb", "--slots", "x"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD }, /^keybundle: --slots: "x" is not a slot/],
    [["--outputs", "outputs.json", "--out", "x.okb"], {}, /^keybundle: no password: set OOMERFARM_BUNDLE_PASSWORD or run on a terminal$/],
    [["--outputs", "outputs.json", "--out", "x.okb"], { OOMERFARM_BUNDLE_PASSWORD: "short" }, /^keybundle: the password must be at least 12 characters long$/],
    [["--outputs", "outputs.json"], {}, /^keybundle: --out is required; usage:/],
    [["--outputs", "outputs.json", "--out", "/nonexistent-dir/x.okb"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD }, /^keybundle: cannot write \/nonexistent-dir\/x\.okb: ENOENT$/],
  ])("bad input %j: one line, exit 2", (args, env, message) => {
    const r = run(args as string[], env as Record<string, string>);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1); // no stack trace
    expect(r.status).toBe(2);
    expect(fs.existsSync(path.join(dir, "x.okb"))).toBe(false);
  });

  test("on a terminal it asks twice without echo", async () => {
    if (!haveTools("script")) return;
    const tool = [process.execPath, path.join(REPO, "node_modules/tsx/dist/cli.mjs"), path.join(REPO, "tools/keybundle.ts")];
    const env = { ...process.env, OOMERFARM_BUNDLE_PASSWORD: undefined };
    const args = ["--outputs", path.join(dir, "outputs.json"), "--out", path.join(dir, "tty.okb"), "--slots", "95"];
    const ok = await runOnPty([...tool, ...args], [[/Keybundle password/, PASSWORD], [/Same password again/, PASSWORD]], env);
    expect(ok.output).toMatch(/Sealed 1 in-house slot\(s\)/);
    expect(ok.output).not.toContain(PASSWORD); // no echo
    expect(ok.status).toBe(0);
    const inside = parseInhouseBundle(openKeybundle(fs.readFileSync(path.join(dir, "tty.okb")), PASSWORD).toString("utf8"));
    expect(inside.slots.map((s) => s.slot)).toEqual([95]);
    fs.rmSync(path.join(dir, "tty.okb"));

    const differ = await runOnPty([...tool, ...args], [[/Keybundle password/, PASSWORD], [/Same password again/, PASSWORD + "?"]], env);
    expect(differ.output).toMatch(/keybundle: the two passwords differ/);
    expect(differ.status).toBe(2);
    expect(fs.existsSync(path.join(dir, "tty.okb"))).toBe(false);
  });

  test("--help prints the usage and succeeds", () => {
    const r = run(["--help"]);
    expect(r.stdout).toMatch(/^usage: npm run keybundle -- \[--outputs stack-outputs\.json\] --out bundle\.okb \[--slots 91-95\]\n$/);
    expect(r.status).toBe(0);
  });

  test("a non-JSON outputs file", () => {
    fs.writeFileSync(path.join(dir, "bad.json"), "Current stack is dev:\n");
    const r = run(["--outputs", "bad.json", "--out", "x.okb"], { OOMERFARM_BUNDLE_PASSWORD: PASSWORD });
    expect(r.stderr).toBe("keybundle: bad.json is not JSON (save it with: pulumi stack output --json --show-secrets > FILE)\n");
    expect(r.status).toBe(2);
  });
});
