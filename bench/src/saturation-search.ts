import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FanOutLoad, FanOutResult } from './fan-out-load';
import { sleep } from './pacing';
import { readCpuSeconds } from './proc-stats';

/** Past this p99 (delivery or ack) a step is saturated: the queue, not the work, sets the latency. */
export const SATURATION_P99_MS = 100;
/** A step that delivered less than this share of what it offered fell behind. */
const DELIVERED_SHARE = 0.9;
/** The generator is the bottleneck when it sends less than this share of the offered rate... */
const GENERATOR_SEND_SHARE = 0.95;
/**
 * ...or uses this much of a core itself: its one event loop then queues the
 * frames it reads, and that wait shows in the latencies it records.
 */
const GENERATOR_CPU = 0.8;
/** When the first step is already past the bound, step the rate down at most this many times. */
const STEP_DOWNS = 4;

/** One measured step of a saturation search. */
export interface SaturationStep {
  result: FanOutResult;
  /** Deliveries per second the step offered: messages × members (the sender's own copy included). */
  offeredDeliveries: number;
  /** Server CPU seconds over the step, all server processes together, and as a fraction of one core. */
  serverSeconds: number;
  serverCpu: number;
  /** Other processes' share of a core (PostgreSQL and Redis included), the server processes left out. */
  otherCpu: number;
  /** Why the step is past the bound, or null when it stayed under it. */
  overBound: string | null;
  /** The load generator, not the server, limited the step. */
  generatorBound: boolean;
  /** The generator's own event-loop delay p99 over the step, ms: its share of the latencies. */
  generatorLoopP99Ms: number;
  /** Past the bound on latency alone, so measured again at the same rate: the repeat's verdict counts. */
  repeated: boolean;
  /** Past the bound on latency alone (a shared machine's stall can do that to one step). */
  latencyOnly: boolean;
}

export interface SaturationOutcome {
  steps: SaturationStep[];
  /** The in-bound step with the most deliveries per second (null: none stayed in bound). */
  saturating: SaturationStep | null;
  /** The step at half the saturating step's offered rate. */
  half: SaturationStep | null;
  /** The search hit its step cap with every step in bound: the figure is a floor, not the saturation. */
  capped: boolean;
}

export interface SaturationPlan {
  /** First offered rate, messages/s over all sockets. */
  startRate: number;
  /** Each next step offers this many times the previous. */
  factor: number;
  /**
   * Once a climb ends, the bracket between the highest in-bound rate and the
   * lowest rate past the bound is halved (geometrically) until it is at most
   * this factor wide; at or above `factor`, no narrowing.
   */
  refine: number;
  stepSec: number;
  maxSteps: number;
  /** Members per conversation (a message's deliveries, own copy included). */
  groupSize: number;
  /** Every server process, for the CPU figures. */
  serverPids: readonly number[];
}

/** What one step needs of a plan: its length, the load's group size, the processes to meter. */
export type StepPlan = Pick<SaturationPlan, 'stepSec' | 'groupSize' | 'serverPids'>;

/** A server is idle again when it uses less than this share of a core... */
const IDLE_CPU = 0.05;
/** ...over a window this long; a server still busy after the longest wait is measured anyway. */
const IDLE_WINDOW_MS = 250;
const IDLE_WAIT_MAX_MS = 20_000;

/**
 * Waits until every server process is idle: an overloaded step leaves a
 * backlog that the server works off after the load stops, and the next step
 * (on another server, measured back to back) must not share the machine with it.
 */
export async function settle(pids: readonly number[]): Promise<void> {
  const giveUpAt = performance.now() + IDLE_WAIT_MAX_MS;
  while (performance.now() < giveUpAt) {
    const before = serverCpuSeconds(pids);
    await sleep(IDLE_WINDOW_MS);
    const used = serverCpuSeconds(pids) - before;
    if (used / (IDLE_WINDOW_MS / 1000) < IDLE_CPU) return;
  }
}

function serverCpuSeconds(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += readCpuSeconds(pid);
  return total;
}

