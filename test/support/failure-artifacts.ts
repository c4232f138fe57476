/**
 * What a failed browser test leaves behind: under test-results/<test name>/ a screenshot of every
 * page still open (page.png, page-2.png, …) and its console log (console.log, console-2.log, …).
 * Signal Desktop's e2e tests do the same; a red run on CI is then readable without a rerun.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { WatchedPage } from './browser';

/** Where the folders go; CARDDESK_TEST_RESULTS moves them (the artifact test uses a temporary one). */
export function testResultsRoot(): string {
  return resolve(process.env['CARDDESK_TEST_RESULTS'] ?? 'test-results');
}

/** A test's full name as a folder name: readable, no separators, bounded length. */
export function artifactFolderName(testName: string): string {
  const safe = testName
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 150);
  return safe === '' ? 'unnamed-test' : safe;
}

/** Saves every page's screenshot and console log; returns the folder. Never throws for one bad page. */
export async function saveFailureArtifacts(testName: string, pages: Iterable<WatchedPage>): Promise<string> {
  const folder = join(testResultsRoot(), artifactFolderName(testName));
  await mkdir(folder, { recursive: true });
  let index = 0;
  for (const watched of pages) {
    index += 1;
    const suffix = index === 1 ? '' : `-${index}`;
    await writeFile(join(folder, `console${suffix}.log`), watched.log.map((line) => `${line}\n`).join(''));
    try {
      await watched.page.screenshot({ path: join(folder, `page${suffix}.png`), fullPage: true, timeout: 10_000 });
    } catch (error) {
      await writeFile(join(folder, `page${suffix}.screenshot-error.txt`), `${String(error)}\n`);
    }
  }
  return folder;
}
