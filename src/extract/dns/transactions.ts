// Owns pairing DNS queries with their responses into DnsRecords (Zeek dns.log style): key (client ip, client
// port, server ip, server port, id, qname), a response timeout and a cap on waiting queries. mDNS messages are
// not paired (multicast, id 0, answers unsolicited: RFC 6762 18.1) and each becomes its own record; LLMNR
// responses come from the responder's unicast address (RFC 4795 2.1), so the server address is left out of the key.
// Waiting queries are bounded in number and bytes (memoryLimits().dnsPendingQueries / dnsPendingBytes): past either
// bound the oldest is emitted unanswered (`evictedByCap`, anomaly `dns_pending_cap_reached`). They sit in a list in
// arrival order beside the Map, so the oldest is found in O(1) (iterating a Map from its start re-walks the slots of
// deleted entries until V8 rehashes it).
import type { DnsRecord } from '../../types.js';
import { DNS_PENDING_QUERY_BYTES, DNS_RESPONSE_TIMEOUT_S, memoryLimits } from '../../limits.js';
import type { DnsMessage } from './message.js';
import { rcodeName, rrTypeName } from './rr-types.js';
import { dnsFlavourForPorts } from './detect.js';

export interface DnsMessageContext {
  ts: number;
  frame: number;
  transport: 'udp' | 'tcp';
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** uid of the flow carrying the message (see FlowRecord.uid). */
  uid?: string;
}

class PendingQuery {
  prev: PendingQuery | null = null;
  next: PendingQuery | null = null;
  constructor(
    readonly key: string,
    readonly rec: DnsRecord,
    readonly bytes: number,
  ) {}
}

export class DnsTransactions {
  private readonly pending = new Map<string, PendingQuery>();
  /** Arrival order: head is the oldest waiting query. */
  private head: PendingQuery | null = null;
  private tail: PendingQuery | null = null;
  private readonly emit: (r: DnsRecord) => void;
  private readonly maxPending: number;
  private readonly maxBytes: number;
  /** Bytes accounted for the waiting queries. */
  pendingBytes = 0;
  /** Queries emitted unanswered because a bound was reached (anomaly `dns_pending_cap_reached`). */
  evictedByCap = 0;

  constructor(
    emit: (r: DnsRecord) => void,
    maxPending: number = memoryLimits().dnsPendingQueries,
    maxBytes: number = memoryLimits().dnsPendingBytes,
  ) {
    this.emit = emit;
    this.maxPending = Math.max(1, maxPending);
    this.maxBytes = Math.max(1, maxBytes);
  }

  onMessage(msg: DnsMessage, ctx: DnsMessageContext): void {
    const protocol = dnsFlavourForPorts(ctx.srcPort, ctx.dstPort) ?? 'dns';
    if (!msg.isResponse) {
      const rec = baseRecord(msg, ctx, protocol, ctx.srcIp, ctx.srcPort, ctx.dstIp, ctx.dstPort);
      rec.query_seen = true;
      if (protocol === 'mdns') {
        this.emit(rec);
        return;
      }
      const key = pairKey(protocol, ctx.srcIp, ctx.srcPort, ctx.dstIp, ctx.dstPort, msg.id, msg.qname);
      const old = this.pending.get(key);
      if (old !== undefined) {
        // A retransmission: the earlier copy is reported unanswered, the response pairs with the latest.
        this.remove(old);
        this.emit(old.rec);
      }
      const bytes = DNS_PENDING_QUERY_BYTES + key.length + msg.qname.length;
      while (this.head !== null && (this.pending.size >= this.maxPending || this.pendingBytes + bytes > this.maxBytes)) {
        const q = this.head;
        this.remove(q);
        this.evictedByCap++;
        this.emit(q.rec);
      }
      this.add(new PendingQuery(key, rec, bytes));
      return;
    }
    // Response: the client is its destination.
    if (protocol !== 'mdns') {
      const key = pairKey(protocol, ctx.dstIp, ctx.dstPort, ctx.srcIp, ctx.srcPort, msg.id, msg.qname);
      const q = this.pending.get(key);
      if (q !== undefined) {
        this.remove(q);
        const rec = q.rec;
        fillResponse(rec, msg, ctx.frame);
        rec.rtt_ms = Math.round((ctx.ts - rec.ts) * 1e6) / 1e3;
        this.emit(rec);
        return;
      }
    }
    const rec = baseRecord(msg, ctx, protocol, ctx.dstIp, ctx.dstPort, ctx.srcIp, ctx.srcPort);
    fillResponse(rec, msg, ctx.frame);
    this.emit(rec);
  }

  /** Emits, unanswered, the queries older than DNS_RESPONSE_TIMEOUT_S at `nowSec` (capture time). */
  expire(nowSec: number): void {
    const limit = nowSec - DNS_RESPONSE_TIMEOUT_S;
    while (this.head !== null && this.head.rec.ts <= limit) {
      // arrival order is capture order
      const q = this.head;
      this.remove(q);
      this.emit(q.rec);
    }
  }

  /** End of capture: every waiting query is emitted unanswered. */
  flush(): void {
    while (this.head !== null) {
      const q = this.head;
      this.remove(q);
      this.emit(q.rec);
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  private add(q: PendingQuery): void {
    this.pending.set(q.key, q);
    q.prev = this.tail;
    if (this.tail !== null) this.tail.next = q;
    else this.head = q;
    this.tail = q;
    this.pendingBytes += q.bytes;
  }

  private remove(q: PendingQuery): void {
    this.pending.delete(q.key);
    if (q.prev !== null) q.prev.next = q.next;
    else this.head = q.next;
    if (q.next !== null) q.next.prev = q.prev;
    else this.tail = q.prev;
    q.prev = null;
    q.next = null;
    this.pendingBytes -= q.bytes;
  }
}

function pairKey(protocol: string, cIp: string, cPort: number, sIp: string, sPort: number, id: number, qname: string): string {
  return protocol === 'llmnr' ? `${cIp}|${cPort}||${sPort}|${id}|${qname}` : `${cIp}|${cPort}|${sIp}|${sPort}|${id}|${qname}`;
}

function baseRecord(msg: DnsMessage, ctx: DnsMessageContext, protocol: DnsRecord['protocol'], cIp: string, cPort: number,
  sIp: string, sPort: number): DnsRecord {
  return {
    ts: ctx.ts,
    frame: ctx.frame,
    uid: ctx.uid,
    transport: ctx.transport,
    protocol,
    client_ip: cIp,
    client_port: cPort,
    server_ip: sIp,
    server_port: sPort,
    id: msg.id,
    qname: msg.qname,
    qtype: msg.qtype,
    qtype_name: msg.qtype === null ? null : rrTypeName(msg.qtype),
    answers: [],
    query_seen: false,
    response_seen: false,
  };
}

function fillResponse(rec: DnsRecord, msg: DnsMessage, frame: number): void {
  rec.response_seen = true;
  rec.rcode = msg.rcode;
  rec.rcode_name = rcodeName(msg.rcode);
  rec.response_frame = frame;
  rec.answers = msg.answers;
}
