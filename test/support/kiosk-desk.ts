/**
 * Helpers for kiosk tests that drive the operator desk of the same browser-mode host: calls on
 * the desk page's `window.carddesk`, everything a page shows (text and attribute values), and a
 * search of a page's JavaScript heap (a V8 heap snapshot taken after a full garbage collection).
 */
import type { Page } from 'playwright-core';

/** Calls `window.carddesk[feature][member](args)` in the desk page; an error envelope throws. */
export async function deskCall<T>(desk: Page, feature: string, member: string, args?: unknown): Promise<T> {
  const envelope = await desk.evaluate(
    async ([f, m, a]) => {
      const api = (window as unknown as { carddesk: Record<string, Record<string, (args?: unknown) => Promise<unknown>>> }).carddesk;
      const call = api[f]?.[m];
      if (call === undefined) return { ok: false, error: { code: 'NO_SUCH_CALL', message: `${f}.${m}` } };
      return a === undefined ? call() : call(a);
    },
    [feature, member, args] as const,
  );
  const answer = envelope as { ok: boolean; value?: T; error?: { code: string; message: string } };
  if (!answer.ok) throw new Error(`carddesk.${feature}.${member} failed: ${answer.error?.code} ${answer.error?.message}`);
  return answer.value as T;
}

/** Every text node and attribute value of the page's document, with its title and address. */
export function pageTextAndAttributes(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [document.title, location.href];
    const walker = document.createTreeWalker(document, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
      else if (node instanceof Element) {
        for (const attribute of Array.from(node.attributes)) parts.push(attribute.value);
        if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) parts.push(node.value);
      }
    }
    return parts.join('\n');
  });
}

/**
 * Takes a heap snapshot of the page (after a full garbage collection) and says which of `needles`
 * occur in it, with a few characters around each place, to tell what holds them.
 */
export async function heapSnapshotContains(page: Page, needles: readonly string[]): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const chunks: string[] = [];
    const collect = (event: { chunk: string }): void => void chunks.push(event.chunk);
    cdp.on('HeapProfiler.addHeapSnapshotChunk', collect);
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    cdp.off('HeapProfiler.addHeapSnapshotChunk', collect);
    const snapshot = chunks.join('');
    if (snapshot.length < 100_000) throw new Error(`the heap snapshot is too small to be real (${snapshot.length} characters)`);
    const found: string[] = [];
    for (const needle of needles) {
      for (let at = snapshot.indexOf(needle); at !== -1 && found.length < 20; at = snapshot.indexOf(needle, at + needle.length)) {
        found.push(`${needle}: …${snapshot.slice(Math.max(0, at - 120), at + needle.length + 120)}…`);
      }
    }
    return found;
  } finally {
    await cdp.detach();
  }
}
