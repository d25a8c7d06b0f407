// Synthetic measurement files for tests: RIPE Atlas ping results (firmware 5000 layout, as a JSON list or one
// object per line) and probe metadata (the probes API objects), plain ping output (iputils, BSD/macOS, Windows) and
// mtr output (--report text and --json), written from runs of RTTs so parsers can be checked by round trip.
// Deterministic for the same input.

/** One ping run: RTTs in order, `null` for a timeout; `dup` marks replies to repeat as duplicates. */
export interface SynthRun {
  dst: string;
  rtts: (number | null)[];
  /** Unix time (s) of the run. */
  timestamp: number;
  /** RIPE Atlas only: the probe that ran it. */
  prb_id?: number;
  /** Indexes of replies to repeat as a duplicate (Atlas `dup`, ping `(DUP!)`), with a smaller RTT than any. */
  dup?: number[];
}

export interface SynthProbe {
  id: number;
  lat: number;
  lon: number;
  country_code?: string;
  asn_v4?: number;
}

const fmt3 = (v: number): string => v.toFixed(3);

function replies(run: SynthRun): number[] {
  return run.rtts.filter((r): r is number => r !== null);
}

/** One Atlas ping result object (fw 5020). Duplicates carry `dup: 1` and half the smallest RTT. */
export function atlasResult(run: SynthRun, msmId = 1001): Record<string, unknown> {
  const got = replies(run);
  const result: Record<string, unknown>[] = [];
  run.rtts.forEach((r, i) => {
    result.push(r === null ? { x: '*' } : { rtt: r });
    if (r !== null && run.dup?.includes(i)) result.push({ rtt: Math.min(...got) / 2, dup: 1 });
  });
  const min = got.length > 0 ? Math.min(...got) : -1;
  const max = got.length > 0 ? Math.max(...got) : -1;
  const avg = got.length > 0 ? got.reduce((a, b) => a + b, 0) / got.length : -1;
  return {
    fw: 5020,
    mver: '2.6.2',
    lts: 12,
    dst_name: run.dst,
    af: run.dst.includes(':') ? 6 : 4,
    dst_addr: run.dst,
    src_addr: '192.168.1.10',
    proto: 'ICMP',
    ttl: 54,
    size: 48,
    result,
    dup: run.dup?.length ?? 0,
    rcvd: got.length,
    sent: run.rtts.length,
    min,
    max,
    avg,
    msm_id: msmId,
    prb_id: run.prb_id ?? 1,
    timestamp: run.timestamp,
    msm_name: 'Ping',
    from: '198.51.100.7',
    type: 'ping',
    group_id: msmId,
    step: 240,
    stored_timestamp: run.timestamp + 2,
  };
}

/** Atlas results as the API gives them: a pretty-printed JSON list, or one object per line (`?format=txt`). */
export function atlasResultsText(runs: SynthRun[], form: 'list' | 'lines'): string {
  const objs = runs.map((r) => atlasResult(r));
  return form === 'list' ? JSON.stringify(objs, null, 2) + '\n' : objs.map((o) => JSON.stringify(o)).join('\n') + '\n';
}

/** Probe metadata as the probes API gives it (`{ count, next, previous, results }`), or a bare list. */
export function atlasProbesText(probes: SynthProbe[], form: 'page' | 'list'): string {
  const objs = probes.map((p) => ({
    address_v4: null,
    asn_v4: p.asn_v4 ?? null,
    asn_v6: null,
    country_code: p.country_code ?? null,
    description: `probe ${p.id}`,
    geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
    id: p.id,
    is_anchor: false,
    is_public: true,
    status: { id: 1, name: 'Connected', since: '2024-01-01T00:00:00Z' },
    type: 'Probe',
  }));
  const doc = form === 'page' ? { count: objs.length, next: null, previous: null, results: objs } : objs;
  return JSON.stringify(doc, null, 2) + '\n';
}

export type PingStyle = 'iputils' | 'bsd' | 'windows';

