import { describe, expect, it } from 'vitest';
import type { FanOutResult } from '../src/fan-out-load';
import { SaturationSearch, type SaturationPlan, type SaturationStep } from '../src/saturation-search';

const plan: SaturationPlan = {
  startRate: 1000,
  factor: 1.5,
  refine: 1.12,
  stepSec: 3,
  maxSteps: 14,
  groupSize: 2,
  serverPids: [],
};

/** A step at `rate` msg/s that stays in bound when the server can take it. */
function step(rate: number, capacity: number): SaturationStep {
  const inBound = rate <= capacity;
  const delivered = Math.min(rate, capacity) * plan.groupSize;
  return {
    result: { offeredRate: rate, deliveredPerSec: delivered } as FanOutResult,
    offeredDeliveries: rate * plan.groupSize,
    serverSeconds: 0,
    serverCpu: 0,
    otherCpu: 0,
    overBound: inBound ? null : 'delivered < 90%',
    generatorBound: false,
    generatorLoopP99Ms: 0,
    repeated: false,
    latencyOnly: false,
  };
}

/** Runs a search against a server that takes `capacity` msg/s; returns the offered rates in order. */
function search(
  capacity: number,
  options: Partial<SaturationPlan> = {},
): { rates: number[]; outcome: SaturationSearch['outcome'] } {
  const searching = new SaturationSearch({ ...plan, ...options });
  const rates: number[] = [];
  for (let rate = searching.nextRate; rate !== null; rate = searching.nextRate) {
    rates.push(Math.round(rate));
    searching.record(step(rate, capacity));
    expect(rates.length).toBeLessThan(40);
  }
  return { rates, outcome: searching.outcome };
}

describe('SaturationSearch', () => {
  it('climbs by the factor, narrows the last bracket to `refine`, then measures half the best rate', () => {
    const { rates, outcome } = search(4000);
    // 1000 1500 2250 3375 pass, 5063 fails; narrowing: 4134 fails, 3735 passes (4134/3735 < 1.12).
    expect(rates).toEqual([1000, 1500, 2250, 3375, 5063, 4134, 3735, 1868]);
    expect(outcome.saturating?.result.offeredRate).toBeCloseTo(3735, 0);
    expect(outcome.half?.result.offeredRate).toBeCloseTo(3735 / 2, 0);
    expect(outcome.capped).toBe(false);
  });

  it('does not narrow when `refine` is as wide as the factor', () => {
    const { rates } = search(4000, { refine: 1.5 });
    expect(rates).toEqual([1000, 1500, 2250, 3375, 5063, 1688]);
  });

  it('steps down from a first step past the bound, then narrows between the rates it found', () => {
    const { rates, outcome } = search(800);
    // 1000 fails, 667 passes; 816 fails; 738 passes (816/738 < 1.12).
    expect(rates).toEqual([1000, 667, 816, 738, 369]);
    expect(outcome.saturating?.result.offeredRate).toBeCloseTo(738, 0);
  });

  it('repeats a step past the bound on latency alone, and the repeat decides', () => {
    const searching = new SaturationSearch({ ...plan, refine: 1.5 });
    const stalled = { ...step(1000, Infinity), overBound: 'p99 > 100 ms', latencyOnly: true };
    searching.record(stalled);
    expect(stalled.repeated).toBe(true);
    expect(searching.nextRate).toBe(1000);
    searching.record(step(1000, Infinity));
    expect(searching.nextRate).toBe(1500);
  });

  it('ends capped when every step stays in bound', () => {
    const { outcome } = search(Infinity, { maxSteps: 3 });
    expect(outcome.capped).toBe(true);
    expect(outcome.steps).toHaveLength(4);
  });

  it('has no saturation figure when nothing stays in bound', () => {
    const { outcome } = search(1);
    expect(outcome.saturating).toBeNull();
    expect(outcome.half).toBeNull();
  });
});
