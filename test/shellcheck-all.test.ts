// Every bash file in the repository passes shellcheck at its default severity: boot steps,
// the in-house bootstrap, set-up and CI scripts, test fixtures. (steps.test.ts and hub.test.ts
// also check the stripped copies that travel in user data.)
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const SKIP = new Set(["node_modules", ".git", "scratch", "bin"]);

function bashFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...bashFiles(full));
    else if (entry.name.endsWith(".sh") || (entry.isFile() && fs.readFileSync(full, "utf8").slice(0, 40).startsWith("#!/usr/bin/env bash"))) out.push(full);
  }
  return out;
}

const haveShellcheck = spawnSync("sh", ["-c", "command -v shellcheck"]).status === 0;
if (!haveShellcheck && process.env.CI === "true") throw new Error("shellcheck is missing: sudo npm run setup");

describe("shellcheck on every bash file", () => {
  const files = bashFiles(ROOT);

  test("finds the project's scripts", () => {
    const rel = files.map((f) => path.relative(ROOT, f));
    for (const expected of [".ci/run", "tools/setup.sh", "cloud-init/inhouse/worker.sh", "cloud-init/wait-ready.sh", "cloud-init/steps/run-steps.sh"]) {
      expect(rel).toContain(expected);
    }
  });

  (haveShellcheck ? test.each(files.map((f) => [path.relative(ROOT, f), f])) : test.skip.each([["(shellcheck missing: sudo npm run setup)", ""]]))("%s", (_rel, file) => {
    const r = spawnSync("shellcheck", ["-x", path.basename(file)], { cwd: path.dirname(file), encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