/** Ping output of one run in the given style (iputils with `-D` timestamps when `dashD`). */
export function pingText(run: SynthRun, style: PingStyle, dashD = false): string {
  const got = replies(run);
  const lines: string[] = [];
  const v6 = run.dst.includes(':');
  if (style === 'iputils') lines.push(v6 ? `PING ${run.dst}(${run.dst}) 56 data bytes` : `PING ${run.dst} (${run.dst}) 56(84) bytes of data.`);
  else if (style === 'bsd') lines.push(`PING ${run.dst} (${run.dst}): 56 data bytes`);
  else lines.push('', `Pinging ${run.dst} with 32 bytes of data:`);
  run.rtts.forEach((r, i) => {
    const seq = style === 'bsd' ? i : i + 1;
    const ts = dashD ? `[${(run.timestamp + i).toFixed(6)}] ` : '';
    if (r === null) {
      if (style === 'bsd') lines.push(`Request timeout for icmp_seq ${seq}`);
      else if (style === 'windows') lines.push('Request timed out.');
      return;
    }
    if (style === 'windows') lines.push(`Reply from ${run.dst}: bytes=32 time=${Math.max(1, Math.round(r))}ms TTL=57`);
    else lines.push(`${ts}64 bytes from ${run.dst}: icmp_seq=${seq} ttl=57 time=${style === 'bsd' ? fmt3(r) : r.toFixed(1)} ms`);
    if (run.dup?.includes(i) && style !== 'windows') {
      lines.push(`${ts}64 bytes from ${run.dst}: icmp_seq=${seq} ttl=57 time=${fmt3(Math.min(...got) / 2)} ms (DUP!)`);
    }
  });
  const min = got.length ? Math.min(...got) : 0;
  const max = got.length ? Math.max(...got) : 0;
  const avg = got.length ? got.reduce((a, b) => a + b, 0) / got.length : 0;
  const loss = ((run.rtts.length - got.length) / Math.max(1, run.rtts.length)) * 100;
  if (style === 'iputils') {
    lines.push('', `--- ${run.dst} ping statistics ---`, `${run.rtts.length} packets transmitted, ${got.length} received, ${Math.round(loss)}% packet loss, time ${run.rtts.length * 1000}ms`);
    if (got.length) lines.push(`rtt min/avg/max/mdev = ${fmt3(min)}/${fmt3(avg)}/${fmt3(max)}/0.100 ms`);
  } else if (style === 'bsd') {
    lines.push('', `--- ${run.dst} ping statistics ---`, `${run.rtts.length} packets transmitted, ${got.length} packets received, ${loss.toFixed(1)}% packet loss`);
    if (got.length) lines.push(`round-trip min/avg/max/stddev = ${fmt3(min)}/${fmt3(avg)}/${fmt3(max)}/0.100 ms`);
  } else {
    lines.push('', `Ping statistics for ${run.dst}:`, `    Packets: Sent = ${run.rtts.length}, Received = ${got.length}, Lost = ${run.rtts.length - got.length} (${Math.round(loss)}% loss),`);
    if (got.length) {
      lines.push('Approximate round trip times in milli-seconds:', `    Minimum = ${Math.max(1, Math.round(min))}ms, Maximum = ${Math.round(max)}ms, Average = ${Math.round(avg)}ms`);
    }
  }
  return lines.join('\n') + '\n';
}

/** One hop of a synthetic trace: its address (undefined: no answer, `???`) and best RTT. */
export interface SynthHop {
  ip?: string;
  best: number;
  sent: number;
  received: number;
}

function hopStats(h: SynthHop): { loss: number; last: number; avg: number; wrst: number } {
  const loss = h.sent === 0 ? 100 : ((h.sent - h.received) / h.sent) * 100;
  const ok = h.ip !== undefined && h.received > 0;
  return { loss, last: ok ? h.best + 0.4 : 0, avg: ok ? h.best + 0.2 : 0, wrst: ok ? h.best + 0.9 : 0 };
}

