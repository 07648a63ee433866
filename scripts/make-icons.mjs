// Renders the app's icons (PNG, for the web app manifest and iOS) from
// apps/web/public/favicon.svg. Run after changing the SVG: node scripts/make-icons.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const publicDir = join(dirname(fileURLToPath(import.meta.url)), '../apps/web/public');
const svg = readFileSync(join(publicDir, 'favicon.svg'));

// A maskable icon keeps its drawing inside the middle 80% (the safe zone) on a full-bleed background.
const maskable = async (size) =>
  sharp({ create: { width: size, height: size, channels: 4, background: '#0b84fe' } })
    .composite([
      {
        input: await sharp(svg)
          .resize(Math.round(size * 0.8))
          .png()
          .toBuffer(),
      },
    ])
    .png();

const outputs = [
  ['icon-192.png', () => sharp(svg).resize(192).png()],
  ['icon-512.png', () => sharp(svg).resize(512).png()],
  ['apple-touch-icon.png', () => sharp(svg).resize(180).flatten({ background: '#0b84fe' }).png()],
  ['icon-maskable-512.png', () => maskable(512)],
];

for (const [name, make] of outputs) {
  await (await make()).toFile(join(publicDir, 'icons', name));
  console.log(`wrote icons/${name}`);
}
