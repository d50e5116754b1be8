// Reads the stack's settings from Pulumi's config and validates them (lib/config.ts).
// A bad value stops the program with one line, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, FarmConfig, parseFarmConfig } from "./config";

export const PROJECT = "oomerfarm";

export function readFarmConfig(): FarmConfig {
  const all = pulumi.runtime.allConfig();
  const prefix = `${PROJECT}:`;
  const present = Object.keys(all).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  try {
    return parseFarmConfig((key) => all[`${prefix}${key}`], pulumi.getStack(), present);
  } catch (e) {
    // RunError prints its message alone, without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/** Cloud labels and names accept lower-case letters, digits and '-'. */
export function farmNameFromStack(stack: string): string {
  const name = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  return name === "" ? "farm" : name;
}
