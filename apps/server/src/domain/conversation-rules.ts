/** 1:1 conversations are unique per pair: this key is stored with a unique index. */
export function directKey(a: string, b: string): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
