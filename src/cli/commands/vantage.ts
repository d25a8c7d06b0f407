// Parses `--vantage LAT,LON` into a point, or explains what is wrong with it.

import { UsageError } from '../../errors.js';

export function parseVantage(text: string): { lat: number; lon: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  const lat = m ? Number(m[1]) : NaN;
  const lon = m ? Number(m[2]) : NaN;
  if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180)) {
    throw new UsageError('bad_vantage', `--vantage "${text}": expected LAT,LON in degrees, e.g. 28.6139,77.2090`);
  }
  return { lat, lon };
}
