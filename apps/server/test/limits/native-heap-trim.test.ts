import { describe, expect, it } from 'vitest';
import { loadNativeHeapTrim } from '../../src/limits/native-heap-trim';

/** glibc's version when this process runs on glibc (Node's own report says so). */
function glibcVersion(): string | undefined {
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return report.header?.glibcVersionRuntime;
}

describe('native heap trim', () => {
  it('reaches malloc_trim on glibc, and says why not elsewhere', async () => {
    const loaded = await loadNativeHeapTrim();
    if (glibcVersion() === undefined) {
      expect(loaded).toMatchObject({ unavailable: expect.any(String) });
      return;
    }
    expect('trim' in loaded).toBe(true);
    if (!('trim' in loaded)) return;
    // Freed chunks below live ones: what a trim gives back. It must return and leave the heap usable.
    const kept: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) {
      const chunk = Buffer.allocUnsafeSlow(512);
      if (i % 2 === 0) kept.push(chunk);
    }
    loaded.trim();
    loaded.trim();
    expect(Buffer.alloc(1024).length).toBe(1024);
    expect(kept).toHaveLength(10_000);
  });
});
