// PEM armour as Go's encoding/pem writes it (64-column base64), with Nebula's block types.

export const PEM = {
  certificate: "NEBULA CERTIFICATE",
  x25519Private: "NEBULA X25519 PRIVATE KEY",
  x25519Public: "NEBULA X25519 PUBLIC KEY",
  ed25519Private: "NEBULA ED25519 PRIVATE KEY",
  ed25519Public: "NEBULA ED25519 PUBLIC KEY",
} as const;

export function encodePem(type: string, data: Buffer): string {
  const b64 = data.toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}

export interface PemBlock {
  type: string;
  data: Buffer;
}

/** All PEM blocks in a text, in order (a CA bundle may hold several). */
export function decodePemBlocks(text: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(re)) {
    blocks.push({ type: m[1], data: Buffer.from(m[2].replace(/\s+/g, ""), "base64") });
  }
  return blocks;
}

export function decodePem(text: string, expectedType: string): Buffer {
  const block = decodePemBlocks(text)[0];
  if (!block) throw new Error(`no PEM block found (expected ${expectedType})`);
  if (block.type !== expectedType) throw new Error(`PEM block is ${block.type}, expected ${expectedType}`);
  return block.data;
}
