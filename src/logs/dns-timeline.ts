// Names flows read from logs by the DNS answers their client received before the flow started, with the same
// rules as a capture (naming/dns-cache.ts: per client, most recent answer wins, TTL + grace, CNAME chains back
// to the queried name): responses are fed, in time order, to a DnsNameCache, and the naming it gives each
// answered address is kept on a timeline per (client, address). A flow then looks up the last naming at or
// before its start. Why a timeline rather than the cache alone: Zeek writes conn.log when a connection ends, so
// flows do not come in start order, and eve.json logs a flow only after DNS answers that came later than its
// start. Bounded by the memory budget (MemoryLimits.logDnsAnswers: oldest first; anomaly `log_dns_timeline_cap_reached`).

import type { DnsMessage } from '../extract/dns/message.js';
import { DNS_TTL_GRACE_S, memoryLimits, type MemoryLimits } from '../limits.js';
import { DnsNameCache, type DnsNaming } from '../naming/dns-cache.js';

interface Entry {
  ts: number;
  expires: number;
  naming: DnsNaming;
}

const TYPE_A = 'A';
const TYPE_AAAA = 'AAAA';
const TYPE_SVCB = 'SVCB';
const TYPE_HTTPS = 'HTTPS';

export class DnsTimeline {
  private readonly cache: DnsNameCache;
  private readonly byKey = new Map<string, Entry[]>();
  /** Keys in the order their entries were added, for dropping the oldest when over the bound. */
  private readonly order: string[] = [];
  private orderHead = 0;
  private size = 0;
  /** Entries dropped because `cap` was reached. */
  dropped = 0;

  /** `limits`: the budget (the naming cache CNAME chains are resolved through, and the answers kept); `cap`: answers
   *  kept, when not the budget's. */
  constructor(
    limits: MemoryLimits = memoryLimits(),
    private readonly cap: number = limits.logDnsAnswers,
  ) {
    this.cache = new DnsNameCache(limits.dnsCacheEntries, limits.dnsCacheBytes);
  }

  /** Learns a response received by `clientIp` at `ts`, carried by flow `uid` (frame -1 when unknown). Responses
   *  should come in time order (CNAMEs of earlier responses lead back to queried names). */
  addResponse(clientIp: string, msg: DnsMessage, ts: number, uid: string | undefined, frame: number): void {
    if (!msg.isResponse) return;
    this.cache.addResponse(clientIp, msg, ts, uid, frame);
    for (const g of msg.glue) this.record(clientIp, g.data, g.ttl, ts);
    for (const a of msg.answers) {
      if ((a.type === TYPE_HTTPS || a.type === TYPE_SVCB) && a.hints !== undefined) for (const h of a.hints) this.record(clientIp, h, a.ttl, ts);
      if (a.type === TYPE_A || a.type === TYPE_AAAA) this.record(clientIp, a.data, a.ttl, ts);
    }
  }

  /** The naming `clientIp` had for `serverIp` at `ts`: the last answer at or before it, if within TTL + grace. */
  lookup(clientIp: string, serverIp: string, ts: number): DnsNaming | undefined {
    const list = this.byKey.get(clientIp + '|' + serverIp);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].ts <= ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const e = list[found];
    return ts <= e.expires ? e.naming : undefined;
  }

  private record(clientIp: string, addr: string, ttl: number, ts: number): void {
    if (addr === '') return;
    const naming = this.cache.lookup(clientIp, addr, ts);
    if (naming === undefined) return;
    const key = clientIp + '|' + addr;
    let list = this.byKey.get(key);
    if (list === undefined) {
      list = [];
      this.byKey.set(key, list);
    }
    const e: Entry = { ts, expires: ts + ttl + DNS_TTL_GRACE_S, naming };
    // Usually appended (time order); a response logged a little out of order is inserted where it belongs.
    let i = list.length;
    while (i > 0 && list[i - 1].ts > ts) i--;
    list.splice(i, 0, e);
    this.order.push(key);
    if (++this.size > this.cap) this.dropOldest();
  }

  private dropOldest(): void {
    while (this.size > this.cap && this.orderHead < this.order.length) {
      const key = this.order[this.orderHead++];
      const list = this.byKey.get(key);
      if (list === undefined || list.length === 0) continue;
      list.shift();
      if (list.length === 0) this.byKey.delete(key);
      this.size--;
      this.dropped++;
    }
    if (this.orderHead > 65_536 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }
}
