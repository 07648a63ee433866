import AxeBuilder from '@axe-core/playwright';
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';

/** What the acceptance of issue 8 counts: a violation of these impacts fails the screen. */
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now (WCAG 2.x A and AA plus best practices) and fails with a
 * readable list (rule, impact, elements, why) when anything serious or critical is found.
 */
export async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  // Colours are judged as they settle: a label halfway through fading in is not what anyone reads.
  await page.evaluate(
    `Promise.all(document.getAnimations()
      .filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
      .map((animation) => animation.finished.catch(() => undefined)))`,
  );
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter((v) => BLOCKING.has(v.impact ?? ''));
  const report = blocking.map((v) =>
    [
      `${v.id} (${v.impact}): ${v.help}`,
      ...v.nodes.map((n) => `  ${n.target.join(' ')}\n    ${n.failureSummary?.replace(/\n/gu, '\n    ')}`),
    ].join('\n'),
  );
  expect.soft(report, `axe on ${screen}`).toEqual([]);
}
