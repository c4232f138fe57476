import type { Page } from 'playwright-core';

export const readerRow = (page: Page, name: string) => page.locator(`[data-testid="reader-row"][data-reader-name="${name}"]`);

/**
 * Arms an observer in the page that resolves with Date.now() at the first animation frame after
 * the reader's row shows `state`; read it with `page.evaluate(() => window.__cardSeen)`.
 */
export async function armCardStateWatch(page: Page, name: string, state: 'present' | 'absent'): Promise<void> {
  await page.evaluate(
    ([reader, wanted]) => {
      const win = window as unknown as { __cardSeen: Promise<number> };
      win.__cardSeen = new Promise<number>((resolve) => {
        const matches = (): boolean =>
          document.querySelector(`[data-testid="reader-row"][data-reader-name="${reader}"]`)?.getAttribute('data-card-state') === wanted;
        const done = (): void => {
          requestAnimationFrame(() => resolve(Date.now()));
        };
        if (matches()) return done();
        const observer = new MutationObserver(() => {
          if (matches()) {
            observer.disconnect();
            done();
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
      });
    },
    [name, state] as const,
  );
}

export function cardStateSeenAt(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __cardSeen: Promise<number> }).__cardSeen);
}