/** Runs one step and judges it against the saturation bound. */
export async function measureStep(
  load: FanOutLoad,
  offeredRate: number,
  plan: StepPlan,
  connections: number,
): Promise<SaturationStep> {
  const cpuBefore = serverCpuSeconds(plan.serverPids);
  const started = performance.now();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const result = await load.run(offeredRate / connections, plan.stepSec);
  loopDelay.disable();
  const wallSec = (performance.now() - started) / 1000;
  const serverSeconds = serverCpuSeconds(plan.serverPids) - cpuBefore;
  // The load's own meter counts the first server process only; the others are moved out of "other".
  const otherCpu = Math.max(0, result.cpu.other - (serverSeconds - result.cpu.serverSeconds) / wallSec);
  const offeredDeliveries = result.offeredRate * plan.groupSize;
  const lost = result.counts.lostAcks + result.counts.lostDeliveries;
  let overBound: string | null = null;
  let latencyOnly = false;
  if (lost > 0) overBound = `${lost} lost`;
  else if (result.deliveredPerSec < DELIVERED_SHARE * offeredDeliveries) overBound = 'delivered < 90%';
  else if (result.endToEnd.p99 > SATURATION_P99_MS || result.ack.p99 > SATURATION_P99_MS) {
    overBound =
      result.endToEnd.p99 > SATURATION_P99_MS
        ? `p99 > ${SATURATION_P99_MS} ms`
        : `ack p99 > ${SATURATION_P99_MS} ms`;
    latencyOnly = true;
  }
  const generatorBound =
    result.sendRate < GENERATOR_SEND_SHARE * result.offeredRate || result.cpu.bench >= GENERATOR_CPU;
  return {
    result,
    offeredDeliveries,
    serverSeconds,
    serverCpu: serverSeconds / wallSec,
    otherCpu,
    overBound,
    generatorBound,
    generatorLoopP99Ms: loopDelay.percentile(99) / 1e6,
    repeated: false,
    latencyOnly,
  };
}

type Phase = 'finding' | 'climbing' | 'narrowing' | 'half' | 'done';

/**
 * The search of one server's saturation, one step at a time, so the caller can
 * step several servers in lockstep (each rate measured on every server back to
 * back, under the same background load). Open-loop steps, the offered rate
 * multiplied by `factor` each time, until a step passes the bound (delivery or
 * ack p99 over 100 ms, under 90% delivered, anything lost); a step past it on
 * latency alone is repeated once and the repeat decides. A first step already
 * past the bound steps down instead. Then the bracket between the last rate in
 * bound and the first past it is narrowed by its geometric midpoint until it is
 * `refine` wide: with ×1.5 steps alone, a server at 0.6 of the next step's rate
 * and one at 0.99 of it would show the same figure. The saturation figure is the
 * best in-bound step's deliveries/s; then one step at half that step's offered
 * rate, for its p99.
 */
export class SaturationSearch {
  readonly steps: SaturationStep[] = [];
  private phase: Phase = 'finding';
  private rate: number;
  private stepDowns = 0;
  /** The lowest rate known to be past the bound: climbing back to it would measure it again. */
  private failedRate = Infinity;
  /** The highest rate known to be within the bound. */
  private passedRate = 0;
  private repeatNext = false;
  private capped = false;
  private half: SaturationStep | null = null;

  constructor(private readonly plan: SaturationPlan) {
    this.rate = plan.startRate;
  }

  /** The offered rate (msg/s) of the next step, or null when the search is over. */
  get nextRate(): number | null {
    return this.phase === 'done' ? null : this.rate;
  }

  /** Takes the step just measured at `nextRate` and decides the next one. */
  record(step: SaturationStep): void {
    this.steps.push(step);
    if (this.phase === 'half') {
      this.half = step;
      this.phase = 'done';
      return;
    }
    // Other work on a shared machine can stall one step past the latency bound.
    if (step.latencyOnly && !this.repeatNext) {
      step.repeated = true;
      this.repeatNext = true;
      return;
    }
    this.repeatNext = false;
    if (step.overBound) {
      this.failedRate = Math.min(this.failedRate, this.rate);
      if (this.phase === 'finding' && this.stepDowns < STEP_DOWNS) {
        this.stepDowns++;
        this.rate /= this.plan.factor;
      } else this.narrowOrFinish();
      return;
    }
    this.passedRate = Math.max(this.passedRate, this.rate);
    if (this.phase === 'narrowing') this.narrowOrFinish();
    else if (this.rate * this.plan.factor >= this.failedRate * 0.99) this.narrowOrFinish();
    else if (this.steps.length >= this.plan.maxSteps) {
      this.capped = true;
      this.startHalf();
    } else {
      this.phase = 'climbing';
      this.rate *= this.plan.factor;
    }
  }

  /** The in-bound step with the most deliveries per second. */
  get saturating(): SaturationStep | null {
    let best: SaturationStep | null = null;
    for (const step of this.steps) {
      if (step.overBound || step === this.half) continue;
      if (!best || step.result.deliveredPerSec > best.result.deliveredPerSec) best = step;
    }
    return best;
  }

  get outcome(): SaturationOutcome {
    return { steps: this.steps, saturating: this.saturating, half: this.half, capped: this.capped };
  }

  /** Measures the bracket's geometric midpoint while it is wider than `refine`, then the half-rate step. */
  private narrowOrFinish(): void {
    if (this.passedRate > 0 && this.failedRate / this.passedRate > this.plan.refine * 1.001) {
      this.phase = 'narrowing';
      this.rate = Math.sqrt(this.passedRate * this.failedRate);
    } else this.startHalf();
  }

  private startHalf(): void {
    const saturating = this.saturating;
    if (!saturating) {
      this.phase = 'done';
      return;
    }
    this.phase = 'half';
    this.rate = saturating.result.offeredRate / 2;
  }
}
