// The BellaRender Deadline plugin is Python: this runs its unittest suite and
// byte-compiles every .py under deadline/ (the Deadline-API files cannot be
// imported outside Deadline, but they must at least be valid Python 3).
// deadline/custom travels in the workers' user data after stripForTransport, so the
// stripped forms are held to a size budget, compiled, and put through the suite too.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BootFile } from "../cloud-init/cloudConfig";
import { PATHS } from "../cloud-init/hostFiles";
import { packPayload, stripForTransport, unpackPayload } from "../cloud-init/payload";

const root = path.resolve(__dirname, "..");
const deadlineDir = path.join(root, "deadline");
const customDir = path.join(deadlineDir, "custom");

// Gzip bytes the stripped deadline/custom tree may take in a worker's user data (32 KiB in all).
const CUSTOM_BUDGET = 7000;

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

// Every file under deadline/custom as the hub's payload carries it (same paths as hostFiles.ts).
function customFiles(): BootFile[] {
  const out: BootFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "__pycache__") walk(full);
      } else {
        const rel = path.relative(customDir, full).split(path.sep).join("/");
        out.push({ path: `${PATHS.deadlineCustom}/${rel}`, content: fs.readFileSync(full, "utf8"), permissions: "0644" });
      }
    }
  };
  walk(customDir);
  return out;
}

function stripped(files: BootFile[]): BootFile[] {
  return files.map((f) => ({ ...f, content: stripForTransport(f.path, f.content as string) }));
}

function withTempDir<T>(prefix: string, body: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Bytecode goes to a throwaway prefix so nothing lands in the work tree.
function runPython(args: string[], env: Record<string, string> = {}) {
  return withTempDir("pycache-", (cache) =>
    spawnSync("python3", args, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPYCACHEPREFIX: cache, ...env },
    }),
  );
}

function expectSuitePassed(result: ReturnType<typeof runPython>) {
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) console.error(output);
  expect(result.status).toBe(0);
  const ran = /^Ran (\d+) tests? in /m.exec(output);
  expect(ran).not.toBeNull();
  expect(Number(ran![1])).toBeGreaterThan(0);
  expect(output).toMatch(/^OK/m);
}

// The unittest suite with the stripped plugin files first on PYTHONPATH (deadline/tests/support.py
// puts the source folder after it and loads BellaRender.py from wherever bella_logic came from).
function runSuiteOn(files: BootFile[], dir: string) {
  for (const f of files) fs.writeFileSync(path.join(dir, path.posix.basename(f.path)), f.content);
  return runPython(["-m", "unittest", "discover", "-s", "deadline/tests", "-v"], { PYTHONPATH: dir });
}

describe("deadline/custom in the workers' user data", () => {
  const files = customFiles();

  test("covers the plugin and the submitter, and nothing else", () => {
    expect(files.map((f) => f.path.slice(PATHS.deadlineCustom.length + 1)).sort()).toEqual([
      "plugins/BellaRender/BellaRender.options",
      "plugins/BellaRender/BellaRender.param",
      "plugins/BellaRender/BellaRender.py",
      "plugins/BellaRender/bella_logic.py",
      "scripts/Submission/BellaRenderSubmission.py",
    ]);
  });

  test(`packs to at most ${CUSTOM_BUDGET} bytes of gzip after stripForTransport`, () => {
    const packed = packPayload(stripped(files));
    console.log(`deadline/custom: ${packed.length} bytes of gzip stripped (budget ${CUSTOM_BUDGET})`);
    expect(packed.length).toBeLessThanOrEqual(CUSTOM_BUDGET);
    // The measure is the real payload: it unpacks to the stripped files, byte for byte.
    const back = unpackPayload(packed).map((f) => [f.path, f.content.toString()]);
    expect(back).toEqual(expect.arrayContaining(stripped(files).map((f) => [f.path, f.content])));
    expect(back).toHaveLength(files.length);
  });
});

maybe("BellaRender Deadline plugin (Python)", () => {
  test("unittest suite passes and runs tests", () => {
    expectSuitePassed(runPython(["-m", "unittest", "discover", "-s", "deadline/tests", "-v"]));
  });

  test("the stripped .py files still compile", () => {
    const py = stripped(customFiles()).filter((f) => f.path.endsWith(".py"));
    expect(py).toHaveLength(3);
    withTempDir("stripped-py-", (dir) => {
      const paths = py.map((f) => {
        const out = path.join(dir, path.posix.basename(f.path));
        fs.writeFileSync(out, f.content);
        return out;
      });
      const result = runPython(["-m", "py_compile", ...paths]);
      if (result.status !== 0) console.error(result.stderr);
      expect(result.status).toBe(0);
    });
  });

  test("the unittest suite passes against the stripped bella_logic.py and BellaRender.py", () => {
    const plugin = stripped(customFiles()).filter((f) => f.path.includes("/plugins/BellaRender/") && f.path.endsWith(".py"));
    expect(plugin.map((f) => path.posix.basename(f.path)).sort()).toEqual(["BellaRender.py", "bella_logic.py"]);
    withTempDir("stripped-plugin-", (dir) => {
      expectSuitePassed(runSuiteOn(plugin, dir));
      // The suite really imported the stripped copies from the temp folder.
      const where = runPython(["-c", "import sys; sys.path.insert(0, 'deadline/tests'); import support; print(support.PLUGIN_DIR)"], { PYTHONPATH: dir });
      expect(where.stdout.trim()).toBe(fs.realpathSync(dir));
    });
  });

  test("a broken stripped copy fails the suite (the copy is what is tested)", () => {
    const plugin = stripped(customFiles()).filter((f) => f.path.includes("/plugins/BellaRender/") && f.path.endsWith(".py"));
    const broken = plugin.map((f) =>
      f.path.endsWith("bella_logic.py") ? { ...f, content: (f.content as string).replace('ROOT = "/mnt/oomerfarm"', 'ROOT = "/mnt/elsewhere"') } : f,
    );
    expect(broken.find((f) => f.path.endsWith("bella_logic.py"))!.content).toContain("/mnt/elsewhere");
    withTempDir("broken-plugin-", (dir) => {
      const result = runSuiteOn(broken, dir);
      expect(result.status).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toMatch(/FAILED \(failures=\d+/);
    });
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