/** `mtr --report-wide` text for a trace (mtr 0.95 layout; `Start:` in ISO form). */
export function mtrReportText(hops: SynthHop[], timestamp: number, localHost = 'lab-host'): string {
  const lines = [`Start: ${new Date(timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, '+0000')}`];
  lines.push(`HOST: ${localHost.padEnd(26)}Loss%   Snt   Last   Avg  Best  Wrst StDev`);
  hops.forEach((h, i) => {
    const s = hopStats(h);
    const host = (h.ip ?? '???').padEnd(26);
    const best = h.ip !== undefined && h.received > 0 ? h.best : 0;
    // As mtr's data_fields formats: each value has a leading space (" %5.1f"), so wide values never run together.
    const col = (v: number): string => ' ' + v.toFixed(1).padStart(5);
    lines.push(
      `${String(i + 1).padStart(3)}.|-- ${host}${s.loss.toFixed(1).padStart(5)}%${String(h.sent).padStart(6)}` +
        `${col(s.last)}${col(s.avg)}${col(best)}${col(s.wrst)}${col(0.3)}`,
    );
  });
  return lines.join('\n') + '\n';
}

/** `mtr --json` for a trace to `dst` (mtr 0.95: numbers unquoted; `quoted` gives 0.92's quoted counts). */
export function mtrJsonText(dst: string, hops: SynthHop[], quoted = false): string {
  const hubs = hops.map((h, i) => {
    const s = hopStats(h);
    const best = h.ip !== undefined && h.received > 0 ? Number(h.best.toFixed(2)) : 0;
    return {
      count: quoted ? String(i + 1) : i + 1,
      host: h.ip ?? '???',
      'Loss%': Number(s.loss.toFixed(1)),
      Snt: h.sent,
      Last: Number(s.last.toFixed(2)),
      Avg: Number(s.avg.toFixed(2)),
      Best: best,
      Wrst: Number(s.wrst.toFixed(2)),
      StDev: 0.3,
    };
  });
  const doc = { report: { mtr: { src: 'lab-host', dst, tos: 0, tests: hops[0]?.sent ?? 10, psize: '64', bitpattern: '0x00' }, hubs } };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Offsets (ms) of a derived ping run's replies from the handshake RTT: the second reply is the fastest. */
const DERIVED_PING_OFFSETS = [0.3, 0, 0.5, 0.2] as const;

/**
 * iputils ping output (with `-D` timestamps) from the lab where `flows` were captured, as a lab that keeps only Zeek
 * or Suricata logs would measure it: one run per address that has a handshake RTT (addresses in text order), whose
 * fastest reply is the address's fastest handshake RTT, rounded up to the 0.1 ms iputils prints (so the disc it
 * gives is never smaller than the handshake's). Deterministic; `timestamp` (Unix s) is the first run's time.
 */
export function labPingFromHandshakes(flows: Iterable<{ server_ip: string; rtt_ms?: number }>, timestamp: number): string {
  const fastest = new Map<string, number>();
  for (const f of flows) {
    if (f.rtt_ms === undefined || !Number.isFinite(f.rtt_ms) || f.rtt_ms < 0) continue;
    const was = fastest.get(f.server_ip);
    if (was === undefined || f.rtt_ms < was) fastest.set(f.server_ip, f.rtt_ms);
  }
  const ips = [...fastest.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ips
    .map((dst, i) => {
      // Tenths of a millisecond as integers, so the rounding up is exact (58.4 stays 58.4, 58.41 becomes 58.5).
      const tenths = Math.ceil(Math.round((fastest.get(dst) as number) * 1000) / 100);
      const rtts = DERIVED_PING_OFFSETS.map((o) => (tenths + Math.round(o * 10)) / 10);
      return pingText({ dst, rtts, timestamp: timestamp + i * 10 }, 'iputils', true);
    })
    .join('');
}
