// The idle guard is Python (it runs on the hub); its unittest suite runs here through python3,
// and its systemd units are checked with systemd-analyze.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const GUARD = path.join(__dirname, "..", "idle-guard");

function have(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
}

function needTool(tool: string): boolean {
  if (have(tool)) return true;
  if (process.env.CI === "true") throw new Error(`${tool} is required under CI=true`);
  console.warn(`SKIP: ${tool} not installed`);
  return false;
}

test("python unittest suite passes (decision table, state, Deadline, fake Hetzner, fake EC2, SigV4, 3.6 syntax)", () => {
  if (!needTool("python3")) return;
  const r = spawnSync("python3", ["-m", "unittest", "discover", "-v", "-s", "tests", "-t", "tests"], {
    cwd: GUARD, encoding: "utf8", timeout: 110_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const out = `${r.stdout}\n${r.stderr}`;
  if (r.status !== 0) console.error(out);
  expect(r.status).toBe(0);
  const ran = /Ran (\d+) tests?/.exec(out);
  expect(ran).not.toBeNull();
  expect(Number(ran![1])).toBeGreaterThanOrEqual(45);
  // The suites that carry the promises of the brief all ran.
  for (const name of ["test_decide", "test_hetzner", "test_guard", "test_aws", "test_sigv4", "test_py36", "test_deadline", "test_deadline_mongo"]) {
    expect(out).toContain(`(${name}.`);
  }
  expect(out).toMatch(/\nOK\s*$/);
});

test("systemd units: a oneshot running guard.py, started every minute by the timer", () => {
  const service = fs.readFileSync(path.join(GUARD, "oomerfarm-idle-guard.service"), "utf8");
  const timer = fs.readFileSync(path.join(GUARD, "oomerfarm-idle-guard.timer"), "utf8");
  expect(service).toMatch(/^Type=oneshot$/m);
  expect(service).toMatch(/^ExecStart=.*\/usr\/libexec\/platform-python \/usr\/local\/lib\/oomerfarm\/idle-guard\/guard\.py/m);
  expect(service).toMatch(/^ConditionPathExists=\/etc\/oomerfarm\/idle-guard\.env$/m);
  expect(timer).toMatch(/^OnCalendar=minutely$/m);
  expect(timer).toMatch(/^Unit=oomerfarm-idle-guard\.service$/m);
  expect(timer).toMatch(/^WantedBy=timers\.target$/m);
  // The service must not be enabled on its own: only the timer has an [Install] section.
  expect(service).not.toMatch(/^\[Install\]/m);
  for (const f of ["guard.py", "decide.py", "state.py", "hetzner.py", "aws_ec2.py", "sigv4.py", "deadline.py", "deadline_mongo.py"]) {
    expect(fs.existsSync(path.join(GUARD, f))).toBe(true);
  }
});

test("systemd-analyze verify reports nothing for the units", () => {
  if (!needTool("systemd-analyze")) return;
  const tmp = fs.mkdtempSync("/tmp/idle-guard-units-");
  try {
    for (const f of ["oomerfarm-idle-guard.service", "oomerfarm-idle-guard.timer"]) fs.copyFileSync(path.join(GUARD, f), path.join(tmp, f));
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", "oomerfarm-idle-guard.timer", "oomerfarm-idle-guard.service"], {
      cwd: tmp, encoding: "utf8",
    });
    // Unknown keys are only warned about (exit 0), so the output must be empty as well.
    const complaints = `${r.stdout}${r.stderr}`.split("\n").filter((l) => /Unknown|ignoring|Failed|error|Invalid/i.test(l));
    expect({ status: r.status, complaints }).toEqual({ status: 0, complaints: [] });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
