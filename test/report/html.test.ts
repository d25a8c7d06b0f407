import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { html as escapeHtml } from '../../src/report/escape.js';
import { CSS, SCRIPT } from '../../src/report/html-assets.js';
import { HTML_NAME_DISPLAY_CHARS } from '../../src/report/html-tables.js';
import { renderHtml } from '../../src/report/html.js';
import { bytes } from '../../src/report/number-format.js';
import { fixtureModel, HOSTILE } from './fixture-model.js';

const model = fixtureModel();
const page = renderHtml(model);

/** Every start tag of the page, with its attribute text. */
function tags(text: string): { name: string; attrs: string }[] {
  const out: { name: string; attrs: string }[] = [];
  for (const m of text.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) out.push({ name: m[1].toLowerCase(), attrs: m[2] });
  return out;
}

/** The page without the contents of its own <style> and <script> elements. */
const markup = page.replace(/<style>[\s\S]*?<\/style>/, '<style></style>').replace(/<script>[\s\S]*?<\/script>/, '<script></script>');

describe('renderHtml escaping', () => {
  it('has exactly one script element (ours) and no markup from the data', () => {
    expect(page.match(/<script/gi)).toHaveLength(1);
    const names = new Set(tags(markup).map((t) => t.name));
    const allowed = ['!doctype', 'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'h1', 'h2', 'h3', 'h4', 'p', 'span', 'nav', 'a', 'section', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'svg', 'rect', 'path', 'circle', 'g', 'text', 'ul', 'li', 'br', 'strong', 'figure', 'figcaption', 'script'];
    expect([...names].filter((n) => !allowed.includes(n))).toEqual([]);
    expect(page).toContain(escapeHtml(HOSTILE.script));
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.evil.example');
  });

  it('quotes every attribute value with double quotes, and nothing but known attributes appear', () => {
    const allowed = /^(class|id|title|href|lang|charset|content|name|http-equiv|colspan|data-sort|data-id|data-dst|data-vantage|viewbox|role|aria-label|aria-hidden|d|x|y|width|height|cx|cy|r|fill|preserveaspectratio)$/;
    for (const t of tags(markup)) {
      if (t.name === '!doctype') continue;
      const rest = t.attrs.replace(/\s([a-zA-Z-]+)="[^"]*"/g, (_, name: string) => {
        expect(name.toLowerCase()).toMatch(allowed);
        return '';
      });
      expect(rest.replace(/\/$/, '').trim()).toBe('');
    }
  });

  it('keeps no control, bidi-override or lone-surrogate characters', () => {
    expect(page).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(page).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(page).toContain('safe\\u202egnp.exe\\u2066x\\u2069.example');
    expect(page).toContain('ctl\\x00\\x07\\x1b[31mred\\x7f\\x85.example');
  });

  it('truncates very long names in the cell but keeps the full name in an escaped title attribute', () => {
    expect(HOSTILE.long.length).toBeGreaterThan(HTML_NAME_DISPLAY_CHARS);
    expect(page).toContain(`<span class="name" title="${HOSTILE.long}">${HOSTILE.long.slice(0, HTML_NAME_DISPLAY_CHARS)}…</span>`);
    expect(page).toContain(`title="${escapeHtml(HOSTILE.quotes)}"`);
    expect(CSS).toMatch(/\.name\{[^}]*text-overflow:ellipsis/);
  });
});

