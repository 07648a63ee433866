import { linkify } from '../../lib/linkify';

/**
 * A message body as TEXT: React text nodes, with http(s) URLs and bare domains (lib/linkify) as
 * links that open in a new tab.
 * No HTML from a message ever reaches the DOM (never dangerouslySetInnerHTML).
 */
export function MessageText({ body, linkTabIndex }: { body: string; linkTabIndex?: number }) {
  return (
    <>
      {linkify(body).map((segment, i) =>
        segment.kind === 'link' ? (
          <a key={i} href={segment.href} target="_blank" rel="noopener noreferrer" tabIndex={linkTabIndex}>
            {segment.text}
          </a>
        ) : (
          segment.text
        ),
      )}
    </>
  );
}
