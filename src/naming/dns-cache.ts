// Owns the per-client DNS answer cache that names flows by their server address: each client (handset) has its
// own answers (two handsets never share), answers live for TTL + DNS_TTL_GRACE_S, the most recent answer for an
// address wins, CNAME chains lead back to the name the client asked for, and SVCB/HTTPS ipv4hint/ipv6hint
// addresses name flows too (source `dns_https_hint`). Address strings must come from formatIp() (ip-format.ts) on
// both sides.
// Memory is bounded across all clients, in entries and in bytes (memoryLimits().dnsCacheEntries / dnsCacheBytes):
// every entry (address or CNAME alias, of any client) sits in one list, least recently answered or used first; past
// either bound the head goes (counted in `evicted`, anomaly `dns_cache_evicted`), and a client whose last entry goes
// is forgotten. Expired entries met at the head go without counting. Every step is O(1): no scan, no Map iteration
// (iterating a Map from its start re-walks the slots of deleted entries until V8 rehashes it).
import type { DnsMessage } from '../extract/dns/message.js';
import {
  DNS_CACHE_CLIENT_BYTES,
  DNS_CACHE_ENTRY_OVERHEAD_BYTES,
  DNS_TTL_GRACE_S,
  MAX_CNAME_CHAIN,
  memoryLimits,
} from '../limits.js';

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
/** One address (naming !== null) or CNAME alias (alias !== '') of one client, linked in the cache's LRU list. */
class Entry {
  declare prev: Entry | null;
  declare next: Entry | null;
  declare readonly client: ClientCache;
  declare readonly key: string;
  declare naming: DnsNaming | null;
  declare alias: string;
  declare added: number;
  declare expires: number;
  /** Bytes accounted for this entry. */
  declare bytes: number;
  constructor(client: ClientCache, key: string, naming: DnsNaming | null, alias: string, added: number, expires: number, bytes: number) {
    this.prev = null;
    this.next = null;
    this.client = client;
    this.key = key;
    this.naming = naming;
    this.alias = alias;
    this.added = added;
    this.expires = expires;
    this.bytes = bytes;
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

class ClientCache {
  /** server address -> naming. */
  declare readonly addrs: Map<string, Entry>;
  /** CNAME target -> the alias that pointed at it most recently. */
  declare readonly aliases: Map<string, Entry>;
  declare readonly ip: string;
  constructor(ip: string) {
    this.addrs = new Map();
    this.aliases = new Map();
    this.ip = ip;
  }
}

const TYPE_A = 'A';
const TYPE_AAAA = 'AAAA';
const TYPE_CNAME = 'CNAME';
const TYPE_SVCB = 'SVCB';
const TYPE_HTTPS = 'HTTPS';

export class DnsNameCache {
  private readonly clients = new Map<string, ClientCache>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  /** Entries held (addresses and aliases, all clients) and bytes accounted (entries and clients). */
  entries = 0;
  bytes = 0;
  /** Entries dropped because a bound was reached (for the `dns_cache_evicted` anomaly). */
  evicted = 0;
  /** LRU list: head is the least recently answered or used entry. */
  private head: Entry | null = null;
  private tail: Entry | null = null;
  /** The client whose response is being learnt: never forgotten while its entries are added. */
  private current: ClientCache | null = null;
  private readonly chainScratch: string[] = [];
  /** Characters of the names of the chain chainTo() built last. */
  private chainChars = 0;

  constructor(maxEntries: number = memoryLimits().dnsCacheEntries, maxBytes: number = memoryLimits().dnsCacheBytes) {
    this.maxEntries = Math.max(1, maxEntries);
    this.maxBytes = Math.max(1, maxBytes);
  }

  /** Learns the answers of a response received by `clientIp` at capture time `ts` (seconds), carried by the flow
   *  `uid` in frame `frame` (kept with each naming: see DnsNaming). */
  addResponse(clientIp: string, msg: DnsMessage, ts: number, uid?: string, frame = -1): void {
    if (!msg.isResponse) return;
    const c = this.client(clientIp);
    this.current = c;
    this.memoNaming = null; // aliases may have changed since the last message
    this.msgUid = uid;
    this.msgFrame = frame;
    // CNAMEs first, so that addresses anywhere in the message can walk back to the queried name.
    for (const a of msg.answers) {
      if (a.type === TYPE_CNAME && a.data !== '' && a.data !== a.name) this.learnAlias(c, a.data, a.name, a.ttl, ts);
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
    this.current = null;
    if (c.addrs.size === 0 && c.aliases.size === 0) this.forget(c);
  }

  /** The name `clientIp` most recently resolved to `serverIp`, if still within TTL + grace at `ts`. */
  lookup(clientIp: string, serverIp: string, ts: number): DnsNaming | undefined {
    const c = this.clients.get(clientIp);
    if (c === undefined) return undefined;
    const e = c.addrs.get(serverIp);
    if (e === undefined) return undefined;
    if (ts > e.expires) {
      this.remove(e);
      return undefined;
    }
    this.toTail(e);
    return e.naming as DnsNaming;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private client(ip: string): ClientCache {
    let c = this.clients.get(ip);
    if (c === undefined) {
      this.makeRoom(DNS_CACHE_CLIENT_BYTES + ip.length, 0);
      c = new ClientCache(ip);
      this.clients.set(ip, c);
      this.bytes += DNS_CACHE_CLIENT_BYTES + ip.length;
    }
    return c;
  }

  private forget(c: ClientCache): void {
    if (this.clients.get(c.ip) !== c) return;
    this.clients.delete(c.ip);
    this.bytes -= DNS_CACHE_CLIENT_BYTES + c.ip.length;
    if (this.memoCache === c) {
      this.memoCache = null;
      this.memoNaming = null;
    }
  }

  /** The naming built for the last (client, owner, source) of the current message: the A/AAAA records of one
   *  response nearly always share their owner, so they share one naming object (DNS-heavy captures: npm run bench). */
  private memoCache: ClientCache | null = null;
  private memoOwner = '';
  private memoSource: DnsNaming['source'] = 'dns';
  private memoNaming: Naming | null = null;
  /** Characters of the memoised naming's chain (for the byte bound). */
  private memoChars = 0;
  /** uid and frame of the response being learnt. */
  private msgUid: string | undefined = undefined;
  private msgFrame = -1;

  private learnAddr(c: ClientCache, addr: string, owner: string, qname: string, ttl: number, ts: number,
    source: DnsNaming['source']): void {
    if (addr === '' || owner === '') return;
    let naming = this.memoNaming;
    if (naming === null || this.memoCache !== c || this.memoOwner !== owner || this.memoSource !== source) {
      naming = this.chainTo(c, owner, qname, ts, source);
      // The naming also keeps the uid of the DNS flow alive after that flow ended.
      this.memoChars = this.chainChars + (this.msgUid?.length ?? 0);
      this.memoCache = c;
      this.memoOwner = owner;
      this.memoSource = source;
      this.memoNaming = naming;
    }
    const bytes = DNS_CACHE_ENTRY_OVERHEAD_BYTES + addr.length + this.memoChars;
    const expires = ts + ttl + DNS_TTL_GRACE_S;
    const e = c.addrs.get(addr);
    if (e !== undefined) {
      // Refreshed in place (no delete + re-insert in the Map); it becomes the most recently answered.
      this.bytes += bytes - e.bytes;
      e.bytes = bytes;
      e.naming = naming;
      e.added = ts;
      e.expires = expires;
      this.toTail(e);
      this.makeRoom(0, 0);
      return;
    }
    this.makeRoom(bytes, 1, ts);
    const n = new Entry(c, addr, naming, '', ts, expires, bytes);
    c.addrs.set(addr, n);
    this.append(n);
  }

  private learnAlias(c: ClientCache, target: string, alias: string, ttl: number, ts: number): void {
    const bytes = DNS_CACHE_ENTRY_OVERHEAD_BYTES + target.length + alias.length;
    const expires = ts + ttl + DNS_TTL_GRACE_S;
    const e = c.aliases.get(target);
    if (e !== undefined) {
      this.bytes += bytes - e.bytes;
      e.bytes = bytes;
      e.alias = alias;
      e.added = ts;
      e.expires = expires;
      this.toTail(e);
      this.makeRoom(0, 0);
      return;
    }
    this.makeRoom(bytes, 1, ts);
    const n = new Entry(c, target, null, alias, ts, expires, bytes);
    c.aliases.set(target, n);
    this.append(n);
  }

  /** Walks aliases back from `owner` (stopping at the queried name, a loop or MAX_CNAME_CHAIN) and returns the
   *  naming whose chain is in forward order: asked-for name first, owner last. */
  private chainTo(c: ClientCache, owner: string, qname: string, ts: number, source: DnsNaming['source']): Naming {
    // Built in a reused array and handed out as a copy: the copy comes from a builtin, not from an array literal,
    // so it has no allocation site (see Entry).
    const back = this.chainScratch;
    back.length = 0;
    back.push(owner);
    let chars = owner.length;
    let cur = owner;
    while (cur !== qname && back.length <= MAX_CNAME_CHAIN) {
      const a = c.aliases.get(cur);
      if (a === undefined || a.expires < ts || back.includes(a.alias)) break;
      back.push(a.alias);
      chars += a.alias.length;
      cur = a.alias;
    }
    this.chainChars = chars;
    const chain = back.slice().reverse();
    return new Naming(chain[0], chain, source, this.msgUid, this.msgFrame);
  }

  /**
   * Before adding `bytes` and `entries` more: drops expired entries met at the head (not counted), then the least
   * recently answered or used entries until both bounds hold (counted in `evicted`). The client being learnt is
   * kept even when its last entry goes, so its new entries have a home.
   */
  private makeRoom(bytes: number, entries: number, ts = -Infinity): void {
    while (this.head !== null && this.head.expires < ts) this.remove(this.head);
    while (this.head !== null && (this.entries + entries > this.maxEntries || this.bytes + bytes > this.maxBytes)) {
      this.remove(this.head);
      this.evicted++;
    }
  }

  private remove(e: Entry): void {
    const c = e.client;
    if (e.naming !== null) {
      if (c.addrs.get(e.key) === e) c.addrs.delete(e.key);
    } else if (c.aliases.get(e.key) === e) c.aliases.delete(e.key);
    this.unlink(e);
    this.entries--;
    this.bytes -= e.bytes;
    if (c !== this.current && c.addrs.size === 0 && c.aliases.size === 0) this.forget(c);
  }

  private append(e: Entry): void {
    e.prev = this.tail;
    e.next = null;
    if (this.tail !== null) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    this.entries++;
    this.bytes += e.bytes;
  }

  private unlink(e: Entry): void {
    if (e.prev !== null) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = null;
    e.next = null;
  }

  private toTail(e: Entry): void {
    if (this.tail === e) return;
    this.unlink(e);
    e.prev = this.tail;
    if (this.tail !== null) this.tail.next = e;
    else this.head = e;
    this.tail = e;
  }
}
