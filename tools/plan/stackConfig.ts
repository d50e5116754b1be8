// Reads a stack's config the way the Pulumi CLI hands it to a program: project-qualified keys,
// structured values as JSON strings, `--set` applied on top like `pulumi config set`.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

export interface StackConfig {
  project: string;
  /** "project:key" -> string value */
  values: Record<string, string>;
  /** keys whose value is a `secure:` ciphertext this tool cannot decrypt */
  encrypted: string[];
}

function toConfigString(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function readStackConfig(root: string, stack: string, sets: Array<[string, string]>): StackConfig {
  const projectFile = path.join(root, "Pulumi.yaml");
  const project = parse(fs.readFileSync(projectFile, "utf8")) as { name: string; config?: Record<string, unknown> };
  const qualify = (k: string) => (k.includes(":") ? k : `${project.name}:${k}`);
  const values: Record<string, string> = {};
  const encrypted: string[] = [];
  // Project-level defaults (`config:` in Pulumi.yaml), then the stack file.
  for (const [k, v] of Object.entries(project.config ?? {})) {
    const dflt = typeof v === "object" && v !== null && "default" in v ? (v as { default: unknown }).default : v;
    if (dflt !== undefined) values[qualify(k)] = toConfigString(dflt);
  }
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (fs.existsSync(stackFile)) {
    const doc = (parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    for (const [k, v] of Object.entries(doc.config ?? {})) {
      if (typeof v === "object" && v !== null && "secure" in v) {
        // Only the Pulumi CLI can decrypt it; the plan works with a stand-in of the same kind.
        encrypted.push(qualify(k));
        values[qualify(k)] = "encrypted-secret-stand-in";
        continue;
      }
      values[qualify(k)] = toConfigString(v);
    }
  }
  for (const [k, v] of sets) values[qualify(k)] = v;
  return { project: project.name, values, encrypted };
}
