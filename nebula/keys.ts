// Key material for Nebula, derived deterministically from a secret seed.
// The seed lives in Pulumi state (a random resource); deriving every key from it keeps keys
// identical across `pulumi up` runs without storing each key, and a new seed reissues all.
import * as crypto from "crypto";

const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** 32 bytes for `label`, independent for every label (HKDF-SHA256). */
export function deriveBytes(seed: Buffer, label: string, length = 32): Buffer {
  if (seed.length < 16) throw new Error("seed must be at least 16 bytes");
  return Buffer.from(crypto.hkdfSync("sha256", seed, Buffer.from("oomerfarm/v1"), Buffer.from(label, "utf8"), length));
}

function rawPublicKey(privateKey: crypto.KeyObject): Buffer {
  const spki = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return Buffer.from(spki.subarray(spki.length - 32));
}

export interface Ed25519KeyPair {
  /** 32-byte seed, the private half */
  seed: Buffer;
  publicKey: Buffer;
  keyObject: crypto.KeyObject;
}

export function ed25519FromSeed(seed: Buffer): Ed25519KeyPair {
  const keyObject = crypto.createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  return { seed, publicKey: rawPublicKey(keyObject), keyObject };
}

export interface X25519KeyPair {
  privateKey: Buffer;
  publicKey: Buffer;
}

export function x25519FromSeed(seed: Buffer): X25519KeyPair {
  const keyObject = crypto.createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  return { privateKey: seed, publicKey: rawPublicKey(keyObject) };
}

export function ed25519Sign(key: Ed25519KeyPair, message: Buffer): Buffer {
  return crypto.sign(null, message, key.keyObject);
}

export function ed25519Verify(publicKey: Buffer, message: Buffer, signature: Buffer): boolean {
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]);
  const keyObject = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
  return crypto.verify(null, message, keyObject, signature);
}
