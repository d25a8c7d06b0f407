// Locale-independent formatting of byte counts, percentages and timestamps for the human-readable reports
// (HTML, Markdown) and the terminal summary. Never uses toLocaleString: output must be byte-identical on every
// machine. One byte unit everywhere: SI (kB = 1000 B, MB = 10^6 B), written only by `bytes` below.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** `1234567` -> `1,234,567`. */
export function grouped(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Decimal (SI) units with one decimal place above 1 kB: `1.5 MB`. */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  let value = n;
  let unit = 0;
  // 999,999 B would round to "1000.0 kB": move up a unit whenever the rounded value reaches 1000.
  while ((unit === 0 ? Math.abs(value) >= 1000 : Math.abs(value) >= 999.95) && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Share of `part` in `whole` as `42.0%`; `-` when the whole is zero. */
export function percent(part: number, whole: number): string {
  if (!(whole > 0)) return '-';
  return `${((100 * part) / whole).toFixed(1)}%`;
}

/** Unix epoch seconds -> `2026-11-23T04:35:51.123Z`; `-` when absent. */
export function isoTime(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined || !Number.isFinite(epochSeconds)) return '-';
  const d = new Date(Math.round(epochSeconds * 1000));
  return Number.isNaN(d.getTime()) ? '-' : d.toISOString();
}

/** Latitude/longitude with 4 decimals (~11 m): `28.6139, 77.2090`. */
export function latLon(lat: number, lon: number): string {
  return `${lat.toFixed(4)}, ${lon.toFixed(4)}`;
}
