// The BellaRender Deadline plugin is Python: this runs its unittest suite and
// byte-compiles every .py under deadline/ (the Deadline-API files cannot be
// imported outside Deadline, but they must at least be valid Python 3).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const deadlineDir = path.join(root, "deadline");

function hasPython(): boolean {
  const probe = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return probe.status === 0;
}

const python = hasPython();
if (!python) {
  if (process.env.CI === "true") {
    throw new Error("python3 is required for test/deadline-plugin.test.ts (apt-get install python3)");
  }
  console.warn("SKIP deadline-plugin tests: python3 is not installed");
}
const maybe = python ? describe : describe.skip;

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "__pycache__") out.push(...pythonFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".py")) out.push(full);
  }
  return out;
}

function pycacheDirs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === "__pycache__") out.push(full);
    else out.push(...pycacheDirs(full));
  }
  return out;
}

// Bytecode goes to a throwaway prefix so nothing lands in the work tree.
function runPython(args: string[]) {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "pycache-"));
  try {
    return spawnSync("python3", args, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPYCACHEPREFIX: cache },
    });
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

maybe("BellaRender Deadline plugin (Python)", () => {
  test("unittest suite passes and runs tests", () => {
    const result = runPython(["-m", "unittest", "discover", "-s", "deadline/tests", "-v"]);
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) console.error(output);
    expect(result.status).toBe(0);
    const ran = /^Ran (\d+) tests? in /m.exec(output);
    expect(ran).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThan(0);
    expect(output).toMatch(/^OK/m);
  });

  test("every .py under deadline/ compiles under Python 3", () => {
    const files = pythonFiles(deadlineDir);
    const names = files.map((f) => path.relative(deadlineDir, f));
    // The Deadline-facing files are in the list, not only the pure module.
    expect(names).toEqual(
      expect.arrayContaining([
        path.join("custom", "plugins", "BellaRender", "BellaRender.py"),
        path.join("custom", "plugins", "BellaRender", "bella_logic.py"),
        path.join("custom", "scripts", "Submission", "BellaRenderSubmission.py"),
      ]),
    );
    const result = runPython(["-m", "py_compile", ...files]);
    if (result.status !== 0) console.error(result.stderr);
    expect(result.status).toBe(0);
  });

  test("the compile check rejects broken Python", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-py-"));
    try {
      const broken = path.join(dir, "broken.py");
      fs.writeFileSync(broken, "def plugin(:\n    pass\n");
      const result = runPython(["-m", "py_compile", broken]);
      expect(result.status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("no __pycache__ is left in deadline/", () => {
    expect(pycacheDirs(deadlineDir)).toEqual([]);
  });
});
