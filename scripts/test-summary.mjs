// Adds up the counts every runner printed (Vitest's "Tests  N passed | M failed",
// Playwright's "N passed" / "N failed") into one closing line for CI.
import { readFileSync } from 'node:fs';

const [file, status] = process.argv.slice(2);
const ESC = String.fromCharCode(27);
const text = readFileSync(file, 'utf8').replaceAll(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');
let passed = 0;
let failed = 0;
let skipped = 0;
for (const line of text.split('\n')) {
  const vitest = /^\s*Tests\s+(.*)$/.exec(line);
  const playwright = /^\s+(\d+) (passed|failed|skipped|flaky)( \(|$)/.exec(line);
  if (vitest) {
    passed += Number(/(\d+) passed/.exec(vitest[1])?.[1] ?? 0);
    failed += Number(/(\d+) failed/.exec(vitest[1])?.[1] ?? 0);
    skipped += Number(/(\d+) skipped/.exec(vitest[1])?.[1] ?? 0);
  } else if (playwright) {
    const count = Number(playwright[1]);
    if (playwright[2] === 'passed') passed += count;
    else if (playwright[2] === 'skipped') skipped += count;
    else failed += count;
  }
}
if (status !== '0' && failed === 0) failed = 1; // a step failed before or outside the runners
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
