// A deterministic byte stream (HMAC-SHA256 in counter mode) for the few libraries that want a
// random source: the same seed and label always give the same keys, salts and serial numbers.
import * as crypto from "crypto";

export class Drbg {
  private counter = 0;
  private buffer = Buffer.alloc(0);

  constructor(private readonly seed: Buffer, private readonly label: string) {}

  bytes(n: number): Buffer {
    while (this.buffer.length < n) {
      const block = crypto.createHmac("sha256", this.seed).update(`${this.label}\u0000${this.counter++}`).digest();
      this.buffer = Buffer.concat([this.buffer, block]);
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return Buffer.from(out);
  }
}

/** A password of `length` characters from an unambiguous alphabet (safe in shell, smb.conf, URLs). */
export function derivePassword(seed: Buffer, label: string, length = 32): string {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const drbg = new Drbg(seed, `password:${label}`);
  let out = "";
  while (out.length < length) {
    const b = drbg.bytes(1)[0];
    if (b < 256 - (256 % alphabet.length)) out += alphabet[b % alphabet.length]; // no modulo bias
  }
  return out;
}
