import { describe, expect, test } from 'vitest';
import { apiUrlFromWsUrl } from '../src/index';

describe('apiUrlFromWsUrl', () => {
  test('ws -> http, wss -> https, the /ws path removed', () => {
    expect(apiUrlFromWsUrl('ws://127.0.0.1:3000/ws')).toBe('http://127.0.0.1:3000');
    expect(apiUrlFromWsUrl('wss://chat.example.com/ws')).toBe('https://chat.example.com');
    expect(apiUrlFromWsUrl('wss://example.com/chat/ws/')).toBe('https://example.com/chat');
    expect(apiUrlFromWsUrl('ws://localhost:5173/')).toBe('http://localhost:5173');
  });
});
