import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { CACHE_PREFIX, SHELL_KEY, cacheRouteOf } from '../src/sw/cache-policy';
import { readStoredSession, sessionStorageKey } from '../src/auth/stored-session';
import { draftKey, forgetUser, readItem, writeItem } from '../src/lib/local-store';
import { Composer } from '../src/components/chat/composer';
import { ConnectionBanner } from '../src/components/chat/connection-banner';
import { ME } from './fixtures';

/*
 * What lets the app start and keep the person's words without network: the service worker's
 * routing, the stored session, drafts. The whole path (a real reload with the server down) is
 * the browser test e2e/specs/offline-outbox.spec.ts.
 */

const ORIGIN = 'https://chat.example';
const PRECACHED = new Set(['/', '/favicon.svg']);
const route = (path: string, mode = 'cors', method = 'GET', origin = ORIGIN) =>
  cacheRouteOf({ url: `${origin}${path}`, mode, method }, ORIGIN, PRECACHED);

describe('service worker routing', () => {
  it('serves page loads network first with the cached shell as fallback', () => {
    expect(route('/', 'navigate')).toBe('shell');
    expect(route('/?gallery', 'navigate')).toBe('shell');
    expect(SHELL_KEY).toBe('/');
  });

  it('keeps a copy of /api/config only', () => {
    expect(route('/api/config')).toBe('config');
    for (const path of ['/api/me', '/api/conversations', '/api/users?query=a', '/auth/v1/token', '/ws']) {
      expect(route(path)).toBe('pass');
    }
    // Typed into the address bar: still never a cached answer.
    expect(route('/api/conversations', 'navigate')).toBe('pass');
    expect(route('/healthz', 'navigate')).toBe('pass');
  });

  it('serves built files cache first, and leaves everything else alone', () => {
    expect(route('/assets/index-abc123.js')).toBe('static');
    expect(route('/favicon.svg')).toBe('static');
    expect(route('/sw.js')).toBe('pass');
    expect(route('/robots.txt')).toBe('pass');
    expect(route('/assets/index-abc123.js', 'cors', 'POST')).toBe('pass');
    expect(route('/assets/x.js', 'cors', 'GET', 'https://cdn.example')).toBe('pass');
    expect(CACHE_PREFIX).toBe('chat-shell-');
  });
});

describe('stored session', () => {
  it('uses supabase-js own storage key', () => {
    expect(sessionStorageKey('http://127.0.0.1:3000')).toBe('sb-127-auth-token');
    expect(sessionStorageKey('https://abcd.supabase.co')).toBe('sb-abcd-auth-token');
  });

  it('reads a stored session, and nothing else', () => {
    const session = { access_token: 'a', refresh_token: 'r', expires_at: 1, user: { id: ME } };
    const storage = (value: string | null) => ({ getItem: () => value });
    expect(readStoredSession('k', storage(JSON.stringify(session)))?.user.id).toBe(ME);
    expect(readStoredSession('k', storage(null))).toBeNull();
    expect(readStoredSession('k', storage('not json'))).toBeNull();
    expect(readStoredSession('k', storage(JSON.stringify({ access_token: 'a' })))).toBeNull();
  });
});

describe('drafts', () => {
  beforeEach(() => localStorage.clear());
  afterEach(cleanup);

  const composer = (key: string | undefined, onSend: (body: string) => void = () => undefined) => (
    <Composer
      focusKey="c"
      draftKey={key}
      replyTo={null}
      onCancelReply={() => undefined}
      onSend={onSend}
      onTyping={() => undefined}
    />
  );
  const box = () => screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;

  it('keeps unsent text per conversation across a remount (a reload), and drops it once sent', () => {
    const key = draftKey(ME, 'c1');
    render(composer(key));
    fireEvent.change(box(), { target: { value: 'half a thought' } });
    cleanup();

    render(composer(draftKey(ME, 'c2')));
    expect(box().value).toBe('');
    cleanup();

    const sent: string[] = [];
    render(composer(key, (body) => sent.push(body)));
    expect(box().value).toBe('half a thought');
    fireEvent.keyDown(box(), { key: 'Enter' });
    expect(sent).toEqual(['half a thought']);
    expect(readItem(key)).toBeNull();
  });

  it('forgets a user’s drafts at sign-out, not other users’', () => {
    writeItem(draftKey(ME, 'c1'), 'mine');
    writeItem(draftKey('someone-else', 'c1'), 'theirs');
    forgetUser(ME);
    expect(readItem(draftKey(ME, 'c1'))).toBeNull();
    expect(readItem(draftKey('someone-else', 'c1'))).toBe('theirs');
  });
});

describe('connection banner', () => {
  afterEach(cleanup);

  it('says what is happening and that messages will go out', () => {
    render(<ConnectionBanner status="offline" />);
    expect(screen.getByRole('status').textContent).toContain('Waiting for network…');
    cleanup();
    render(<ConnectionBanner status="reconnecting" onRetry={() => undefined} />);
    expect(screen.getByRole('status').textContent).toContain('Reconnecting…');
    expect(screen.getByRole('button', { name: 'Try now' })).toBeTruthy();
    cleanup();
    render(<ConnectionBanner status="open" />);
    expect(screen.queryByRole('status')).toBeNull();
  });
});
