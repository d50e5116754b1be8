// Nebula v1 certificates: encode, sign, parse, verify and fingerprint exactly as nebula does,
// so no one needs nebula-cert on their desktop.
import * as crypto from "crypto";
import { ProtoWriter, readFields, readPackedUint32 } from "./protobuf";
import { formatIpv4, maskToPrefix, parseCidr, prefixToMask } from "./ipv4";
import { PEM, decodePem, encodePem } from "./pem";
import { Ed25519KeyPair, ed25519Sign, ed25519Verify, x25519FromSeed } from "./keys";

export interface CertificateDetails {
  name: string;
  /** host addresses with their overlay prefix, "10.87.99.1/16" */
  ips: string[];
  /** unsafe routes this host may serve, "192.168.1.0/24" */
  subnets: string[];
  groups: string[];
  /** unix seconds */
  notBefore: number;
  notAfter: number;
  publicKey: Buffer;
  isCA: boolean;
  /** sha256 of the issuing CA certificate's raw bytes; empty for a CA */
  issuer: Buffer;
}

export interface NebulaCertificate {
  details: CertificateDetails;
  signature: Buffer;
  /** the marshalled RawNebulaCertificate */
  raw: Buffer;
}

function cidrPairs(cidrs: string[], requireNetwork: boolean): number[] {
  const out: number[] = [];
  for (const text of cidrs) {
    const [ipText, prefixText] = text.split("/");
    const parsed = parseCidr(`${ipText}/${prefixText}`, requireNetwork);
    if (typeof parsed === "string") throw new Error(`certificate address ${text}: ${parsed}`);
    const ip = requireNetwork ? parsed.network : (parseCidr(`${ipText}/32`) as { network: number }).network;
    out.push(ip, prefixToMask(parsed.prefix));
  }
  return out;
}

function pairsToCidrs(values: number[]): string[] {
  if (values.length % 2 !== 0) throw new Error("certificate: odd number of ip/mask values");
  const out: string[] = [];
  for (let i = 0; i < values.length; i += 2) out.push(`${formatIpv4(values[i])}/${maskToPrefix(values[i + 1])}`);
  return out;
}

export function marshalDetails(d: CertificateDetails): Buffer {
  return new ProtoWriter()
    .string(1, d.name)
    .packedUint32(2, cidrPairs(d.ips, false))
    .packedUint32(3, cidrPairs(d.subnets, true))
    .repeatedString(4, d.groups)
    .int64(5, d.notBefore)
    .int64(6, d.notAfter)
    .bytes(7, d.publicKey)
    .bool(8, d.isCA)
    .bytes(9, d.issuer)
    .finish();
}

function marshalRaw(details: Buffer, signature: Buffer): Buffer {
  return new ProtoWriter().bytes(1, details).bytes(2, signature).finish();
}

export function signCertificate(details: CertificateDetails, signer: Ed25519KeyPair): NebulaCertificate {
  const detailBytes = marshalDetails(details);
  const signature = ed25519Sign(signer, detailBytes);
  return { details, signature, raw: marshalRaw(detailBytes, signature) };
}

export function fingerprint(cert: NebulaCertificate): string {
  return crypto.createHash("sha256").update(cert.raw).digest("hex");
}

export function certificateToPem(cert: NebulaCertificate): string {
  return encodePem(PEM.certificate, cert.raw);
}

