// Generated parts of README.md: the config reference (from lib/config.ts SETTINGS) and the
// overlay firewall matrix (from nebula/firewall.ts). `npx tsx tools/docs.ts --write` updates
// README; test/readme.test.ts fails when README and the modules disagree.
import * as fs from "fs";
import * as path from "path";
import { SETTINGS } from "../lib/config";
import { firewallMatrixMarkdown } from "../nebula/firewall";

export const README = path.join(__dirname, "..", "README.md");

export function configReferenceMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const rows = SETTINGS.map((s) => `| \`${s.key}\` | ${esc(s.type)} | ${esc(s.default)} | ${esc(s.description)} |`);
  return ["| key | type | default | what it does |", "|---|---|---|---|", ...rows].join("\n");
}

const BLOCKS: Record<string, () => string> = {
  "config-reference": configReferenceMarkdown,
  "firewall-matrix": firewallMatrixMarkdown,
};

/** README with every generated block replaced by its current content. */
export function renderReadme(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    if (!re.test(out)) throw new Error(`README.md has no ${name} block`);
    out = out.replace(re, `$1${render()}\n$2`);
  }
  return out;
}

if (require.main === module) {
  const current = fs.readFileSync(README, "utf8");
  const next = renderReadme(current);
  if (process.argv.includes("--write")) fs.writeFileSync(README, next);
  else process.stdout.write(next);
}
