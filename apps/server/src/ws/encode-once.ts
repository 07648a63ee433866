/** The last frame text encoded, and its bytes. */
let lastText: string | null = null;
let lastBytes: Buffer | null = null;

/**
 * The UTF-8 bytes of a frame, encoded once however many sockets it goes to. A
 * broadcast hands the same string to each recipient in turn; given a string,
 * ws would measure and encode it again for every socket (issue 13: a group of
 * 1,000 made 1,000 copies of each message). One entry is enough because the
 * recipients of one frame are served one after another.
 */
export function encodeOnce(text: string): Buffer {
  if (text !== lastText) {
    lastText = text;
    lastBytes = Buffer.from(text, 'utf8');
  }
  return lastBytes as Buffer;
}
