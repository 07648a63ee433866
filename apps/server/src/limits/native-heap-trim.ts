/**
 * Gives the C heap's free pages back to the OS: glibc's `malloc_trim(0)`,
 * called through koffi (a foreign-function interface with prebuilt binaries).
 *
 * Why: a connect storm makes and frees native objects by the thousand (each
 * handshake's HTTP parser and buffers, each socket's libuv handle), and glibc
 * keeps a freed chunk in its arena when a live one sits above it. Once the
 * storm is over, most of the main arena is free yet resident: with 19,000
 * idle sockets, 48 MiB free of 78 MiB. Only `malloc_trim` gives back pages
 * inside the arena rather than at its top; a probe that called it from gdb
 * took the server's RSS from 304 to 262 MiB (2.2 KiB per socket;
 * docs/benchmarks.md). JavaScript has no way to call it, hence the FFI.
 *
 * Resolves to why not where there is nothing to call (not glibc, or koffi
 * has no binary for this platform).
 */
export async function loadNativeHeapTrim(): Promise<{ trim: () => void } | { unavailable: string }> {
  try {
    const koffi = await import('koffi');
    // The process's own symbols: glibc's malloc_trim, wherever libc was loaded from.
    const mallocTrim = koffi.load(null).func('int malloc_trim(size_t pad)') as (pad: number) => number;
    return { trim: () => void mallocTrim(0) };
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}
