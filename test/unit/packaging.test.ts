/** electron-builder.yml, checked by electron-builder's own schema and for what CardDesk needs. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/host-process';

interface BuilderConfig {
  appId: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  linux: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  [key: string]: unknown;
}

const config = parse(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main: string };

async function validate(candidate: object): Promise<void> {
  const { validateConfiguration } = await import('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = await import('builder-util');
  await validateConfiguration(candidate, new DebugLogger(false));
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration schema", async () => {
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('is refused by that schema when it has an unknown option (the check is real)', async () => {
    await expect(validate({ ...config, notAnOption: true })).rejects.toThrow(/notAnOption/);
  });

  it('builds AppImage and deb, NSIS, and dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
  });

  it('rebuilds the native modules for Electron and keeps them out of the asar archive', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/pcsclite/**', '**/node_modules/pkcs11js/**', '**/*.node']));
  });

  it('packages the built app the package.json points at', () => {
    expect(packageJson.main).toBe('dist/main.cjs');
    expect(config.files).toContain('dist/**/*');
  });

  it('has an icon large enough for every platform', () => {
    for (const icon of new Set([config.linux.icon, config.win.icon, config.mac.icon])) {
      const png = readFileSync(join(repoRoot, icon));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
      expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
    }
    expect(existsSync(join(repoRoot, 'resources', 'icon.svg'))).toBe(true);
  });
});