export function parseCertificate(raw: Buffer): NebulaCertificate {
  const top = readFields(raw);
  const detailBytes = top.find((f) => f.field === 1)?.data;
  const signature = top.find((f) => f.field === 2)?.data;
  if (!detailBytes) throw new Error("certificate: no details");
  if (!signature) throw new Error("certificate: no signature");
  const d: CertificateDetails = {
    name: "", ips: [], subnets: [], groups: [], notBefore: 0, notAfter: 0,
    publicKey: Buffer.alloc(0), isCA: false, issuer: Buffer.alloc(0),
  };
  const ips: number[] = [];
  const subnets: number[] = [];
  for (const f of readFields(detailBytes)) {
    switch (f.field) {
      case 1: d.name = f.data!.toString("utf8"); break;
      case 2: ips.push(...readPackedUint32(f.data!)); break;
      case 3: subnets.push(...readPackedUint32(f.data!)); break;
      case 4: d.groups.push(f.data!.toString("utf8")); break;
      case 5: d.notBefore = Number(BigInt.asIntN(64, f.int!)); break;
      case 6: d.notAfter = Number(BigInt.asIntN(64, f.int!)); break;
      case 7: d.publicKey = Buffer.from(f.data!); break;
      case 8: d.isCA = f.int! !== 0n; break;
      case 9: d.issuer = Buffer.from(f.data!); break;
      default: break; // unknown fields are ignored, as nebula's proto decoder does
    }
  }
  d.ips = pairsToCidrs(ips);
  d.subnets = pairsToCidrs(subnets);
  // Re-marshal like nebula, so the fingerprint matches what nebula computes.
  const canonical = marshalRaw(marshalDetails(d), Buffer.from(signature));
  return { details: d, signature: Buffer.from(signature), raw: canonical };
}

export function parseCertificatePem(pem: string): NebulaCertificate {
  return parseCertificate(decodePem(pem, PEM.certificate));
}

/** Why `cert` is not valid under `ca` at `now` (unix s), or undefined when it is. */
export function verifyCertificate(cert: NebulaCertificate, ca: NebulaCertificate, now: number): string | undefined {
  if (!ca.details.isCA) return "issuer is not a CA certificate";
  if (!cert.details.issuer.equals(Buffer.from(fingerprint(ca), "hex"))) return "certificate was not issued by this CA";
  if (!ed25519Verify(ca.details.publicKey, marshalDetails(cert.details), cert.signature)) {
    return "certificate signature did not match";
  }
  if (now < cert.details.notBefore) return "certificate is not valid yet";
  if (now > cert.details.notAfter) return "certificate has expired";
  if (cert.details.notBefore < ca.details.notBefore || cert.details.notAfter > ca.details.notAfter) {
    return "certificate validity lies outside the CA's";
  }
  for (const g of cert.details.groups) {
    if (ca.details.groups.length > 0 && !ca.details.groups.includes(g)) return `group ${g} is not allowed by the CA`;
  }
  return undefined;
}

export interface CaSpec {
  name: string;
  notBefore: number;
  notAfter: number;
  groups?: string[];
}

export function makeCaCertificate(spec: CaSpec, key: Ed25519KeyPair): NebulaCertificate {
  return signCertificate(
    {
      name: spec.name, ips: [], subnets: [], groups: spec.groups ?? [],
      notBefore: spec.notBefore, notAfter: spec.notAfter,
      publicKey: key.publicKey, isCA: true, issuer: Buffer.alloc(0),
    },
    key,
  );
}

export interface HostSpec {
  name: string;
  /** "10.87.99.1/16" */
  ip: string;
  groups: string[];
  subnets?: string[];
  notBefore: number;
  notAfter: number;
}

export interface IssuedHost {
  cert: NebulaCertificate;
  certPem: string;
  keyPem: string;
}

/** Signs a host certificate for an X25519 key derived from `keySeed`; validity is clamped inside the CA's. */
export function issueHostCertificate(spec: HostSpec, keySeed: Buffer, ca: NebulaCertificate, caKey: Ed25519KeyPair): IssuedHost {
  const key = x25519FromSeed(keySeed);
  const cert = signCertificate(
    {
      name: spec.name, ips: [spec.ip], subnets: spec.subnets ?? [], groups: spec.groups,
      notBefore: Math.max(spec.notBefore, ca.details.notBefore),
      notAfter: Math.min(spec.notAfter, ca.details.notAfter),
      publicKey: key.publicKey, isCA: false, issuer: Buffer.from(fingerprint(ca), "hex"),
    },
    caKey,
  );
  return { cert, certPem: certificateToPem(cert), keyPem: encodePem(PEM.x25519Private, key.privateKey) };
}

export function caKeyToPem(key: Ed25519KeyPair): string {
  return encodePem(PEM.ed25519Private, Buffer.concat([key.seed, key.publicKey]));
}
