// Owns the per-client DNS answer cache that names flows by their server address: each client (handset) has its
// own answers (two handsets never share), answers live for TTL + DNS_TTL_GRACE_S, the most recent answer for an
// address wins, CNAME chains lead back to the name the client asked for, and SVCB/HTTPS ipv4hint/ipv6hint
// addresses name flows too (source `dns_https_hint`). Memory is bounded per client (first-seen address evicted first)
// and in the number of clients. Address strings must come from formatIp() (ip-format.ts) on both sides.
import type { DnsMessage } from '../extract/dns/message.js';
import { DNS_TTL_GRACE_S, MAX_CNAME_CHAIN, MAX_DNS_CACHE_CLIENTS, MAX_DNS_CACHE_ENTRIES_PER_CLIENT } from '../limits.js';

export interface DnsNaming {
  /** The name the client asked for (the first name of the chain). */
  hostname: string;
  /** Queried name -> ... -> owner of the address (length 1 when there was no CNAME). */
  cnameChain: string[];
  source: 'dns' | 'dns_https_hint';
  /** uid of the flow that carried the response, and the response's frame (-1: unknown), for the flow's
   *  `dns_uid`/`dns_frame`: which DNS transaction named it. */
  uid: string | undefined;
  frame: number;
}

// The cache's long-lived entries are class instances, not object literals: V8 tracks an object literal's
// allocation site and, once most of what it allocates survives a young-generation GC, switches the site to old-space
// allocation and throws away the optimised code that allocates there. How soon that happens depends on the heap
// around it (e.g. loaded geo databases), so the DNS code was recompiled in one mode and not the other (`npm run
// bench`, flows-geo against flows; `--trace-deopt` shows the "code dependencies" deopts). Constructed objects have
// no allocation site.
class AddrEntry {
  declare naming: DnsNaming;
  declare added: number;
  declare expires: number;
  constructor(naming: DnsNaming, added: number, expires: number) {
    this.naming = naming;
    this.added = added;
    this.expires = expires;
  }
}

class AliasEntry {
  declare readonly alias: string;
  declare readonly expires: number;
  constructor(alias: string, expires: number) {
    this.alias = alias;
    this.expires = expires;
  }
}

class Naming implements DnsNaming {
  declare readonly hostname: string;
  declare readonly cnameChain: string[];
  declare readonly source: DnsNaming['source'];
  declare readonly uid: string | undefined;
  declare readonly frame: number;
  constructor(hostname: string, cnameChain: string[], source: DnsNaming['source'], uid: string | undefined, frame: number) {
    this.hostname = hostname;
    this.cnameChain = cnameChain;
    this.source = source;
    this.uid = uid;
    this.frame = frame;
  }
}

interface ClientCache {
  /** server address -> naming; Map order is first-seen order (oldest first) for eviction; refreshes update in place. */
  addrs: Map<string, AddrEntry>;
  /** CNAME target -> the alias that pointed at it most recently. */
  aliases: Map<string, AliasEntry>;
}

const TYPE_A = 'A';
const TYPE_AAAA = 'AAAA';
const TYPE_CNAME = 'CNAME';
const TYPE_SVCB = 'SVCB';
const TYPE_HTTPS = 'HTTPS';

export class DnsNameCache {
  private readonly clients = new Map<string, ClientCache>();
  private readonly perClientCap: number;
  private readonly clientCap: number;
  /** Entries dropped because a bound was reached (for the `dns_cache_evicted` counter). */
  evicted = 0;
  private readonly chainScratch: string[] = [];

  constructor(perClientCap: number = MAX_DNS_CACHE_ENTRIES_PER_CLIENT, clientCap: number = MAX_DNS_CACHE_CLIENTS) {
    this.perClientCap = Math.max(1, perClientCap);
    this.clientCap = Math.max(1, clientCap);
  }

  /** Learns the answers of a response received by `clientIp` at capture time `ts` (seconds), carried by the flow
   *  `uid` in frame `frame` (kept with each naming: see DnsNaming). */
  addResponse(clientIp: string, msg: DnsMessage, ts: number, uid?: string, frame = -1): void {
    if (!msg.isResponse) return;
    const c = this.client(clientIp);
    this.memoNaming = null; // aliases may have changed since the last message
    this.msgUid = uid;
    this.msgFrame = frame;
    // CNAMEs first, so that addresses anywhere in the message can walk back to the queried name.
    for (const a of msg.answers) {
      if (a.type === TYPE_CNAME && a.data !== '' && a.data !== a.name) {
        c.aliases.delete(a.data);
        c.aliases.set(a.data, new AliasEntry(a.name, ts + a.ttl + DNS_TTL_GRACE_S));
        this.trim(c.aliases);
      }
    }
    // Lowest precedence first, so a later write for the same address wins: glue, then hints, then answers.
    for (const g of msg.glue) this.learnAddr(c, g.data, g.name, msg.qname, g.ttl, ts, 'dns');
    for (const a of msg.answers) {
      if ((a.type === TYPE_HTTPS || a.type === TYPE_SVCB) && a.hints !== undefined) {
        for (const h of a.hints) this.learnAddr(c, h, a.name, msg.qname, a.ttl, ts, 'dns_https_hint');
      }
    }
    for (const a of msg.answers) {
      if (a.type === TYPE_A || a.type === TYPE_AAAA) this.learnAddr(c, a.data, a.name, msg.qname, a.ttl, ts, 'dns');
    }
  }

