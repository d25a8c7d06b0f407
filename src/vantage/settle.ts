// Owns settling a disputed country by physics: geolocation (geo/) never knows where a capture was taken; once the
// vantage rule (pipeline/flow-geo.ts) or the audit's physical rule (audit/vantage-check.ts) has marked each source's
// position plausible or impossible, a dispute the impossible ones caused is settled by the rest.

import { consensus, type Consensus } from '../geo/consensus.js';
import type { GeoSourceAnswer } from '../types.js';

/**
 * A dispute settled by physics, for a `disputed` consensus whose `located` answers carry their physical check:
 * against one handshake RTT from one lab (physics.ts, `flows --vantage`) or against the feasible region of every
 * measurement of the address (the audit: audit/vantage-check.ts); either way `impossible` means a measurement
 * rules the position out. Every located answer naming a city at an impossible position is set aside; when one
 * remaining located answer is plausible and the rest (registration included) then agree, or one remains, that is
 * the consensus, its place from the plausible answers first; else undefined. Only city answers are set aside: a
 * country-level answer's coordinates are a representative point (GeoLite2's US one is in Kansas), and a country can
 * be within reach where that point is not; whois answers state no position at all.
 */
export function settleByRtt(located: GeoSourceAnswer[], registration: GeoSourceAnswer[]): Consensus | undefined {
  let setAside = 0;
  let plausible = 0;
  for (const a of located) {
    if (a.physical === 'impossible' && a.city !== undefined) setAside++;
    else if (a.physical === 'plausible' && a.country) plausible++;
  }
  if (setAside === 0 || plausible === 0) return undefined;
  const remaining: GeoSourceAnswer[] = [];
  for (const a of located) if (a.physical === 'plausible') remaining.push(a);
  for (const a of located) if (a.physical !== 'plausible' && !(a.physical === 'impossible' && a.city !== undefined)) remaining.push(a);
  const c = consensus(remaining, registration);
  return c.agreement === 'agree' || c.agreement === 'single-source' ? c : undefined;
}
