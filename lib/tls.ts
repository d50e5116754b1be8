// The farm's TLS CA for MongoDB, built with node-forge from a deterministic source: RSA primes
// come from Node's native primality check over a seeded candidate stream (fast and stable),
// certificates and PKCS#12 bundles from forge with seeded salts and serials.
import * as crypto from "crypto";
import forge from "node-forge";
import { Drbg } from "./drbg";

const SMALL_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97].map(BigInt);

function bigFromBytes(b: Buffer): bigint {
  return BigInt(`0x${b.toString("hex")}`);
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("no modular inverse");
  return ((oldS % m) + m) % m;
}

function prime(drbg: Drbg, bits: number, e: bigint): bigint {
  for (;;) {
    let c = bigFromBytes(drbg.bytes(bits / 8));
    c |= (3n << BigInt(bits - 2)) | 1n; // top two bits set so p*q has the full length
    if (SMALL_PRIMES.some((sp) => c % sp === 0n)) continue;
    if ((c - 1n) % e === 0n) continue;
    if (crypto.checkPrimeSync(c, { checks: 64 })) return c;
  }
}

export function deterministicRsaKey(drbg: Drbg, bits = 2048): forge.pki.rsa.KeyPair {
  const e = 65537n;
  for (;;) {
    const p = prime(drbg, bits / 2, e);
    const q = prime(drbg, bits / 2, e);
    if (p === q) continue;
    const [hi, lo] = p > q ? [p, q] : [q, p];
    const n = hi * lo;
    const phi = (hi - 1n) * (lo - 1n);
    const d = modInverse(e, phi);
    const big = (x: bigint) => new forge.jsbn.BigInteger(x.toString(16), 16);
    const privateKey = forge.pki.setRsaPrivateKey(big(n), big(e), big(d), big(hi), big(lo), big(d % (hi - 1n)), big(d % (lo - 1n)), big(modInverse(lo, hi)));
    const publicKey = forge.pki.setRsaPublicKey(big(n), big(e));
    return { privateKey, publicKey };
  }
}

export interface TlsValidity {
  notBefore: Date;
  notAfter: Date;
}

export interface IssuedTls {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function newCert(drbg: Drbg, publicKey: forge.pki.PublicKey, subjectCn: string, validity: TlsValidity): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  const serial = drbg.bytes(16);
  serial[0] &= 0x7f; // positive
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = validity.notBefore;
  cert.validity.notAfter = validity.notAfter;
  cert.setSubject([{ name: "commonName", value: subjectCn }, { name: "organizationName", value: "oomerfarm" }]);
  return cert;
}

function finish(cert: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey, signer: forge.pki.rsa.PrivateKey): IssuedTls {
  cert.sign(signer, forge.md.sha256.create());
  return { cert, key, certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
}

export function makeTlsCa(seed: Buffer, commonName: string, validity: TlsValidity): IssuedTls {
  const drbg = new Drbg(seed, "tls-ca");
  const keys = deterministicRsaKey(drbg);
  const cert = newCert(drbg, keys.publicKey, commonName, validity);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  return finish(cert, keys.privateKey, keys.privateKey);
}

export interface LeafSpec {
  label: string;
  commonName: string;
  usage: "server" | "client";
  ips?: string[];
  dnsNames?: string[];
}

export function issueTlsLeaf(seed: Buffer, ca: IssuedTls, spec: LeafSpec, validity: TlsValidity): IssuedTls {
  const drbg = new Drbg(seed, `tls-leaf:${spec.label}`);
  const keys = deterministicRsaKey(drbg);
  const cert = newCert(drbg, keys.publicKey, spec.commonName, validity);
  cert.setIssuer(ca.cert.subject.attributes);
  const altNames = [
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: spec.usage === "server", clientAuth: spec.usage === "client" },
    ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
    { name: "authorityKeyIdentifier", keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return finish(cert, keys.privateKey, ca.key);
}

/**
 * PKCS#12 (3DES, SHA-1 MAC: what Deadline's .NET runtime and OpenSSL 3 both open) with salts
 * from the seed instead of forge's global random source, so the bundle is stable across runs.
 */
export function pkcs12Bundle(seed: Buffer, leaf: IssuedTls, ca: IssuedTls, passphrase: string): Buffer {
  const drbg = new Drbg(seed, "pkcs12");
  const random = forge.random as unknown as { getBytesSync: (n: number) => string; getBytes: (n: number) => string };
  const original = { sync: random.getBytesSync, async: random.getBytes };
  random.getBytesSync = (n: number) => drbg.bytes(n).toString("binary");
  random.getBytes = random.getBytesSync;
  try {
    const asn1 = forge.pkcs12.toPkcs12Asn1(leaf.key, [leaf.cert, ca.cert], passphrase, { algorithm: "3des", friendlyName: "deadline-client" });
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
  } finally {
    random.getBytesSync = original.sync;
    random.getBytes = original.async;
  }
}
