/**
 * A JSON value as pieces to be written one after another: UTF-8 bytes or
 * text, each whole (no character split between two). The conversation list
 * (issue 13) is answered this way, so that the parts a process keeps are
 * written straight into the response body, never copied into a Buffer of
 * each conversation's own first: at 200 conversations those were ~30 slabs of
 * external memory per listing, which V8 answered with scavenges of their own
 * ("external memory pressure" in --trace-gc).
 */
export type JsonPieces = readonly (Buffer | string)[];

/** The value's JSON text. */
export function jsonText(pieces: JsonPieces): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : piece.toString('utf8'))).join('');
}

/** The value's JSON text in UTF-8: how many bytes writing it takes. */
export function byteLength(pieces: JsonPieces): number {
  let size = 0;
  for (const piece of pieces) size += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
  return size;
}

/** Writes the pieces into `target` from `offset`; returns the offset after them. */
export function writePieces(target: Buffer, offset: number, pieces: JsonPieces): number {
  let at = offset;
  for (const piece of pieces)
    at += typeof piece === 'string' ? target.write(piece, at) : piece.copy(target, at);
  return at;
}
