// Byte helpers shared by the git object readers and the packages.tsv parser.

/** `bytes` as a Buffer over the same memory (no copy), for Buffer's native compare/indexOf/toString. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
