/**
 * A minimal, bounds-checked reader for the TFLite flatbuffer (tensorflow/lite/schema/schema.fbs,
 * file identifier "TFL3"), covering only what the importer needs. Field ids below are the
 * schema's declaration order (vtable slot = 4 + 2·id, flatbuffers "Internals" doc):
 *   Model:          0 version, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers
 *   OperatorCode:   0 deprecated_builtin_code (byte), 1 custom_code, 2 version, 3 builtin_code (int)
 *   SubGraph:       0 tensors, 1 inputs, 2 outputs, 3 operators, 4 name
 *   Tensor:         0 shape, 1 type, 2 buffer, 3 name, 4 quantization, 5 is_variable, 6 sparsity, 7 shape_signature
 *   Operator:       0 opcode_index, 1 inputs, 2 outputs, 3 builtin_options_type, 4 builtin_options
 *   Buffer:         0 data, 1 offset, 2 size (offset/size: data stored after the flatbuffer, > 2 GB models)
 *   QuantizationParameters: 0 min, 1 max, 2 scale, 3 zero_point, 6 quantized_dimension
 * Every read is checked against the file length, so a truncated or corrupt file fails with a clear
 * error instead of reading garbage.
 */
import { ByteBuffer } from 'flatbuffers';

export class CorruptFlatbuffer extends Error {}

export class FbTable {
  constructor(private readonly bb: ByteBuffer, readonly pos: number) {}

  private check(pos: number, bytes: number): void {
    if (pos < 0 || pos + bytes > this.bb.capacity()) throw new CorruptFlatbuffer(`offset ${pos} is outside the file (${this.bb.capacity()} bytes)`);
  }

  /** Offset of field `id` inside this table, 0 when absent. */
  private field(id: number): number {
    this.check(this.pos, 4);
    const vtable = this.pos - this.bb.readInt32(this.pos);
    this.check(vtable, 4);
    const vtSize = this.bb.readInt16(vtable);
    const slot = 4 + 2 * id;
    if (slot >= vtSize) return 0;
    this.check(vtable + slot, 2);
    return this.bb.readInt16(vtable + slot);
  }

  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  int(id: number, dflt = 0, width: 1 | 4 = 4): number {
    const o = this.field(id);
    if (!o) return dflt;
    this.check(this.pos + o, width);
    return width === 1 ? this.bb.readInt8(this.pos + o) : this.bb.readInt32(this.pos + o);
  }

  uint8(id: number, dflt = 0): number {
    const o = this.field(id);
    if (!o) return dflt;
    this.check(this.pos + o, 1);
    return this.bb.readUint8(this.pos + o);
  }

  float(id: number, dflt = 0): number {
    const o = this.field(id);
    if (!o) return dflt;
    this.check(this.pos + o, 4);
    return this.bb.readFloat32(this.pos + o);
  }

  uint64(id: number): number {
    const o = this.field(id);
    if (!o) return 0;
    this.check(this.pos + o, 8);
    return Number(this.bb.readUint64(this.pos + o));
  }

  table(id: number): FbTable | undefined {
    const o = this.field(id);
    if (!o) return undefined;
    this.check(this.pos + o, 4);
    const p = this.bb.__indirect(this.pos + o);
    this.check(p, 4);
    return new FbTable(this.bb, p);
  }

  /** [start, length] of a vector field with `elem`-byte elements, or undefined. */
  private vector(id: number, elem: number): [number, number] | undefined {
    const o = this.field(id);
    if (!o) return undefined;
    this.check(this.pos + o, 4);
    const at = this.pos + o + this.bb.readInt32(this.pos + o);
    this.check(at, 4);
    const len = this.bb.readInt32(at);
    if (len < 0) throw new CorruptFlatbuffer(`negative vector length at ${at}`);
    this.check(at + 4, len * elem);
    return [at + 4, len];
  }

  ints(id: number): number[] {
    const v = this.vector(id, 4);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v[1]; i++) out.push(this.bb.readInt32(v[0] + 4 * i));
    return out;
  }

  floats(id: number): number[] {
    const v = this.vector(id, 4);
    if (!v) return [];
    const out: number[] = [];
    for (let i = 0; i < v[1]; i++) out.push(this.bb.readFloat32(v[0] + 4 * i));
    return out;
  }

  bytes(id: number): Uint8Array | undefined {
    const v = this.vector(id, 1);
    return v ? this.bb.bytes().subarray(v[0], v[0] + v[1]) : undefined;
  }

  string(id: number): string | undefined {
    const b = this.bytes(id);
    return b ? new TextDecoder().decode(b) : undefined;
  }

  tables(id: number): FbTable[] {
    const v = this.vector(id, 4);
    if (!v) return [];
    const out: FbTable[] = [];
    for (let i = 0; i < v[1]; i++) {
      const p = v[0] + 4 * i;
      const t = p + this.bb.readInt32(p);
      this.check(t, 4);
      out.push(new FbTable(this.bb, t));
    }
    return out;
  }
}

/** The root Model table, after checking the size and the "TFL3" file identifier. */
export function readTfliteRoot(bytes: Uint8Array): FbTable {
  if (bytes.length < 8) throw new CorruptFlatbuffer(`only ${bytes.length} bytes`);
  const ident = String.fromCharCode(...bytes.subarray(4, 8));
  if (ident !== 'TFL3') throw new CorruptFlatbuffer(`file identifier is '${ident.replace(/[^\x20-\x7e]/g, '?')}', not 'TFL3'`);
  const bb = new ByteBuffer(bytes);
  const root = bb.readInt32(0);
  if (root < 8 || root + 4 > bytes.length) throw new CorruptFlatbuffer(`root offset ${root} is outside the file`);
  return new FbTable(bb, root);
}
