import * as fs from "fs";
import { README, renderReadme, configReferenceMarkdown } from "../tools/docs";
import { SETTINGS } from "../lib/config";

describe("README", () => {
  const text = fs.readFileSync(README, "utf8");

  test("the config reference and the firewall matrix match the modules (regenerate: npx tsx tools/docs.ts --write)", () => {
    expect(renderReadme(text)).toBe(text);
  });

  test("every setting appears in the reference, once", () => {
    const table = configReferenceMarkdown();
    for (const s of SETTINGS) expect(table.split(`| \`${s.key}\` |`).length).toBe(2);
  });

  test("README tells a new user the set-up and test commands CI runs", () => {
    const ci = fs.readFileSync(`${__dirname}/../.ci/run`, "utf8");
    for (const cmd of ["npm ci", "npm test"]) {
      expect(ci).toContain(cmd);
      expect(text).toContain(cmd);
    }
  });
});
