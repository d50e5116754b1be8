// Real-tool checks of one host's user data, shared by the hub and worker tests:
// cloud-init's schema, shellcheck over the shipped scripts, nebula -test with real certificates.
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { tempDir, UserData } from "./plan";
import { run, RunResult } from "./tools";

/** Hetzner Cloud's user-data limit. */
export const HCLOUD_USER_DATA_MAX = 32 * 1024;

/** cloud-init schema --config-file over the #cloud-config text (already gunzipped, single part). */
export function cloudInitSchema(ud: UserData): RunResult {
  const file = path.join(tempDir("schema"), "user-data.yaml");
  fs.writeFileSync(file, ud.text);
  return run("cloud-init", ["schema", "--config-file", file]);
}

/** Scripts inside the payload: *.sh and anything with a sh/bash shebang. */
export function shippedScripts(ud: UserData): string[] {
  return [...ud.payload.values()]
    .filter((f) => f.path.endsWith(".sh") || /^#!\s*\/(usr\/)?bin\/(env\s+)?(ba)?sh\b/.test(f.content.toString().split("\n")[0]))
    .map((f) => f.path);
}

/**
 * shellcheck (default severity, following `source=`) over every shipped script, laid out as on the
 * host under a temp root; run from /usr/local/lib/oomerfarm so `# shellcheck source=lib.sh` resolves.
 */
export function shellcheckPayload(ud: UserData): { scripts: string[]; result: RunResult } {
  const root = tempDir("payload");
  for (const f of ud.payload.values()) {
    const dest = path.join(root, f.path);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, f.content);
  }
  const lib = path.join(root, "usr/local/lib/oomerfarm");
  const scripts = shippedScripts(ud);
  const rel = scripts.map((s) => path.relative(lib, path.join(root, s)));
  return { scripts, result: run("shellcheck", ["-x", ...rel], { cwd: lib }) };
}

/**
 * nebula -test -config on the host's config.yml with its pki paths pointed at a temp copy of
 * the certificate files (`overrides` swaps any of ca.crt, host.crt, host.key).
 */
export function nebulaTest(ud: UserData, overrides: Partial<Record<"ca.crt" | "host.crt" | "host.key", string | Buffer>> = {}): RunResult {
  const dir = tempDir("nebula");
  for (const name of ["ca.crt", "host.crt", "host.key"] as const) {
    fs.writeFileSync(path.join(dir, name), overrides[name] ?? ud.files.get(`/etc/nebula/${name}`)!, { mode: 0o600 });
  }
  const config = parse(ud.files.get("/etc/nebula/config.yml")!.toString()) as { pki: Record<string, unknown> };
  config.pki = { ...config.pki, ca: path.join(dir, "ca.crt"), cert: path.join(dir, "host.crt"), key: path.join(dir, "host.key") };
  const file = path.join(dir, "config.yml");
  fs.writeFileSync(file, stringify(config));
  return run("nebula", ["-test", "-config", file]);
}
