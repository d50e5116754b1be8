// The in-house keybundle of the live "is this slot online?" check: the stack's real
// `inhouseBundle` output from plan.json, with one change the box needs. Every other host of the
// harness reaches the hub at its underlay address instead of its (mock) public one; the bundle's
// Nebula configs get the same rewrite of the hub endpoint, and nothing else in it changes.
import { InhouseBundle, parseInhouseBundle } from "../../lib/keybundle";

export interface BoxBundle {
  bundle: InhouseBundle;
  /** how many of the bundle's config.yml files named the public endpoint */
  rewritten: number;
}

const decode = (b64: string): string => Buffer.from(b64, "base64").toString("utf8");
const encode = (text: string): string => Buffer.from(text, "utf8").toString("base64");

/**
 * Parses plan.json's `inhouseBundle` (a JSON string under --show-secrets) and points every
 * config.yml at hubEndpoint where it named publicEndpoint. Throws when no config named it, as a
 * rewrite that silently does nothing would leave the probe talking to an address nobody has.
 */
export function boxBundle(inhouseBundle: unknown, publicEndpoint: string, hubEndpoint: string): BoxBundle {
  const bundle = parseInhouseBundle(inhouseBundle);
  let rewritten = 0;
  const rewrite = <F extends { path: string; content: string }>(f: F): F => {
    if (!f.path.endsWith("/config.yml")) return f;
    const text = decode(f.content);
    if (!text.includes(publicEndpoint)) return f;
    rewritten++;
    return { ...f, content: encode(text.split(publicEndpoint).join(hubEndpoint)) };
  };
  const out: InhouseBundle = {
    ...bundle,
    hubPublicIp: hubEndpoint.split(":")[0],
    common: bundle.common.map(rewrite),
    slots: bundle.slots.map((s) => ({ ...s, files: s.files.map(rewrite) })),
    probe: { ...bundle.probe, files: bundle.probe.files.map(rewrite) },
  };
  if (rewritten === 0) throw new Error(`inhouseBundle: no config.yml names the hub endpoint ${publicEndpoint}`);
  return { bundle: out, rewritten };
}
