// The stack's SSH key (ed25519), derived from the farm seed, in OpenSSH's own formats so that
// `ssh -i`, @pulumi/command and cloud providers all accept it.
import { ed25519FromSeed } from "../nebula/keys";

function sshString(b: Buffer | string): Buffer {
  const data = typeof b === "string" ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

export interface SshKeyPair {
  publicKey: string;
  privateKey: string;
}

export function sshKeyFromSeed(seed: Buffer, comment: string): SshKeyPair {
  const key = ed25519FromSeed(seed);
  const pubBlob = Buffer.concat([sshString("ssh-ed25519"), sshString(key.publicKey)]);
  // openssh-key-v1, unencrypted; the check integers only need to match each other.
  const check = Buffer.from(seed.subarray(0, 4));
  let priv = Buffer.concat([
    check, check,
    sshString("ssh-ed25519"), sshString(key.publicKey),
    sshString(Buffer.concat([seed, key.publicKey])), sshString(comment),
  ]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"), sshString("none"), sshString("none"), sshString(Buffer.alloc(0)),
    Buffer.from([0, 0, 0, 1]), sshString(pubBlob), sshString(priv),
  ]);
  const b64 = body.toString("base64").match(/.{1,70}/g)!.join("\n");
  return {
    publicKey: `ssh-ed25519 ${pubBlob.toString("base64")} ${comment}`,
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`,
  };
}
