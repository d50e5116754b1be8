// Just enough protobuf (proto3 wire format) for Nebula's v1 certificate messages.
// Nebula fingerprints the re-marshalled bytes, so the writer must produce canonical output:
// fields in number order, zero values omitted, repeated uint32 packed.

export class ProtoWriter {
  private chunks: Buffer[] = [];

  private varint(value: number | bigint): void {
    let v = BigInt(value);
    if (v < 0n) v = BigInt.asUintN(64, v);
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v > 0n);
    this.chunks.push(Buffer.from(bytes));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, value: Buffer | undefined): this {
    if (!value || value.length === 0) return this;
    this.tag(field, 2);
    this.varint(value.length);
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string | undefined): this {
    return this.bytes(field, value ? Buffer.from(value, "utf8") : undefined);
  }

  repeatedString(field: number, values: readonly string[]): this {
    // Unlike bytes(), an empty string inside a repeated field is still written.
    for (const v of values) {
      const b = Buffer.from(v, "utf8");
      this.tag(field, 2);
      this.varint(b.length);
      this.chunks.push(b);
    }
    return this;
  }

  packedUint32(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v >>> 0);
    return this.bytes(field, inner.finish());
  }

  int64(field: number, value: number): this {
    if (value === 0) return this;
    this.tag(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  bool(field: number, value: boolean): this {
    if (!value) return this;
    this.tag(field, 0);
    this.varint(1);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export interface ProtoField {
  field: number;
  wireType: number;
  /** varint value (wire type 0) */
  int?: bigint;
  /** length-delimited payload (wire type 2) */
  data?: Buffer;
}

/** Splits a message into its fields, in the order they appear. */
export function readFields(buf: Buffer): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new Error("protobuf: truncated varint");
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error("protobuf: varint too long");
    }
  };
  while (pos < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) {
      fields.push({ field, wireType, int: readVarint() });
    } else if (wireType === 2) {
      const len = Number(readVarint());
      if (pos + len > buf.length) throw new Error("protobuf: truncated field");
      fields.push({ field, wireType, data: buf.subarray(pos, pos + len) });
      pos += len;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

export function readPackedUint32(buf: Buffer): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= buf.length) throw new Error("protobuf: truncated packed varint");
      const byte = buf[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
    }
    out.push(result >>> 0);
  }
  return out;
}
