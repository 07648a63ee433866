import type { LatencySummary } from './latency';

/** Milliseconds with a precision that suits their size. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return value.toFixed(0);
}

export function int(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${Math.round(fraction * 100)}%` : '–';
}

/** Above this share of a core used by other processes, a step's tail latencies say more about them. */
export const BUSY_OTHER_CPU = 0.5;

/** The Other CPU cell, flagged when the machine was busy enough to bend the tails. */
export function otherCpu(fraction: number): string {
  return fraction > BUSY_OTHER_CPU ? `${percent(fraction)} (busy)` : percent(fraction);
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function latencyCells(summary: LatencySummary): string[] {
  return [ms(summary.p50), ms(summary.p95), ms(summary.p99), ms(summary.max)];
}

/** A GitHub-flavoured markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** What a scenario hands the report: its markdown section. */
export interface ScenarioReport {
  title: string;
  markdown: string;
}
