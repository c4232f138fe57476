import { describe, expect, it, vi } from 'vitest';
import type { App, Session, WebContents } from 'electron';
import { app, FakeWebContents, session } from '../../test/support/electron-mock';
import { hardenWebContents, installSecurityPolicy, isAllowedRequest } from './security';

vi.mock('electron', () => import('../../test/support/electron-mock'));

function hardened(development = false): FakeWebContents {
  const contents = new FakeWebContents();
  hardenWebContents(contents as unknown as WebContents, development);
  return contents;
}

describe('hardenWebContents', () => {
  it('denies every new window', () => {
    const contents = hardened();
    expect(contents.windowOpenHandler?.({ url: 'https://example.org' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'carddesk://app/index.html' })).toEqual({ action: 'deny' });
  });

  it.each(['https://example.org/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'carddesk://evil/index.html', 'javascript:alert(1)'])(
    'blocks navigation and redirects to %s',
    (url) => {
      const contents = hardened();
      expect(contents.fire('will-navigate', url)).toBe(true);
      expect(contents.fire('will-redirect', url)).toBe(true);
    },
  );

  it('lets the app move within its own origin', () => {
    const contents = hardened();
    expect(contents.fire('will-navigate', 'carddesk://app/index.html#/cards')).toBe(false);
  });

  it('refuses <webview>', () => {
    expect(hardened().fire('will-attach-webview', {}, {})).toBe(true);
  });

  it('closes devtools outside development', () => {
    const production = hardened(false);
    production.emit('devtools-opened');
    expect(production.closeDevTools).toHaveBeenCalled();
    const development = hardened(true);
    development.emit('devtools-opened');
    expect(development.closeDevTools).not.toHaveBeenCalled();
  });
});

describe('installSecurityPolicy', () => {
  installSecurityPolicy(app as unknown as App, session.defaultSession as unknown as Session, false);
  const ses = session.defaultSession;

  it('hardens every web contents the app creates', () => {
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler).not.toBeNull();
    expect(contents.fire('will-navigate', 'https://example.org')).toBe(true);
  });

  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'usb', 'serial', 'openExternal'])(
    'denies the %s permission',
    (permission) => {
      const callback = vi.fn();
      ses.permissionRequestHandler?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(ses.permissionCheckHandler?.({}, permission)).toBe(false);
    },
  );

  it('denies device access', () => {
    expect(ses.devicePermissionHandler?.({ deviceType: 'usb' })).toBe(false);
  });

  it('cancels every request that is not the app itself', () => {
    const decide = (url: string): boolean => {
      let cancelled = false;
      ses.beforeRequest?.({ url }, (response) => (cancelled = response.cancel));
      return cancelled;
    };
    expect(decide('https://example.org/tracker.js')).toBe(true);
    expect(decide('http://127.0.0.1:9/')).toBe(true);
    expect(decide('ws://127.0.0.1:9/')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
    expect(decide('carddesk://app/assets/index.js')).toBe(false);
    expect(decide('data:image/png;base64,AAAA')).toBe(false);
  });

  it('allows devtools resources only in development', () => {
    expect(isAllowedRequest('devtools://devtools/bundled/x.js', false)).toBe(false);
    expect(isAllowedRequest('devtools://devtools/bundled/x.js', true)).toBe(true);
  });
});
