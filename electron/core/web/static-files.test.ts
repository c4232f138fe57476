import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './content-security-policy';
import { readStaticFile, resolveInside } from './static-files';

describe('static renderer files', () => {
  let root: string;
  beforeAll(() => {
    const base = mkdtempSync(join(tmpdir(), 'carddesk-static-'));
    root = join(base, 'renderer');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html>');
    writeFileSync(join(root, 'assets', 'app.js'), 'void 0');
    writeFileSync(join(root, 'notes.txt'), 'no type');
    writeFileSync(join(base, 'secret.js'), 'outside');
  });

  it('serves the index for / and files with their type', async () => {
    expect(await readStaticFile(root, '/')).toMatchObject({ contentType: 'text/html; charset=utf-8' });
    expect(await readStaticFile(root, '/assets/app.js')).toMatchObject({ contentType: 'text/javascript; charset=utf-8' });
  });

  it.each(['/../secret.js', '/..%2fsecret.js', '/%2e%2e/secret.js', '/assets/../../secret.js', '/a%00.js', '/%E0%A4%A'])(
    'refuses %s',
    async (path) => {
      expect(await readStaticFile(root, path)).toBeNull();
    },
  );

  it('refuses types the renderer never serves, folders and missing files', async () => {
    expect(await readStaticFile(root, '/notes.txt')).toBeNull();
    expect(await readStaticFile(root, '/assets')).toBeNull();
    expect(await readStaticFile(root, '/missing.js')).toBeNull();
  });

  it('keeps paths inside the root', () => {
    expect(resolveInside(root, '/assets/app.js')).toBe(join(root, 'assets', 'app.js'));
    expect(resolveInside(root, '/../renderer-evil/x.js')).toBeNull();
  });
});

describe('content security policy', () => {
  it('never allows eval or remote scripts', () => {
    const policy = contentSecurityPolicy(['ws://127.0.0.1:1234']);
    expect(policy).not.toContain('unsafe-eval');
    expect(policy).toMatch(/script-src 'self'(;|$)/);
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self' ws://127.0.0.1:1234");
  });
});
