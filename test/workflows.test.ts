// The GitHub workflows we ship: schema-valid (action-validator, offline) and shaped as promised:
// preview with a PR comment, `up` only on opt-in, least privilege, and a job without secrets.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

const ROOT = path.join(__dirname, "..");
const DIR = path.join(ROOT, ".github", "workflows");
const VALIDATOR = path.join(ROOT, "node_modules", ".bin", "action-validator");

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown> };
type Job = { if?: string; permissions?: Record<string, string>; steps: Step[]; env?: Record<string, string>; environment?: string };
type Workflow = { on: Record<string, unknown>; permissions?: unknown; concurrency?: { group: string; "cancel-in-progress"?: boolean }; env?: Record<string, string>; jobs: Record<string, Job> };

const files = fs.existsSync(DIR) ? fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
const load = (name: string): Workflow => parse(fs.readFileSync(path.join(DIR, name), "utf8")) as Workflow;

test("workflow files exist", () => {
  expect(files).toEqual(expect.arrayContaining(["ci.yml", "pulumi.yml"]));
});

describe.each(files)("%s", (file) => {
  test("passes action-validator", () => {
    if (!fs.existsSync(VALIDATOR)) {
      if (process.env.CI === "true") throw new Error(`action-validator missing at ${VALIDATOR}: run npm ci`);
      console.warn(`SKIP: action-validator not installed (${VALIDATOR}); run npm ci`);
      return;
    }
    const r = spawnSync(VALIDATOR, [path.join(DIR, file)], { encoding: "utf8" });
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: "" });
  });

  test("every action is pinned to a version", () => {
    const wf = load(file);
    for (const job of Object.values(wf.jobs)) {
      for (const step of job.steps) if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+(\.\d+)*$|@[0-9a-f]{40}$/);
    }
  });
});

describe("pulumi.yml", () => {
  const wf = load("pulumi.yml");

  test("runs on pull requests and on pushes to main", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push"]);
    expect((wf.on.push as { branches: string[] }).branches).toEqual(["main"]);
  });

  test("preview posts its diff as a PR comment and may write only PR comments", () => {
    const preview = wf.jobs.preview;
    expect(preview.if).toContain("github.event_name == 'pull_request'");
    const step = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ command: "preview", diff: true, "comment-on-pr": true });
    expect(preview.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  test("up is gated on the opt-in variable and on a push to main", () => {
    const up = wf.jobs.up;
    expect(up.if).toContain("vars.OOMERFARM_AUTO_UP == 'true'");
    expect(up.if).toContain("github.event_name == 'push'");
    expect(up.if).toContain("github.ref == 'refs/heads/main'");
    expect(up.if).toMatch(/&&.*&&/); // all three conditions, not any
    const step = up.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ command: "up" });
    expect(up.permissions).toEqual({ contents: "read" });
  });

  test("least privilege by default, one operation per stack, never cancelled halfway", () => {
    expect(wf.permissions).toEqual({});
    expect(wf.concurrency!.group).toContain("OOMERFARM_STACK");
    expect(wf.concurrency!["cancel-in-progress"]).toBe(false);
  });

  test("credentials come from repository secrets", () => {
    expect(wf.env).toMatchObject({
      PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
      HCLOUD_TOKEN: "${{ secrets.HCLOUD_TOKEN }}",
      AWS_ACCESS_KEY_ID: "${{ secrets.AWS_ACCESS_KEY_ID }}",
      AWS_SECRET_ACCESS_KEY: "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
    });
  });
});

describe("ci.yml (no secrets)", () => {
  const raw = fs.readFileSync(path.join(DIR, "ci.yml"), "utf8");
  const wf = load("ci.yml");

  test("uses no secret anywhere and only reads the repository", () => {
    // Comments may mention the word; the YAML values may not.
    expect(JSON.stringify(wf)).not.toMatch(/secrets\./);
    expect(raw.replace(/#.*$/gm, "")).not.toMatch(/secrets/);
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  test("installs, type-checks, tests, plans and uploads plan.json", () => {
    const job = wf.jobs.check;
    const runs = job.steps.filter((s) => s.run).map((s) => s.run);
    expect(runs).toEqual(["npm ci", "sudo npm run setup", "npm run typecheck", 'sudo -E env "PATH=$PATH" npm test', "npm run plan -- --out plan-out --seed ci"]);
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with).toMatchObject({ path: "plan-out/plan.json" });
    expect(job.steps.indexOf(upload)).toBe(job.steps.length - 1);
  });

  test("runs on pull requests (forks included) and on main", () => {
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
  });
});
