// Renders report.html in headless Chromium (Debian `chromium`): no console message at all (CSP violations, script
// errors and console.* calls are all logged as CONSOLE lines), a screenshot saved under test-output/report/, and
// the sort script exercised by clicking headers. Skips with a message when /usr/bin/chromium is absent.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SCRIPT } from '../../src/report/html-assets.js';
import { renderHtml } from '../../src/report/html.js';
import { fixtureModel } from './fixture-model.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(REPO, 'test-output', 'report');

if (!HAVE_CHROMIUM) console.warn(`skipping headless Chromium tests: ${CHROMIUM} not found (apt-get install -y chromium)`);

interface Run {
  stdout: string;
  /** Lines Chromium logged for the page's console (errors, CSP violations, console.* calls). */
  console: string[];
}

function chromium(file: string, mode: { screenshot: string } | 'dump-dom', extra: string[] = []): Promise<Run> {
  const profile = mkdtempSync(path.join(tmpdir(), 'residency-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    '--window-size=1400,2000',
    ...extra,
    mode === 'dump-dom' ? '--dump-dom' : `--screenshot=${mode.screenshot}`,
    `file://${file}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: 90_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error) return reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      const lines = stderr.split('\n').filter((l) => /CONSOLE|Uncaught/.test(l));
      resolve({ stdout, console: lines });
    });
  });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe.skipIf(!HAVE_CHROMIUM)('report.html in headless Chromium', () => {
  mkdirSync(OUT, { recursive: true });
  const page = path.join(OUT, 'report.html');
  writeFileSync(page, renderHtml(fixtureModel()));

  it('renders without any console message and saves a screenshot', async () => {
    const shot = path.join(OUT, 'report.png');
    rmSync(shot, { force: true });
    const run = await chromium(page, { screenshot: shot });
    expect(run.console).toEqual([]);
    expect(pngSize(shot)).toEqual({ width: 1400, height: 2000 });
    // A blank page compresses to a few kB; the map, badges and tables do not.
    expect(readFileSync(shot).length).toBeGreaterThan(50_000);
  });

  it('runs its CSP-pinned script (the page gets the js class) and keeps hostile names inert', async () => {
    const run = await chromium(page, 'dump-dom');
    expect(run.console).toEqual([]);
    expect(run.stdout).toMatch(/<html lang="en" class="\s*js">/);
    expect(run.stdout).not.toMatch(/<img\b/i);
    expect(run.stdout.match(/<script\b/gi)).toHaveLength(1);
    expect(run.stdout).toContain('&lt;script&gt;alert("x")&lt;/script&gt;.evil.example');
  });

  it('shows every table when its script cannot run (just unsorted)', async () => {
    // Headless screenshots and --dump-dom need script, so block only the page's script: its CSP says script-src 'none'.
    const blocked = path.join(OUT, 'report-noscript.html');
    writeFileSync(blocked, renderHtml(fixtureModel()).replace(/script-src &#39;sha256-[^&]*&#39;/, 'script-src &#39;none&#39;'));
    const run = await chromium(blocked, 'dump-dom');
    expect(run.console.length).toBeGreaterThan(0);
    for (const line of run.console) expect(line).toMatch(/Content Security Policy/);
    expect(run.stdout).not.toMatch(/class="\s*js"/);
    const table = run.stdout.match(/<table class="sortable destinations">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(table.match(/<tr>/g)).toHaveLength(fixtureModel().vendors[0].destinations.length + 1);
  });

  it('detects a broken page (negative control for the console check)', async () => {
    const bad = path.join(OUT, 'broken.html');
    writeFileSync(bad, '<!DOCTYPE html><html><body><script>notDefined();</script></body></html>');
    const run = await chromium(bad, 'dump-dom');
    expect(run.console.join('\n')).toMatch(/Uncaught ReferenceError: notDefined/);
  });

  it('sorts a table numerically by a clicked header, and reverses on a second click', async () => {
    const test = path.join(OUT, 'sort.html');
    const body =
      '<table class="sortable"><thead><tr><th>Name</th><th class="num">Bytes</th></tr></thead><tbody>' +
      '<tr><td>b</td><td data-sort="10">10 B</td></tr><tr><td>a</td><td data-sort="2">2 B</td></tr><tr><td>c</td><td data-sort="33">33 B</td></tr>' +
      '</tbody></table>';
    const probe =
      'var th=document.querySelectorAll("th");var out=[];function order(){return Array.prototype.map.call(document.querySelectorAll("tbody tr"),function(r){return r.cells[0].textContent}).join("")}' +
      'th[1].click();out.push(order());th[1].click();out.push(order());th[0].click();out.push(order());document.body.setAttribute("data-result",out.join(","));';
    writeFileSync(test, `<!DOCTYPE html><html><body>${body}<script>${SCRIPT}</script><script>${probe}</script></body></html>`);
    const run = await chromium(test, 'dump-dom');
    expect(run.console).toEqual([]);
    expect(run.stdout).toContain('data-result="abc,cba,abc"');
    expect(run.stdout).toContain('aria-sort="ascending"');
  });
});
