import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Protocol } from 'electron';
import { protocol } from '../../test/support/electron-mock';
import { registerAppScheme, serveRenderer } from './app-protocol';

vi.mock('electron', () => import('../../test/support/electron-mock'));

const root = mkdtempSync(join(tmpdir(), 'carddesk-protocol-'));
mkdirSync(join(root, 'renderer'));
writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>CardDesk</title>');
writeFileSync(join(root, 'secret.js'), 'outside');
registerAppScheme(protocol as unknown as Protocol);
serveRenderer(protocol as unknown as Protocol, join(root, 'renderer'));
const handler = protocol.handlers.get('carddesk');

describe('the carddesk:// protocol', () => {
  it('is a standard, secure scheme', () => {
    expect(protocol.privileged).toEqual([{ scheme: 'carddesk', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves the renderer with the CSP on the response', async () => {
    const response = await handler!(new Request('carddesk://app/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('CardDesk');
  });

  it.each(['carddesk://app/../secret.js', 'carddesk://app/%2e%2e/secret.js', 'carddesk://other/index.html', 'carddesk://app/missing.js'])(
    'answers 404 for %s',
    async (url) => {
      const response = await handler!(new Request(url));
      expect(response.status).toBe(404);
    },
  );

  it('refuses anything but GET and HEAD', async () => {
    const response = await handler!(new Request('carddesk://app/index.html', { method: 'POST', body: 'x' }));
    expect(response.status).toBe(404);
  });
});
