import { renderSvgChart, type ChartPanel, type ChartSeries } from './chart-svg';
import { int, ms, otherCpu, percent, table } from './format';
import { SATURATION_P99_MS, type SaturationOutcome, type SaturationStep } from './saturation-search';

/** Issue 13's targets: deliveries/s at saturation against the bare ceiling, and p99 at half that rate. */
export const TARGET_RATIO = 0.5;
export const TARGET_HALF_P99_MS = 10;

export interface SaturationRun {
  /** `dm` or `group of 10`. */
  load: string;
  server: string;
  outcome: SaturationOutcome;
}

/** Server CPU per delivered `message` frame (own copies included), in µs: all its work, ack and storage included. */
export function serverUsPerDelivery(step: SaturationStep): number {
  const frames = step.result.counts.delivered;
  return frames === 0 ? Number.NaN : (step.serverSeconds / frames) * 1e6;
}

/** Why the saturation figure may not be the server's: the generator limited it, or no step reached the bound. */
export function saturationNote(outcome: SaturationOutcome): string {
  const { saturating, steps, capped } = outcome;
  if (!saturating) return 'no step within the bound';
  // The step that bounded the search: the lowest offered rate past the bound above the saturating one.
  const next = steps
    .filter((step) => step.overBound && step.result.offeredRate > saturating.result.offeredRate)
    .sort((a, b) => a.result.offeredRate - b.result.offeredRate)[0];
  const notes: string[] = [];
  if (saturating.generatorBound || (next?.overBound && next.generatorBound)) notes.push('generator-bound');
  if (capped) notes.push(`not saturated in ${steps.length} steps: a floor`);
  else if (next?.overBound) notes.push(`next step: ${next.overBound}`);
  return notes.join('; ');
}

function mark(met: boolean): string {
  return met ? 'met' : '**not met**';
}

/** The ratio to the bare server's figure for the same load, or NaN without one. */
export function ratioToBare(run: SaturationRun, runs: SaturationRun[]): number {
  const bare = runs.find((other) => other.load === run.load && other.server === 'bare ws');
  const own = run.outcome.saturating?.result.deliveredPerSec ?? Number.NaN;
  const ceiling = bare?.outcome.saturating?.result.deliveredPerSec ?? Number.NaN;
  return own / ceiling;
}

/**
 * Bare µs per delivery ÷ this server's, both at this server's saturating
 * offered rate (the lockstep measured both there, or the bare step nearest it): what the throughput ratio
 * would be if each server had a core to itself. CPU time per unit of work
 * moves much less with a shared machine's background load than the tails do.
 */
export function costRatioToBare(run: SaturationRun, runs: SaturationRun[]): number {
  const saturating = run.outcome.saturating;
  const bare = runs.find((other) => other.load === run.load && other.server === 'bare ws');
  if (!saturating || !bare) return Number.NaN;
  // A chat search that stepped down has rates the bare one never ran: the nearest (by ratio) stands in.
  const distance = (step: SaturationStep) =>
    Math.abs(Math.log(step.result.offeredRate / saturating.result.offeredRate));
  const nearest = bare.outcome.steps
    .filter((step) => !step.repeated)
    .sort((a, b) => distance(a) - distance(b))[0];
  return nearest ? serverUsPerDelivery(nearest) / serverUsPerDelivery(saturating) : Number.NaN;
}

function costRatio(run: SaturationRun, runs: SaturationRun[]): string {
  const ratio = costRatioToBare(run, runs);
  return Number.isFinite(ratio) ? ratio.toFixed(2) : '–';
}

export function summaryTable(runs: SaturationRun[]): string {
  return table(
    [
      'Load',
      'Server',
      'Deliveries/s at saturation',
      'Msgs in/s',
      `Ratio to bare ws (≥ ${TARGET_RATIO})`,
      `p99 at half rate (< ${TARGET_HALF_P99_MS} ms)`,
      'Server µs / delivery',
      'CPU cost ratio to bare ws',
      'Server CPU',
      'Bench CPU',
      'Note',
    ],
    runs.map((run) => {
      const { saturating, half } = run.outcome;
      const ratio = ratioToBare(run, runs);
      const isBare = run.server === 'bare ws';
      const halfP99 = half?.result.endToEnd.p99 ?? Number.NaN;
      return [
        run.load,
        run.server,
        int(saturating?.result.deliveredPerSec ?? Number.NaN),
        int(saturating?.result.sendRate ?? Number.NaN),
        isBare
          ? 'ceiling'
          : Number.isFinite(ratio)
            ? `${ratio.toFixed(2)} ${mark(ratio >= TARGET_RATIO)}`
            : '–',
        half
          ? `${ms(halfP99)} ms at ${int(half.result.offeredRate)} msg/s${isBare ? '' : ` ${mark(halfP99 < TARGET_HALF_P99_MS)}`}`
          : '–',
        saturating ? serverUsPerDelivery(saturating).toFixed(1) : '–',
        isBare ? '1' : costRatio(run, runs),
        saturating ? percent(saturating.serverCpu) : '–',
        saturating ? percent(saturating.result.cpu.bench) : '–',
        saturationNote(run.outcome),
      ];
    }),
  );
}

