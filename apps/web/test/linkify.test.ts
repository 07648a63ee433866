import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from '../src/lib/linkify';

describe('linkify', () => {
  it('keeps plain text as one text segment', () => {
    expect(linkify('hello there')).toEqual([{ kind: 'text', text: 'hello there' }]);
  });

  it('turns http and https URLs into links', () => {
    expect(linkify('see https://example.com/a?b=1 and http://x.org')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.org', href: 'http://x.org/' },
    ]);
  });

  it('leaves sentence punctuation and unbalanced brackets outside the link', () => {
    expect(linkify('go to https://example.com.')).toEqual([
      { kind: 'text', text: 'go to ' },
      { kind: 'link', text: 'https://example.com', href: 'https://example.com/' },
      { kind: 'text', text: '.' },
    ]);
    expect(linkify('(https://example.com/x)')).toEqual([
      { kind: 'text', text: '(' },
      { kind: 'link', text: 'https://example.com/x', href: 'https://example.com/x' },
      { kind: 'text', text: ')' },
    ]);
    const wiki = linkify('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(wiki).toEqual([
      {
        kind: 'link',
        text: 'https://en.wikipedia.org/wiki/Foo_(bar)',
        href: 'https://en.wikipedia.org/wiki/Foo_(bar)',
      },
    ]);
  });

  it('never links other schemes', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.com/file',
      'mailto:a@b.c',
      'vbscript:msgbox',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not let a quote or angle bracket into a link', () => {
    const segments = linkify('<a href="https://evil.example/">x</a>');
    const links = segments.filter((s) => s.kind === 'link');
    expect(links).toEqual([{ kind: 'link', text: 'https://evil.example/', href: 'https://evil.example/' }]);
    expect(segments.map((s) => s.text).join('')).toBe('<a href="https://evil.example/">x</a>');
  });

  it('keeps HTML as text, character for character', () => {
    const body = '<img src=x onerror=alert(1)>';
    expect(linkify(body)).toEqual([{ kind: 'text', text: body }]);
  });

  it('ignores a bare scheme with no host', () => {
    expect(linkify('https:// nothing')).toEqual([{ kind: 'text', text: 'https:// nothing' }]);
  });

  it('rebuilds the original text exactly', () => {
    const text = 'a https://x.io/p, b (http://y.io) c https://z.io/?q=1!';
    expect(
      linkify(text)
        .map((s) => s.text)
        .join(''),
    ).toBe(text);
  });
});

describe('linkify, bare domains', () => {
  const links = (text: string) => linkify(text).filter((s) => s.kind === 'link');

  it('links www. addresses, opened as https, with sentence punctuation left out', () => {
    expect(linkify('see www.example.com/notes.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'www.example.com/notes', href: 'https://www.example.com/notes' },
      { kind: 'text', text: '.' },
    ]);
    // After www. any TLD will do.
    expect(links('www.example.museum')).toEqual([
      { kind: 'link', text: 'www.example.museum', href: 'https://www.example.museum/' },
    ]);
  });

  it('links a bare domain with a well-known TLD, with its port, path, query and fragment', () => {
    expect(links('example.com/path?x=1#top')).toEqual([
      { kind: 'link', text: 'example.com/path?x=1#top', href: 'https://example.com/path?x=1#top' },
    ]);
    expect(links('news at bbc.co.uk, or docs.github.io:8443/a')).toEqual([
      { kind: 'link', text: 'bbc.co.uk', href: 'https://bbc.co.uk/' },
      { kind: 'link', text: 'docs.github.io:8443/a', href: 'https://docs.github.io:8443/a' },
    ]);
    expect(links('(example.org)')).toEqual([
      { kind: 'link', text: 'example.org', href: 'https://example.org/' },
    ]);
    expect(links('Example.COM')).toEqual([
      { kind: 'link', text: 'Example.COM', href: 'https://example.com/' },
    ]);
  });

  it('leaves file names, abbreviations, versions and unknown TLDs as text', () => {
    for (const text of [
      'file.txt',
      'see e.g. this, i.e. that',
      'photos.zip',
      'notes.md',
      'deploy.sh',
      'main.py',
      'index.html',
      'Node.js 20.10.0',
      'example.comedy',
      'www.a.b',
      'localhost:3000',
      'end of a sentence.It goes on',
    ]) {
      expect(links(text), text).toEqual([]);
    }
  });

  it('does not link the domain of an e-mail address or of another scheme', () => {
    for (const text of [
      'ada@example.com',
      'ftp://example.com/file',
      'javascript:example.com',
      'javascript://example.com/%0aalert(1)',
      'data:text/html;base64,example.com',
      'mailto:ada@example.com',
    ]) {
      expect(links(text), text).toEqual([]);
    }
  });

  it('keeps quotes and angle brackets out and rebuilds the text exactly', () => {
    const text = 'a <www.x.io/"onmouseover=alert(1)> b example.net/p\'q c';
    const segments = linkify(text);
    expect(segments.filter((s) => s.kind === 'link').map((s) => s.text)).toEqual([
      'www.x.io/',
      'example.net/p',
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });
});

describe('safeHref', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
  });
});
