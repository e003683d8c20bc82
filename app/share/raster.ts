import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/**
 * SVG → PNG for chats that do not show SVG and for the Open Graph card, with resvg (a prebuilt native binary that
 * npm installs; no browser, no network). Text is set in DejaVu Sans from the `dejavu-fonts-ttf` package, so a host
 * without system fonts (a serverless function) renders the same glyphs (η, λ, ₂ included) as this machine.
 */

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

function fontDir(): string | null {
  const candidates: string[] = [];
  try {
    candidates.push(
      path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf'),
    );
  } catch {
    // Bundled server code may not resolve packages from its own location; the project's node_modules is next.
  }
  candidates.push(path.join(/*turbopackIgnore: true*/ process.cwd(), 'node_modules', 'dejavu-fonts-ttf', 'ttf'));
  return candidates.find((d) => existsSync(path.join(/*turbopackIgnore: true*/ d, FONT_FILES[0]))) ?? null;
}

let fonts: { files: string[]; buffers: Buffer[] } | null = null;

/** The DejaVu Sans files (regular, bold) and their bytes; empty when the package is missing (system fonts then). */
export function shareFonts(): { files: string[]; buffers: Buffer[] } {
  if (!fonts) {
    const dir = fontDir();
    const files = dir ? FONT_FILES.map((f) => path.join(/*turbopackIgnore: true*/ dir, f)) : [];
    fonts = { files, buffers: files.map((f) => readFileSync(f)) };
  }
  return fonts;
}

/** Rasterise an SVG document at `scale` × its own size; returns the PNG bytes and their pixel size. */
export function svgToPng(svg: string, scale = 1): { png: Uint8Array; width: number; height: number } {
  const { files } = shareFonts();
  const resvg = new Resvg(svg, {
    font: {
      loadSystemFonts: files.length === 0,
      fontFiles: files,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    background: '#ffffff',
  });
  const image = resvg.render();
  const png = new Uint8Array(image.asPng());
  return { png, width: image.width, height: image.height };
}
