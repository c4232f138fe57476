/**
 * Contract templates in Settings, the administrator's way, in Chromium against browser mode: four
 * built-in templates; a replacement with an unknown placeholder is refused with its line and
 * changes nothing; a good one is taken (the row says custom, the desk and the data folder hold the
 * new text, Download hands it back); Reset to built-in puts the shipped template back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import en from '../../renderer/src/i18n/locales/en.json';
import { settingsTestIds as ids } from '../../renderer/src/features/settings/testIds';
import { TEMPLATE_PLACEHOLDERS } from '../../electron/core/contracts/document/template';
import { seriousAccessibilityViolations } from '../support/axe';
import { launchBrowser, openPage, type WatchedPage } from '../support/browser';
import { openHostSession, type Session } from '../support/host-session';
import { startHostProcess, type HostProcess } from '../support/host-process';
import { PASSPHRASE } from '../support/vault-fixtures';

type Template = { language: string; source: 'builtIn' | 'custom'; text: string };

let host: HostProcess;
let browser: Browser;
let session: Session;

beforeAll(async () => {
  host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  session = await openHostSession(host);
  const init = await session.call('vault:init', { passphrase: PASSPHRASE });
  expect(init.envelope).toMatchObject({ ok: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  session?.close();
  await browser?.close();
  await host?.stop();
});

/** What the desk itself says the templates are, asked over its own channel. */
async function templatesOfDesk(): Promise<Template[]> {
  const answer = await session.call('contracts:templates');
  if (!answer.envelope.ok) throw new Error(`contracts:templates failed: ${JSON.stringify(answer.envelope)}`);
  return answer.envelope.value as Template[];
}

async function templateOfDesk(language: string): Promise<Template> {
  const found = (await templatesOfDesk()).find((template) => template.language === language);
  if (found === undefined) throw new Error(`no ${language} template`);
  return found;
}

const row = (page: Page, language: string) => page.locator(`[data-testid="${ids.templateRow}"][data-language="${language}"]`);

async function sources(page: Page): Promise<Record<string, string | null>> {
  const rows = page.getByTestId(ids.templateRow);
  const out: Record<string, string | null> = {};
  for (const one of await rows.all()) out[(await one.getAttribute('data-language')) ?? '?'] = await one.getAttribute('data-source');
  return out;
}

/** Opens Replace… for a language, picks `text` as a .txt file and asks the desk to take it. */
async function replaceWithFile(page: Page, language: string, text: string): Promise<void> {
  await row(page, language).getByTestId(ids.templateReplace).click();
  await page.getByTestId(ids.templateFile).setInputFiles({ name: `contract.${language}.txt`, mimeType: 'text/plain', buffer: Buffer.from(text, 'utf8') });
  await expect.poll(() => page.getByTestId(ids.templateEditor).inputValue()).toBe(text);
  await page.getByTestId(ids.templateSave).click();
}