export function stepsTable(runs: SaturationRun[]): string {
  const rows: string[][] = [];
  for (const run of runs) {
    const { steps, saturating, half } = run.outcome;
    for (const step of steps) {
      const { result } = step;
      const role = step === saturating ? 'saturation' : step === half ? 'half rate' : '';
      rows.push([
        run.load,
        run.server,
        int(result.offeredRate),
        int(step.offeredDeliveries),
        int(result.sendRate),
        int(result.deliveredPerSec),
        ms(result.endToEnd.p50),
        ms(result.endToEnd.p99),
        ms(result.ack.p99),
        percent(step.serverCpu),
        serverUsPerDelivery(step).toFixed(1),
        `${percent(result.cpu.bench)}${step.generatorBound ? ' (generator-bound)' : ''}`,
        ms(step.generatorLoopP99Ms),
        otherCpu(step.otherCpu),
        [step.overBound ?? 'in bound', step.repeated ? 'repeated' : '', role].filter(Boolean).join(', '),
      ]);
    }
  }
  return table(
    [
      'Load',
      'Server',
      'Offered msg/s',
      'Offered deliveries/s',
      'Sent msg/s',
      'Delivered/s',
      'p50 ms',
      'p99 ms',
      'ack p99 ms',
      'Server CPU',
      'Server µs / delivery',
      'Bench CPU',
      'Bench loop p99 ms',
      'Other CPU',
      'Step',
    ],
    rows,
  );
}

export function printStep(load: string, server: string, step: SaturationStep): void {
  const { result } = step;
  console.log(
    `  ${load} ${server} @ ${int(result.offeredRate)} msg/s (${int(step.offeredDeliveries)} deliveries/s offered): ` +
      `sent ${int(result.sendRate)}/s, delivered ${int(result.deliveredPerSec)}/s, p50 ${ms(result.endToEnd.p50)} ` +
      `p99 ${ms(result.endToEnd.p99)} ms, ack p99 ${ms(result.ack.p99)} ms; server ${percent(step.serverCpu)} ` +
      `${serverUsPerDelivery(step).toFixed(1)} µs/delivery, bench ${percent(result.cpu.bench)} loop p99 ${ms(step.generatorLoopP99Ms)} ms, ` +
      `other ${percent(step.otherCpu)}; ${step.overBound ?? 'in bound'}${step.generatorBound ? ' (generator-bound)' : ''}` +
      `${step.repeated ? ', repeating' : ''}`,
  );
}

/** Delivered = offered, the line a server in bound follows. */
function offeredReference(runs: SaturationRun[]): ChartSeries {
  const offered = runs.flatMap((run) => run.outcome.steps.map((step) => step.offeredDeliveries));
  return {
    name: 'offered',
    reference: true,
    // Many points: on a log x axis against a linear y, delivered = offered is a curve.
    points: Array.from({ length: 41 }, (_, index) => {
      const x = Math.min(...offered) * (Math.max(...offered) / Math.min(...offered)) ** (index / 40);
      return { x, y: x };
    }),
  };
}

/** The steps a chart draws: a repeated step's repeat stands for it. */
function charted(run: SaturationRun): SaturationStep[] {
  return run.outcome.steps.filter((step) => !step.repeated);
}

/** Deliveries/s and p99 against offered deliveries/s, one panel pair per load, one line per server. */
export function saturationChart(runs: SaturationRun[]): string {
  const loads = [...new Set(runs.map((run) => run.load))];
  const panels: ChartPanel[] = [];
  for (const load of loads) {
    const ofLoad = runs.filter((run) => run.load === load);
    panels.push(
      {
        title: `${load}: deliveries/s`,
        xLabel: 'offered deliveries/s',
        yLabel: 'delivered/s',
        xLog: true,
        series: [
          offeredReference(ofLoad),
          ...ofLoad.map((run) => ({
            name: run.server,
            points: charted(run).map((step) => ({
              x: step.offeredDeliveries,
              y: step.result.deliveredPerSec,
            })),
          })),
        ],
      },
      {
        title: `${load}: p99 delivery latency`,
        xLabel: 'offered deliveries/s',
        yLabel: 'p99 ms (log)',
        xLog: true,
        yLog: true,
        guides: [
          { y: SATURATION_P99_MS, label: `saturation bound ${SATURATION_P99_MS} ms` },
          { y: TARGET_HALF_P99_MS, label: `target at half rate ${TARGET_HALF_P99_MS} ms` },
        ],
        series: ofLoad.map((run) => ({
          name: run.server,
          points: charted(run).map((step) => ({
            x: step.offeredDeliveries,
            y: step.result.endToEnd.p99,
          })),
        })),
      },
    );
  }
  return renderSvgChart('Saturation: the chat server against the bare ws ceiling (same run)', panels);
}
