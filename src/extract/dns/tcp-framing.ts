// Owns splitting one direction of a DNS-over-TCP stream (RFC 1035 4.2.2 / RFC 7766: 2-byte length prefix per
// message) into messages: several messages per segment (dnscap dnsotcp-many1pkt.pcap), prefix and body split
// over segments (dnsotcp-manyopkts.pcap), a stream picked up without its SYN, and recovery after a gap
// (do1t-nosyn-1nolen.pcap lost a length prefix). Complete messages inside one input are handed over without
// copying; only a message spanning inputs is copied into the framer's one reused buffer (64 KiB + 2).
import { MIN_DNS_TCP_MESSAGE_BYTES } from '../../limits.js';
import { dnsHeaderPlausible, dnsStructureEnd } from './detect.js';

export type DnsMessageSink = (buf: Buffer, off: number, len: number) => void;

export class DnsTcpFramer {
  /** Partial message (length prefix included) carried over between feeds. */
  private readonly pending: Buffer = Buffer.allocUnsafe(65_537);
  private have = 0;
  /** Total bytes (prefix + body) of the pending message, 0 while the prefix is incomplete. */
  private need = 0;
  /** True at the start and after resync(): the next prefix must be plausible and its header checked. */
  private syncing = true;
  /** Messages handed to the sink, and bytes discarded while out of sync (for counters/anomalies). */
  messages = 0;
  droppedBytes = 0;
  /** Messages delivered without a length prefix (a lost prefix recovered at a segment start). */
  recoveredWithoutPrefix = 0;

  /** After a gap in the stream: drop any partial message; the next feed must start at a segment boundary. */
  resync(): void {
    this.have = 0;
    this.need = 0;
    this.syncing = true;
  }

  /** Feeds contiguous stream bytes; calls onMessage for each complete message. Consumes everything (returns len). */
  feed(buf: Buffer, off: number, len: number, onMessage: DnsMessageSink): number {
    const end = Math.min(off + Math.max(len, 0), buf.length);
    let p = Math.max(off, 0);
    const segmentStart = p;
    while (p < end) {
      if (this.have === 0) {
        if (end - p < 2) {
          this.pending[0] = buf[p];
          this.have = 1;
          p++;
          continue;
        }
        const mlen = (buf[p] << 8) | buf[p + 1];
        if (mlen < MIN_DNS_TCP_MESSAGE_BYTES || (this.syncing && end - p >= 14 && !dnsHeaderPlausible(buf, p + 2, end))) {
          if (this.syncing && p === segmentStart && this.bareMessage(buf, p, end, onMessage)) return end - off;
          return this.lose(p, end, off);
        }
        if (end - p >= 2 + mlen) {
          if (this.syncing && !dnsHeaderPlausible(buf, p + 2, p + 2 + mlen)) return this.lose(p, end, off);
          this.syncing = false;
          this.messages++;
          onMessage(buf, p + 2, mlen);
          p += 2 + mlen;
          continue;
        }
        const n = end - p;
        buf.copy(this.pending, 0, p, end);
        this.have = n;
        this.need = 2 + mlen;
        p = end;
        continue;
      }
      if (this.need === 0) {
        // One prefix byte carried over: complete the prefix.
        this.pending[1] = buf[p++];
        this.have = 2;
        const mlen = (this.pending[0] << 8) | this.pending[1];
        if (mlen < MIN_DNS_TCP_MESSAGE_BYTES) return this.lose(p, end, off);
        this.need = 2 + mlen;
        continue;
      }
      const take = Math.min(this.need - this.have, end - p);
      buf.copy(this.pending, this.have, p, p + take);
      this.have += take;
      p += take;
      if (this.have === this.need) {
        const mlen = this.need - 2;
        this.have = 0;
        this.need = 0;
        if (this.syncing && !dnsHeaderPlausible(this.pending, 2, 2 + mlen)) return this.lose(p, end, off);
        this.syncing = false;
        this.messages++;
        onMessage(this.pending, 2, mlen);
      }
    }
    return end - off;
  }

  /** Out of sync: drop the rest of this input and wait for the next segment boundary. */
  private lose(p: number, end: number, off: number): number {
    this.droppedBytes += end - p;
    this.resync();
    return end - off;
  }

  /** A segment that is exactly one DNS message without its prefix (the prefix went in a lost segment). */
  private bareMessage(buf: Buffer, p: number, end: number, onMessage: DnsMessageSink): boolean {
    if (!dnsHeaderPlausible(buf, p, end) || dnsStructureEnd(buf, p, end) !== end) return false;
    this.syncing = false;
    this.messages++;
    this.recoveredWithoutPrefix++;
    onMessage(buf, p, end - p);
    return true;
  }
}
