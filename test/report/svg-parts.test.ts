import { describe, expect, it } from 'vitest';
import { CHART_MAX_BARS, renderBarChart } from '../../src/report/chart-svg.js';
import { LAT_TOP, renderMapSvg, WIDTH } from '../../src/report/map-svg.js';
import { discPath, mapAttribution, worldMapPaths } from '../../src/report/world-map.js';
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

describe('renderMapSvg with measurements', () => {
  const disc = (vantage_id: string, lat: number, lon: number, radius_km: number) => ({ vantage: vantage_id, vantage_id, rtt_ms: 1, file: 'a.json', line: 2, lat, lon, radius_km, binding: true });
  const svg = renderMapSvg([], undefined, {
    vantagePoints: [
      { id: 'paris', name: 'Paris <lab> & "co"', kind: 'lab', lat: 48.8566, lon: 2.3522, country: 'FR' },
      { id: 'atlas:6001', name: 'RIPE Atlas probe 6001', kind: 'probe', lat: 50.1109, lon: 8.6821, country: 'DE' },
    ],
    regions: [
      { dst_addr: '192.0.2.1', discs: [disc('paris', 48.8566, 2.3522, 150), disc('atlas:6001', 50.1109, 8.6821, 600)], discs_omitted: 0, empty: false, witness: { lat: 49.5, lon: 4 } },
      { dst_addr: '192.0.2.2', discs: [disc('atlas:6001', 50.1109, 8.6821, 250), disc('paris', 1.35, 103.8, 250)], discs_omitted: 0, empty: true, anycast: { reason: 'answered <both>', measurements: [] } },
    ],
  });

  it('draws every lab (named, escaped) and probe, and each region\'s discs with its witness; anycast regions apart', () => {
    expect(svg.match(/<g class="lab" data-id="paris">/g)).toHaveLength(1);
    expect(svg).toContain('Paris &lt;lab&gt; &amp; &quot;co&quot;');
    expect(svg).not.toContain('<lab>');
    expect(svg.match(/<path class="probe" data-id="atlas:6001"/g)).toHaveLength(1);
    expect(svg.match(/<g class="feasible-region" data-dst="192.0.2.1">/g)).toHaveLength(1);
    expect(svg.match(/<g class="feasible-region anycast" data-dst="192.0.2.2">/g)).toHaveLength(1);
    expect(svg.match(/class="feasible-disc"/g)).toHaveLength(4);
    expect(svg.match(/class="feasible-witness"/g)).toHaveLength(1);
    expect(svg).toContain('answered &lt;both&gt;');
  });

  it('draws a disc as the points within its radius of the centre', () => {
    const K = WIDTH / 360;
    const d = discPath({ width: WIDTH, latTop: LAT_TOP }, 48.8566, 2.3522, 500);
    const pts = subPaths(d).flat();
    expect(pts.length).toBeGreaterThan(20);
    const cx = (2.3522 + 180) * K;
    const cy = (LAT_TOP - 48.8566) * K;
    const dLat = 500 / 111.195;
    for (const [x, y] of pts) {
      // Back to degrees: within the disc's latitude span and, at this latitude, its longitude span.
      expect(Math.abs(y - cy) / K).toBeLessThanOrEqual(dLat + 0.1);
      expect(Math.abs(x - cx) / K).toBeLessThanOrEqual(dLat / Math.cos(((48.8566 + dLat) * Math.PI) / 180) + 0.1);
    }
    const ys = pts.map((p) => p[1]);
    expect((Math.max(...ys) - Math.min(...ys)) / K).toBeGreaterThan(2 * dLat - 0.2);
  });
});

/** Absolute sub-paths of compact path data (M x y, l dx dy, z): lists of [x, y] points. */
function subPaths(d: string): [number, number][][] {
  const out: [number, number][][] = [];
  const re = /([Mlz])([^Mlz]*)/g;
  let cur: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const m of d.matchAll(re)) {
    const nums = (m[2].match(/-?(?:\d+\.?\d*|\.\d+)/g) ?? []).map(Number);
    if (m[1] === 'M') {
      if (cur.length) out.push(cur);
      [x, y] = nums;
      cur = [[x, y]];
    } else if (m[1] === 'l') {
      x += nums[0];
      y += nums[1];
      cur.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
    } else {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Even-odd planar point in polygon over every ring of the land. */
function onLand(rings: [number, number][][], px: number, py: number): boolean {
  let inside = false;
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i];
      const [xj, yj] = r[j];
      if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

describe('world map from Natural Earth (world-atlas 1:110m)', () => {
  const world = worldMapPaths({ width: WIDTH, latTop: LAT_TOP });
  const k = WIDTH / 360;
  const at = (lat: number, lon: number): [number, number] => [(lon + 180) * k, (LAT_TOP - lat) * k];

  it('draws land and borders as compact path data within the frame', () => {
    expect(world).toBeDefined();
    const { land, borders } = world as { land: string; borders: string };
    for (const d of [land, borders]) {
      expect(d).toMatch(/^M[-\d. Mlz]+$/);
      expect(d).not.toMatch(/\.\d\d/); // 0.1-unit rounding
    }
    // Small enough for a self-contained report, large enough to be the real coastline (not a placeholder).
    expect(land.length).toBeGreaterThan(20_000);
    expect(land.length + borders.length).toBeLessThan(70_000);
    const rings = subPaths(land);
    expect(rings.length).toBeGreaterThan(100);
    for (const r of rings) for (const [x, y] of r) {
      expect(x).toBeGreaterThanOrEqual(-0.1);
      expect(x).toBeLessThanOrEqual(WIDTH + 0.1);
      expect(y).toBeGreaterThanOrEqual(-0.1);
      expect(y).toBeLessThan((LAT_TOP + 60) * k); // nothing of Antarctica (south of 60 S)
    }
  });

  it('puts cities on land and oceans at sea, at the points the destinations use', () => {
    const rings = subPaths((world as { land: string }).land);
    for (const [name, lat, lon] of [['New Delhi', 28.61, 77.21], ['Paris', 48.86, 2.35], ['Chicago', 41.88, -87.63], ['Sao Paulo', -23.55, -46.63], ['Nairobi', -1.29, 36.82], ['Alice Springs', -23.7, 133.88], ['Anchorage', 61.2, -149.9]] as const) {
      expect(onLand(rings, ...at(lat, lon)), name).toBe(true);
    }
    for (const [name, lat, lon] of [['mid-Pacific', 0, -150], ['mid-Atlantic', 30, -40], ['Indian Ocean', -20, 80], ['Caspian Sea', 42, 50.5], ['Mediterranean', 35, 18]] as const) {
      expect(onLand(rings, ...at(lat, lon)), name).toBe(false);
    }
  });

  it('is the same string every time (byte-reproducible report)', () => {
    const svg = renderMapSvg([], undefined);
    expect(renderMapSvg([], undefined)).toBe(svg);
    expect(svg).toContain(`<path class="map-land" d="${(world as { land: string }).land}"/>`);
    expect(svg).toContain('<path class="map-border" d="');
  });

  it('credits Natural Earth and world-atlas with its version', () => {
    expect(mapAttribution()).toMatch(/Natural Earth.*public domain.*world-atlas \d+\.\d+\.\d+ .*ISC/);
  });
});
