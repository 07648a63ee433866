import { byteLength, writePieces, type JsonPieces } from '../storage/json-pieces';

/**
 * The body `{"<key>":[<json>,<json>,...]}` from JSON values the storage built
 * (as pieces: the bytes it keeps, the text it read), written once into one
 * Buffer.
 *
 * A listing of 200 conversations is ~240 KB (issue 13). Joined as a string, it was
 * copied into V8's large-object space, where every request maps fresh pages, then
 * measured and encoded again by the socket write; encoding the conversations'
 * texts one by one still cost ~0.9 ms a listing on the bench machine, about as
 * much as the database's statement, so the storage hands over bytes where it
 * has them. `key` is a plain property name (no escaping needed). `allocate`
 * gives the memory to write into (body-slabs.ts).
 */
export function jsonArrayBody(
  key: string,
  values: readonly JsonPieces[],
  allocate: (size: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  const head = `{"${key}":[`;
  let size = head.length + Math.max(0, values.length - 1) + 2;
  for (const value of values) size += byteLength(value);
  const body = allocate(size);
  let at = body.write(head, 0, 'latin1');
  values.forEach((value, index) => {
    if (index > 0) at = body.writeUInt8(0x2c, at); // ,
    at = writePieces(body, at, value);
  });
  body.write(']}', at, 'latin1');
  return body;
}
