#!/usr/bin/env node
// Writes the PWA icons in public/icons/ (committed; run again only when the design changes):
//   nexus-192.png, nexus-512.png                    purpose "any": the favicon's rounded square
//   nexus-maskable-192.png, nexus-maskable-512.png  purpose "maskable": full-bleed background,
//                                                   the mark inside the safe zone
// The mark is public/favicon.svg's (a hub and four spokes), drawn here from the same geometry,
// because no image tools are installed: shapes are signed distance functions, each pixel is
// 4×4 supersampled for smooth edges, and the PNG is written with node:zlib (no dependencies).
//
// Usage: node scripts/make-icons.mjs   (deterministic: the same bytes on every run)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ROOT } from './lib.mjs';

const OUT = join(ROOT, 'public', 'icons');
const BACKGROUND = [0x0b, 0x57, 0xd0]; // the dashboard's --accent, as in favicon.svg
const MARK = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 4;

// ── geometry, in favicon.svg's 32×32 units ──────────────────────────────────────────────────────
const CORNER_RADIUS = 7;
const HUB = { x: 16, y: 16, r: 4.5 };
const SPOKE_WIDTH = 2.5;
const SATELLITES = [
  { x: 8, y: 8, r: 2.5 },
  { x: 24, y: 8, r: 2.5 },
  { x: 8, y: 24, r: 2.5 },
  { x: 24, y: 24, r: 2.5 },
];
// Maskable icons are cropped to a circle of 40% of their size (the "safe zone",
// https://www.w3.org/TR/appmanifest/#icon-masks). The mark reaches √2·8 + 2.5 ≈ 13.8 units from
// the centre, 0.43 of the icon; scaled by 0.8 it stays at 0.35, inside the zone with a margin.
const MASKABLE_SCALE = 0.8;

/** Distance from (px, py) to a rounded square covering 0…32 (negative inside). */
function roundedSquare(px, py) {
  const half = 16 - CORNER_RADIUS;
  const qx = Math.abs(px - 16) - half;
  const qy = Math.abs(py - 16) - half;
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  return outside + Math.min(Math.max(qx, qy), 0) - CORNER_RADIUS;
}

function circle(px, py, { x, y, r }) {
  return Math.hypot(px - x, py - y) - r;
}

/** Distance to a segment from the hub to `to`, with round caps, `SPOKE_WIDTH` wide. */
function spoke(px, py, to) {
  const dx = to.x - HUB.x;
  const dy = to.y - HUB.y;
  const t = Math.max(0, Math.min(1, ((px - HUB.x) * dx + (py - HUB.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (HUB.x + t * dx), py - (HUB.y + t * dy)) - SPOKE_WIDTH / 2;
}

function inMark(px, py) {
  if (circle(px, py, HUB) <= 0) return true;
  return SATELLITES.some((s) => circle(px, py, s) <= 0 || spoke(px, py, s) <= 0);
}

/**
 * RGBA pixels of one icon. `maskable`: the background fills every pixel and the mark shrinks
 * into the safe zone; otherwise the favicon's rounded square on transparency.
 */
function render(size, maskable) {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  const markScale = maskable ? MASKABLE_SCALE : 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let covered = 0; // samples inside the icon's shape
      let marked = 0; // samples inside the mark
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          // Sample position in 32-unit icon space.
          const ux = ((x + (sx + 0.5) / SUPERSAMPLE) / size) * 32;
          const uy = ((y + (sy + 0.5) / SUPERSAMPLE) / size) * 32;
          if (!maskable && roundedSquare(ux, uy) > 0) continue;
          covered++;
          // The mark is scaled about the centre.
          if (inMark(16 + (ux - 16) / markScale, 16 + (uy - 16) / markScale)) marked++;
        }
      }
      const at = (y * size + x) * 4;
      if (covered === 0) continue; // transparent
      const markShare = marked / covered;
      for (let c = 0; c < 3; c++) {
        pixels[at + c] = Math.round(BACKGROUND[c] * (1 - markShare) + MARK[c] * markShare);
      }
      pixels[at + 3] = Math.round((covered / samples) * 255);
    }
  }
  return pixels;
}

// ── PNG (https://www.w3.org/TR/png-3/): signature, IHDR, IDAT, IEND ──────────────────────────────
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0); // width
  header.writeUInt32BE(size, 4); // height
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: truecolour with alpha
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method 0
  header[12] = 0; // no interlace
  // Each scanline starts with its filter type; 0 (none) keeps this simple, deflate does the rest.
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(OUT, { recursive: true });
for (const size of [192, 512]) {
  for (const maskable of [false, true]) {
    const name = `nexus-${maskable ? 'maskable-' : ''}${size}.png`;
    const bytes = png(size, render(size, maskable));
    writeFileSync(join(OUT, name), bytes);
    console.log(`${join('public', 'icons', name)}  ${size}×${size}  ${bytes.length} bytes`);
  }
}