describe('renderHtml self-containment', () => {
  it('references nothing outside the file', () => {
    expect(page).not.toMatch(/\s(src|href|xlink:href|action|poster|srcset)="(?!#)/i);
    expect(page).not.toMatch(/@import/i);
    expect(page).not.toMatch(/url\(/i);
    expect(markup).not.toMatch(/<(link|iframe|object|embed|img|image|use|base|form)\b/i);
    expect(page).not.toMatch(/https?:\/\/(?!evil\.example)/);
  });

  it('pins its own style and script with a CSP that forbids loading anything', () => {
    const b64 = (s: string) => createHash('sha256').update(s, 'utf8').digest('base64');
    const csp = page.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)?.[1]?.replaceAll('&#39;', "'");
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src 'sha256-${b64(CSS)}'`);
    expect(csp).toContain(`script-src 'sha256-${b64(SCRIPT)}'`);
    expect(page).toContain(`<style>${CSS}</style>`);
    expect(page).toContain(`<script>${SCRIPT}</script>`);
    expect(markup).not.toMatch(/\sstyle="/);
  });

  it('has print CSS', () => {
    expect(CSS).toContain('@media print');
  });
});

describe('renderHtml content', () => {
  it('shows a badge per claim and the summary counts', () => {
    for (const v of model.vendors) for (const c of v.claims) expect(page).toContain(`<code>${escapeHtml(c.id)}</code>`);
    expect(page.match(/class="badge v-refuted"/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('draws the land, the lab and one circle per destination with coordinates, largest first', () => {
    const svg = page.match(/<svg class="map"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(svg).toMatch(/<path class="map-land" d="M[^"]{2000,}"/);
    const withCoords = model.vendors.flatMap((v) => v.destinations).filter((d) => d.lat !== undefined && d.lon !== undefined);
    const radii = [...svg.matchAll(/<circle class="dest [^"]*" cx="[^"]*" cy="[^"]*" r="([^"]*)"/g)].map((m) => Number(m[1]));
    expect(radii).toHaveLength(withCoords.filter((d) => d.physical !== 'impossible').length);
    expect(radii).toEqual([...radii].sort((a, b) => b - a));
    expect(radii[0]).toBe(18);
    expect(svg).toContain('<g class="lab">');
    expect(svg).toContain('class="dest c-inconsistent"');
    expect(svg).toContain('class="dest c-consistent"');
    expect(svg).toContain('class="dest c-out"');
    expect(page).toContain(`${withCoords.length} of ${withCoords.length + 1} destination(s) have coordinates`);
    expect(page).toContain(`(largest: ${bytes(Math.max(...withCoords.map((d) => d.bytes_up)))})`);
  });

  it('marks positions the RTT check ruled out as ruled out, not as locations, with legend entries', () => {
    const svg = page.match(/<svg class="map"[\s\S]*?<\/svg>/)?.[0] ?? '';
    const out = model.vendors[0].destinations.filter((d) => d.physical === 'impossible');
    expect(out).toHaveLength(1);
    const d = out[0];
    const cx = Math.round((((d.lon as number) + 180) * 1000) / 36) / 10;
    // The consensus position: a crossed-out dashed ring (no filled dot), titled as ruled out, and no line from the lab to it.
    const ring = svg.match(new RegExp(`<g class="ruled-out [^"]*"><title>([^<]*)</title><circle cx="${cx}" cy="([\\d.]+)" r="[\\d.]+"/><path d="M[^"]+"/></g>`));
    expect(ring?.[1]).toContain(`[${d.server_ip}]`);
    expect(ring?.[1]).toContain('RULED OUT by the RTT check');
    for (const m of svg.matchAll(/<circle class="dest [^>]*><title>([^<]*)</g)) expect(m[1]).not.toContain(d.server_ip + ']');
    const links = svg.match(/<path class="map-link" d="([^"]*)"/)?.[1] ?? '';
    expect(links.split('M').length - 1).toBe(model.vendors[0].destinations.filter((x) => x.lat !== undefined && x.physical !== 'impossible').length);
    // A single source's impossible position (geolite2 in NL for a disputed flow): a small cross titled with the source.
    const src = svg.match(/<path class="src-ruled-out" d="M([\d.]+) ([\d.]+)L[^"]*"><title>([^<]*)<\/title>/);
    expect(Number(src?.[1]) + 3.5).toBeCloseTo(((4.9 + 180) * 1000) / 360, 0);
    expect(src?.[3]).toMatch(/^geolite2-city places .* here \(NL\): RULED OUT by the RTT check/);
    const legend = page.slice(page.indexOf('<div class="legend">'), page.indexOf('</div>', page.indexOf('<div class="legend">')));
    expect(legend).toContain('consensus position ruled out by the RTT check (not a real location)');
    expect(legend).toContain("one source's position ruled out by the RTT check");
    expect(page).toContain('<strong>Ruled out by the RTT check:</strong> 1 consensus position(s) and 1 source position(s)');
  });

  it('says nothing about ruled-out positions when there are none', () => {
    const m = fixtureModel();
    for (const d of m.vendors[0].destinations) {
      d.physical = 'plausible';
      d.geo_sources = d.geo_sources.map((g) => ({ ...g, physical: undefined }));
    }
    const p = renderHtml(m);
    const svg = p.match(/<svg class="map"[\s\S]*?<\/svg>/)?.[0] ?? '';
    expect(svg).toContain('<circle class="dest');
    expect(svg).not.toContain('ruled-out');
    expect(p).not.toContain('Ruled out by the RTT check:');
  });

  it('places the lab by an equirectangular projection (x = (lon + 180) * 1000/360)', () => {
    const m = page.match(/<g class="lab"><path d="M([\d.]+) ([\d.]+)/);
    expect(Number(m?.[1])).toBeCloseTo(((77.209 + 180) * 1000) / 360, 0);
    expect(Number(m?.[2])).toBeCloseTo((((84 - 28.6139) * 1000) / 360) - 9, 0);
  });

  it('charts upload per country and per provider, and has sortable destinations and the provenance appendix', () => {
    expect(page).toContain('Upload bytes per country (consensus)');
    expect(page).toContain('Upload bytes per provider');
    expect(page.match(/<rect class="chart-bar"/g)?.length).toBe(model.vendors[0].bytes_by_country.length + model.vendors[0].bytes_by_provider.length);
    expect(page).toMatch(/<table class="sortable destinations">/);
    expect(page).toContain('id="provenance"');
    for (const i of model.inputs) if (i.sha256 !== undefined) expect(page).toContain(i.sha256);
    for (const g of model.geo_sources) expect(page).toContain(g.sha256);
  });

  it('is deterministic: two renders differ only in generated_at', () => {
    const other = renderHtml(fixtureModel('2031-05-05T05:05:05.000Z'));
    expect(other).not.toBe(page);
    expect(other.replaceAll('2031-05-05T05:05:05.000Z', 'T')).toBe(page.replaceAll(model.generated_at, 'T'));
  });
});
