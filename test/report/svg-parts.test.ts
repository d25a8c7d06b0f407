import { describe, expect, it } from 'vitest';
import { CHART_MAX_BARS, renderBarChart } from '../../src/report/chart-svg.js';
import { renderMapSvg } from '../../src/report/map-svg.js';
import { LAKES, LAND } from '../../src/report/world-outline.js';
import { fixtureModel } from './fixture-model.js';

describe('renderBarChart', () => {
  it('draws at most CHART_MAX_BARS bars plus one summing the rest', () => {
    const rows = Array.from({ length: CHART_MAX_BARS + 3 }, (_, i) => ({ key: `k${i}`, bytes_up: 1000 - i, flows: 1 }));
    const svg = renderBarChart('t', rows);
    expect(svg.match(/<rect class="chart-bar"/g)).toHaveLength(CHART_MAX_BARS + 1);
    expect(svg).toContain('other (3)');
    expect(CHART_MAX_BARS).toBe(12);
    expect(svg).toContain(`other (3): 2,961 bytes up in 3 flow(s)`); // 988 + 987 + 986
  });

  it('scales the largest bar to the full width and escapes labels', () => {
    const svg = renderBarChart('<t>', [
      { key: '<b>big</b>', bytes_up: 200, flows: 2 },
      { key: 'half', bytes_up: 100, flows: 1 },
    ]);
    const widths = [...svg.matchAll(/class="chart-bar" x="[^"]*" y="[^"]*" width="([^"]*)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([280, 140]);
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;big&lt;/b&gt;');
    expect(svg).toContain('&lt;t&gt;');
  });

  it('says so when there is no traffic', () => {
    expect(renderBarChart('t', [])).toContain('No traffic.');
  });
});

describe('renderMapSvg', () => {
  const model = fixtureModel();
  const points = model.vendors[0].destinations.map((destination) => ({ vendor: 'V', destination }));

  it('skips destinations without coordinates and draws no lab without a vantage point', () => {
    const svg = renderMapSvg(points, undefined);
    expect(svg.match(/<circle/g)).toHaveLength(points.filter((p) => p.destination.lat !== undefined).length);
    expect(svg).not.toContain('class="lab"');
    expect(svg).not.toContain('map-link');
  });

  it('keeps out-of-range coordinates on the map (clamped to the drawn band)', () => {
    const d = { ...points[0].destination, lat: -89, lon: 200 };
    const svg = renderMapSvg([{ vendor: 'V', destination: d }], model.vantage);
    const m = svg.match(/<circle[^>]* cx="([^"]*)" cy="([^"]*)"/);
    expect(Number(m?.[1])).toBe(1000);
    expect(Number(m?.[2])).toBe(394.4);
  });

  it('sizes circles by the square root of upload bytes', () => {
    const mk = (bytes_up: number) => ({ vendor: 'V', destination: { ...points[0].destination, lat: 10, lon: 10, bytes_up } });
    const radii = [...renderMapSvg([mk(400), mk(100), mk(0)], undefined).matchAll(/ r="([^"]*)"/g)].map((m) => Number(m[1]));
    // sqrt(100/400) = 0.5: halfway between the smallest and largest radius.
    expect(radii).toEqual([18, 10.3, 2.5]);
  });
});

describe('world outline data', () => {
  it('has closed-able polygons of valid [lon, lat] pairs within a few hundred points', () => {
    let points = 0;
    for (const p of [...LAND, ...LAKES]) {
      expect(p.length % 2).toBe(0);
      expect(p.length).toBeGreaterThanOrEqual(6);
      for (let i = 0; i < p.length; i += 2) {
        expect(Math.abs(p[i])).toBeLessThanOrEqual(180);
        expect(Math.abs(p[i + 1])).toBeLessThanOrEqual(90);
      }
      points += p.length / 2;
    }
    expect(points).toBeGreaterThan(300);
    expect(points).toBeLessThan(900);
  });
});
