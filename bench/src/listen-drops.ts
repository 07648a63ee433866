import { readFileSync } from 'node:fs';

/**
 * The machine's TcpExt ListenOverflows + ListenDrops (/proc/net/netstat): SYNs
 * the kernel dropped because a listener's accept queue was full. A client whose
 * SYN is dropped retries it after 1, 2, 4 s..., so a connect that takes ~3 s or
 * ~7 s is this, not the server's handshake. Machine-wide: read it around a span.
 */
export function readListenDrops(): number {
  const lines = readFileSync('/proc/net/netstat', 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const at = (name: string) => Number(values[names.indexOf(name)] ?? Number.NaN);
  return at('ListenOverflows') + at('ListenDrops');
}
