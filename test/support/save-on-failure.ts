/**
 * Setup file of the browser test projects: when a test fails, every page it (or its file's
 * beforeAll) opened and has not closed is saved under test-results/<test name>/.
 */
import { afterEach } from 'vitest';
import { openPages } from './browser';
import { saveFailureArtifacts } from './failure-artifacts';

afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail' || openPages.size === 0) return;
  const folder = await saveFailureArtifacts(task.fullTestName, openPages);
  console.error(`[carddesk] failed test's pages saved in ${folder}`);
});
