import type fc from 'fast-check';

/**
 * The fuzz suites' seed and run count. `npm test` runs a pinned seed and a
 * bounded number of runs; `npm run fuzz` runs many more (FUZZ_RUNS), and
 * FUZZ_SEED=<n> replays a seed, FUZZ_SEED=random draws a new one.
 */
export function fuzzSettings(suite: string, defaultRuns: number): fc.Parameters<unknown> {
  const seedText = process.env.FUZZ_SEED ?? '20261130';
  const seed = seedText === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(seedText);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer or "random", not ${seedText}`);
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer`);
  console.log(
    `[fuzz] ${suite}: seed ${seed}, ${runs} runs (replay with FUZZ_SEED=${seed} FUZZ_RUNS=${runs})`,
  );
  return { seed, numRuns: runs, endOnFailure: true };
}