  /** The name `clientIp` most recently resolved to `serverIp`, if still within TTL + grace at `ts`. */
  lookup(clientIp: string, serverIp: string, ts: number): DnsNaming | undefined {
    const c = this.clients.get(clientIp);
    if (c === undefined) return undefined;
    const e = c.addrs.get(serverIp);
    if (e === undefined) return undefined;
    if (ts > e.expires) {
      c.addrs.delete(serverIp);
      return undefined;
    }
    return e.naming;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private client(ip: string): ClientCache {
    let c = this.clients.get(ip);
    if (c === undefined) {
      if (this.clients.size >= this.clientCap) {
        const oldest = this.clients.keys().next().value as string;
        this.evicted += this.clients.get(oldest)?.addrs.size ?? 0;
        this.clients.delete(oldest);
      }
      c = { addrs: new Map(), aliases: new Map() };
      this.clients.set(ip, c);
    }
    return c;
  }

  /** The naming built for the last (client, owner, source) of the current message: the A/AAAA records of one
   *  response nearly always share their owner, so they share one naming object (DNS-heavy captures: npm run bench). */
  private memoCache: ClientCache | null = null;
  private memoOwner = '';
  private memoSource: DnsNaming['source'] = 'dns';
  private memoNaming: DnsNaming | null = null;
  /** uid and frame of the response being learnt. */
  private msgUid: string | undefined = undefined;
  private msgFrame = -1;

  private learnAddr(c: ClientCache, addr: string, owner: string, qname: string, ttl: number, ts: number,
    source: DnsNaming['source']): void {
    if (addr === '' || owner === '') return;
    let naming = this.memoNaming;
    if (naming === null || this.memoCache !== c || this.memoOwner !== owner || this.memoSource !== source) {
      const chain = this.chainTo(c, owner, qname, ts);
      naming = new Naming(chain[0], chain, source, this.msgUid, this.msgFrame);
      this.memoCache = c;
      this.memoOwner = owner;
      this.memoSource = source;
      this.memoNaming = naming;
    }
    const e = c.addrs.get(addr);
    if (e !== undefined) {
      // Refreshed in place (no delete + re-insert per answer): eviction order is first-seen order.
      e.naming = naming;
      e.added = ts;
      e.expires = ts + ttl + DNS_TTL_GRACE_S;
      return;
    }
    c.addrs.set(addr, new AddrEntry(naming, ts, ts + ttl + DNS_TTL_GRACE_S));
    this.trim(c.addrs);
  }

  /** Walks aliases back from `owner` (stopping at the queried name, a loop or MAX_CNAME_CHAIN) and returns the
   *  chain in forward order: asked-for name first, owner last. */
  private chainTo(c: ClientCache, owner: string, qname: string, ts: number): string[] {
    // Built in a reused array and handed out as a copy: the copy comes from a builtin, not from an array literal,
    // so it has no allocation site (see AddrEntry).
    const back = this.chainScratch;
    back.length = 0;
    back.push(owner);
    let cur = owner;
    while (cur !== qname && back.length <= MAX_CNAME_CHAIN) {
      const a = c.aliases.get(cur);
      if (a === undefined || a.expires < ts || back.includes(a.alias)) break;
      back.push(a.alias);
      cur = a.alias;
    }
    return back.slice().reverse();
  }

  /** Over the cap, drops the oldest eighth in one pass. Dropping one entry per insert re-walked the Map's
   *  deleted slots from its start every time (V8 keeps them until a rehash): quadratic on DNS-heavy captures. */
  private trim(m: Map<string, unknown>): void {
    if (m.size <= this.perClientCap) return;
    let drop = m.size - this.perClientCap + (this.perClientCap >> 3);
    for (const k of m.keys()) {
      if (drop-- <= 0) break;
      m.delete(k);
      this.evicted++;
    }
  }
}
