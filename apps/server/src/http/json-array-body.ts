/**
 * The body `{"<key>":[<json>,<json>,...]}` from JSON the storage built as UTF-8
 * bytes, copied once into one Buffer.
 *
 * A listing of 200 conversations is ~240 KB (issue 13). Joined as a string, it was
 * copied into V8's large-object space, where every request maps fresh pages, then
 * measured and encoded again by the socket write; encoding the conversations'
 * texts one by one still cost ~0.9 ms a listing on the bench machine, about as
 * much as the database's statement, so the storage hands over bytes.
 * `key` is a plain property name (no escaping needed).
 */
const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

export function jsonArrayBody(key: string, jsons: readonly Uint8Array[]): Buffer {
  const pieces: Uint8Array[] = [Buffer.from(`{"${key}":[`)];
  jsons.forEach((json, index) => {
    if (index > 0) pieces.push(COMMA);
    pieces.push(json);
  });
  pieces.push(TAIL);
  return Buffer.concat(pieces);
}