describe('contract templates in Settings', () => {
  let watched: WatchedPage;

  it('replaces the Italian template: refuses an unknown placeholder by line, takes a good one, resets it', async () => {
    watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId(ids.templates).waitFor();

    // Four languages, all built in, as the desk says.
    await expect.poll(() => page.getByTestId(ids.templateRow).count()).toBe(4);
    expect(await sources(page)).toEqual({ en: 'builtIn', sq: 'builtIn', it: 'builtIn', nl: 'builtIn' });
    expect((await templatesOfDesk()).map((t) => [t.language, t.source])).toEqual([
      ['en', 'builtIn'],
      ['sq', 'builtIn'],
      ['it', 'builtIn'],
      ['nl', 'builtIn'],
    ]);
    expect(await row(page, 'it').getByTestId(ids.templateReset).count()).toBe(0);

    // The placeholders shown are exactly the ones the desk accepts.
    await page.getByRole('button', { name: en.settings.templates.showPlaceholders }).click();
    const shown = await page.getByTestId(ids.templatePlaceholder).evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-name')));
    expect([...shown].sort()).toEqual(Object.keys(TEMPLATE_PLACEHOLDERS).sort());
    expect(await page.getByTestId(ids.templatePlaceholder).first().textContent()).toBe(`{{${String(shown[0])}}}`);

    // View shows the template in use, as it is.
    const builtInEnglish = await templateOfDesk('en');
    await row(page, 'en').getByTestId(ids.templateView).click();
    await expect.poll(() => page.getByTestId(ids.templateText).textContent()).toBe(builtInEnglish.text);
    expect(await seriousAccessibilityViolations(page), 'view dialog').toEqual([]);
    await page.getByRole('button', { name: en.common.close, exact: true }).click();
    await page.getByTestId(ids.templateText).waitFor({ state: 'detached' });

    // A template with an unknown placeholder: refused, with its line; nothing replaced.
    const builtInItalian = await templateOfDesk('it');
    const lines = builtInItalian.text.split('\n');
    const badLine = 7;
    const bad = [...lines.slice(0, badLine - 1), 'Numero di scarpe: {{holder.shoeSize}}.', ...lines.slice(badLine - 1)].join('\n');
    await replaceWithFile(page, 'it', bad);
    const problems = page.getByTestId(ids.templateProblem);
    await expect.poll(() => problems.count()).toBe(1);
    expect(await problems.first().getAttribute('data-line')).toBe(String(badLine));
    expect(await problems.first().textContent()).toContain(`${en.settings.templates.problemLine.replace('{{line}}', String(badLine))}`);
    expect(await problems.first().textContent()).toContain('holder.shoeSize');
    expect(await seriousAccessibilityViolations(page), 'refused template').toEqual([]);
    await page.getByRole('button', { name: en.common.cancel, exact: true }).click();
    await page.getByTestId(ids.templateEditor).waitFor({ state: 'detached' });
    expect(await row(page, 'it').getAttribute('data-source')).toBe('builtIn');
    expect(await templateOfDesk('it')).toEqual(builtInItalian);
    const customFile = join(host.home, 'templates', 'contracts', 'contract.it.txt');
    expect(existsSync(customFile)).toBe(false);

    // The built-in text with one more sentence: taken; the row says custom.
    const good = `${builtInItalian.text.trimEnd()}\n\nUna frase aggiunta per la prova del ${Date.now()}.\n`;
    await replaceWithFile(page, 'it', good);
    await page.getByTestId(ids.templateEditor).waitFor({ state: 'detached' });
    await expect.poll(() => row(page, 'it').getAttribute('data-source')).toBe('custom');
    expect(await page.getByTestId(ids.templateMessage).textContent()).toBe(en.settings.templates.replaced.replace('{{language}}', en.settings.templates.languages.it));
    expect(await row(page, 'it').getByTestId(ids.templateSource).textContent()).toBe(en.settings.templates.sources.custom);
    expect(await templateOfDesk('it')).toEqual({ language: 'it', source: 'custom', text: good });
    expect(readFileSync(customFile, 'utf8')).toBe(good);
    expect(await sources(page)).toEqual({ en: 'builtIn', sq: 'builtIn', it: 'custom', nl: 'builtIn' });

    // Download hands back the text in use, as contract.it.txt.
    const [download] = await Promise.all([page.waitForEvent('download'), row(page, 'it').getByTestId(ids.templateDownload).click()]);
    expect(download.suggestedFilename()).toBe('contract.it.txt');
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(good);

    // Reset to built-in, after a confirmation.
    await row(page, 'it').getByTestId(ids.templateReset).click();
    await page.getByTestId(ids.templateResetConfirm).click();
    await expect.poll(() => row(page, 'it').getAttribute('data-source')).toBe('builtIn');
    expect(await row(page, 'it').getByTestId(ids.templateReset).count()).toBe(0);
    expect(await templateOfDesk('it')).toEqual(builtInItalian);
    expect(existsSync(customFile)).toBe(false);

    expect(watched.errors).toEqual([]);
    await page.context().close();
  });

  it('takes a template edited in the dialog', async () => {
    watched = await openPage(browser);
    const { page } = watched;
    await page.goto(`${host.url}#/settings`);
    await page.getByTestId(ids.templates).waitFor();
    const builtInDutch = await templateOfDesk('nl');
    await row(page, 'nl').getByTestId(ids.templateReplace).click();
    const edited = `${builtInDutch.text.trimEnd()}\n\nDe houder tekent voor {{card.serial}}.\n`;
    await page.getByTestId(ids.templateEditor).fill(edited);
    await page.getByTestId(ids.templateSave).click();
    await expect.poll(() => row(page, 'nl').getAttribute('data-source')).toBe('custom');
    expect(await templateOfDesk('nl')).toEqual({ language: 'nl', source: 'custom', text: edited });
    await row(page, 'nl').getByTestId(ids.templateReset).click();
    await page.getByTestId(ids.templateResetConfirm).click();
    await expect.poll(() => row(page, 'nl').getAttribute('data-source')).toBe('builtIn');
    expect(await templateOfDesk('nl')).toEqual(builtInDutch);
    expect(watched.errors).toEqual([]);
    await page.context().close();
  });
});
