import type { Locator, Page } from '@playwright/test';

/*
 * Files made in the page, as a person's would be: a photo drawn on a canvas (a JPEG the server
 * can read), or a big blob, handed to the app by a paste or a drop (real DOM events, the
 * browser's own DataTransfer). Evaluated as strings: e2e is type-checked without the DOM library.
 */

/** Declares `makePhoto(name, width, height, hue)` in the page script it is put in front of. */
const MAKE_PHOTO = `
async function makePhoto(name, width, height, hue) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const c = canvas.getContext('2d');
  const sky = c.createLinearGradient(0, 0, 0, height);
  sky.addColorStop(0, 'hsl(' + hue + ', 60%, 42%)');
  sky.addColorStop(0.65, 'hsl(' + (hue + 35) + ', 85%, 66%)');
  sky.addColorStop(1, 'hsl(' + (hue + 55) + ', 95%, 78%)');
  c.fillStyle = sky;
  c.fillRect(0, 0, width, height);
  c.fillStyle = 'hsl(' + (hue + 55) + ', 100%, 88%)';
  c.beginPath();
  c.arc(width * 0.66, height * 0.6, height * 0.11, 0, Math.PI * 2);
  c.fill();
  for (const [shade, base, wave] of [[30, 0.72, 5], [18, 0.8, 9]]) {
    c.fillStyle = 'hsl(' + (hue + 200) + ', 30%, ' + shade + '%)';
    c.beginPath();
    c.moveTo(0, height);
    for (let x = 0; x <= width; x += width / 40) {
      c.lineTo(x, height * (base + 0.05 * Math.sin((x / width) * wave)));
    }
    c.lineTo(width, height);
    c.fill();
  }
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.88));
  return new File([blob], name, { type: 'image/jpeg' });
}
`;

export interface PhotoSpec {
  name: string;
  width: number;
  height: number;
  /** The sky's hue, 0-360. */
  hue?: number;
}

function photoList(photos: readonly PhotoSpec[]): string {
  return `await Promise.all(${JSON.stringify(photos)}.map((p) => makePhoto(p.name, p.width, p.height, p.hue ?? 10)))`;
}

/** Pastes photos into the composer, as Ctrl+V of a copied image does. */
export async function pastePhotos(page: Page, photos: readonly PhotoSpec[]): Promise<void> {
  await page.evaluate(`(async () => {
    ${MAKE_PHOTO}
    const files = ${photoList(photos)};
    const data = new DataTransfer();
    for (const file of files) data.items.add(file);
    const input = document.querySelector('textarea[aria-label="Message"]');
    input.focus();
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
}

/** Pastes a file of `bytes` zero bytes (a File made in the page). */
export async function pasteBlob(page: Page, name: string, bytes: number, type: string): Promise<void> {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(${bytes})], ${JSON.stringify(name)}, { type: ${JSON.stringify(type)} }));
    const input = document.querySelector('textarea[aria-label="Message"]');
    input.focus();
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  })()`);
}

/** Drags a text file over the messages and drops it there. */
export async function dropTextFile(page: Page, name: string, text: string): Promise<void> {
  await page.evaluate(`(() => {
    const data = new DataTransfer();
    data.items.add(new File([${JSON.stringify(text)}], ${JSON.stringify(name)}, { type: 'text/plain' }));
    const target = document.querySelector('[role="log"]');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  })()`);
}

/** The natural width of the image an `<img>` shows (0 while not loaded). */
export function naturalWidth(image: Locator): Promise<number> {
  return image.evaluate((element) => {
    const img = element as unknown as { complete: boolean; naturalWidth: number };
    return img.complete ? img.naturalWidth : 0;
  });
}
