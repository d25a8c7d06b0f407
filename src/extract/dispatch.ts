// Decides per flow which extractor reads it (content probes first, ports second: TLS and HTTP on any port,
// DNS on 53/5353/5355 or by content, QUIC by its Initial header, DTLS by record header), feeds it the flow's
// bytes (TCP through the capped reassembler in flow/stream.ts), and records what it finds on the flow.
// A flow costs nothing more once it is named or known to hold nothing we read (F_EXTRACT_DONE).

import { PacketView, PROTO_TCP, TCP_SYN } from '../decode/packet-view.js';
import { DIR_AB, F_DIR_FROM_CONTENT, F_DIR_FROM_SYN, F_EXTRACT_DONE, Flow } from '../flow/flow.js';
import { ReassemblyBudget, SEG_BUDGET_EXCEEDED, SEG_OK, STREAM_STOP, TcpStream, type StreamConsumer } from '../flow/stream.js';
import { MAX_HTTP_REQUESTS_PER_FLOW, MAX_PROBE_PACKETS, MAX_QUIC_INITIALS, memoryLimits } from '../limits.js';
import { dnsFlavourForPorts, looksLikeDns } from './dns/detect.js';
import { decodeDnsMessage, isDnsMalformed, type DnsMessage } from './dns/message.js';
import { DnsTcpFramer } from './dns/tcp-framing.js';
import { looksLikeHttpRequest, HttpRequestStream, HTTP_HEAD_TOO_LONG } from './http/request-host.js';
import { looksLikeGoogleQuic, looksLikeQuicInitial } from './quic/header.js';
import { QuicFlowState, QUIC_DONE, QUIC_NOT_QUIC } from './quic/state.js';
import { DtlsHelloAssembler, looksLikeDtls } from './tls/dtls.js';
import { looksLikeTls, scanTlsClientHello, TLS_NEED_MORE } from './tls/record.js';
import type { ClientHelloInfo } from './tls/client-hello.js';
import { ZERO_D } from '../number-fields.js';

/** Ports whose protocols look like DNS to the content heuristic but are not DNS: NetBIOS name/datagram
 *  service (RFC 1002 reuses the DNS header; tshark decodes it as NBNS), DHCP, NTP, SSDP, QUIC. */
export const NOT_DNS_PORTS = new Set([67, 68, 123, 137, 138, 139, 443, 546, 547, 1900]);

export const K_UNKNOWN = 0;
export const K_TLS = 1;
export const K_HTTP = 2;
export const K_DNS = 3;
export const K_QUIC = 4;
export const K_DTLS = 5;
export const K_NONE = 6;

/** What the dispatcher reports; the pipeline turns these into records. */
export interface ExtractSink {
  /** A DNS message was decoded (UDP datagram or one message of a TCP stream). `fromA`: sent by endpoint A. */
  dnsMessage(f: Flow, msg: DnsMessage, fromA: boolean, ts: number, frame: number): void;
  clientHello(f: Flow, info: ClientHelloInfo, frame: number): void;
  quicHello(f: Flow, state: QuicFlowState, frame: number): void;
  httpHost(f: Flow, host: string, frame: number): void;
}

/** Per-direction stream consumer: one object per TCP flow direction that carries data, created lazily. */
class DirConsumer implements StreamConsumer {
  framer: DnsTcpFramer | null = null;
  http: HttpRequestStream | null = null;
  frame = 0;
  constructor(
    private readonly d: Dispatcher,
    readonly flow: Flow,
    readonly fromA: boolean,
  ) {}

  data(buf: Buffer, off: number, len: number, frame: number): number {
    return this.d.streamData(this, buf, off, len, frame);
  }

  gap(): void {
    if (this.framer !== null) this.framer.resync();
    if (this.http !== null) this.http.gap();
    this.flow.addAnomaly('tcp_capture_gap');
  }

  /** The reassembly budget dropped what this direction held (to make room for another flow). */
  shed(): void {
    if (this.framer !== null) this.framer.resync();
    if (this.http !== null) this.http.gap();
    this.flow.addAnomaly('tcp_reassembly_budget_exceeded');
  }
}

export class Dispatcher {
  /** Set by the pipeline while it hands over a packet whose payload was cut short for good (a datagram given up
   *  with fragments missing): a ClientHello still waiting for bytes is then read for what it has. */
  truncated = false;
  /** Reused by the DNS-over-TCP framer callback so no closure is made per segment. */
  private cur: DirConsumer | null = null;
  private curTs = ZERO_D;
  private readonly onTcpDnsMessage = (buf: Buffer, off: number, len: number): void => {
    const c = this.cur as DirConsumer;
    this.dnsPayload(c.flow, buf, off, len, c.fromA, this.curTs, c.frame);
  };
  private httpFlow: Flow | null = null;
  private httpFrame = 0;
  private readonly onHttpHost = (host: string): void => {
    const f = this.httpFlow as Flow;
    if (f.httpHost === undefined) {
      f.httpHost = host;
      // Named: what its streams still hold only feeds `extract`'s later requests, so it goes first under pressure.
      if (f.streamA !== null) this.reassembly.markNamed(f.streamA);
      if (f.streamB !== null) this.reassembly.markNamed(f.streamB);
    }
    this.sink.httpHost(f, host, this.httpFrame);
  };
  /** Bytes buffered for reassembly across all flows (memoryLimits().reassemblyBytes). */
  readonly reassembly: ReassemblyBudget;

  constructor(
    private readonly sink: ExtractSink,
    reassemblyBytes: number = memoryLimits().reassemblyBytes,
  ) {
    this.reassembly = new ReassemblyBudget(reassemblyBytes);
  }

  /** One decoded TCP/UDP packet of flow `f` in direction `dir` (DIR_AB or DIR_BA). */
  packet(f: Flow, v: PacketView, dir: number): void {
    if ((f.state & F_EXTRACT_DONE) !== 0) return;
    const fromA = dir === DIR_AB;
    if (v.proto === PROTO_TCP) this.tcp(f, v, fromA);
    else this.udp(f, v, fromA);
  }

  /** End of flow: deliver what the reassembler still holds across holes. */
  finish(f: Flow): void {
    if (f.streamA !== null) f.streamA.flush(f.firstFrame);
    if (f.streamB !== null) f.streamB.flush(f.firstFrame);
    f.streamA = null;
    f.streamB = null;
  }

  // ------------------------------------------------------------------ TCP

  private tcp(f: Flow, v: PacketView, fromA: boolean): void {
    const flags = v.tcpFlags;
    if ((flags & TCP_SYN) !== 0) {
      if (fromA) f.isnA = v.seq;
      else f.isnB = v.seq;
      const s = fromA ? f.streamA : f.streamB;
      if (s !== null) s.syn(v.seq);
    }
    if (v.payloadLen <= 0) return;
    // Only the client direction matters for TLS and HTTP; DNS reads both.
    if (f.kind === K_TLS || f.kind === K_HTTP) {
      if (fromA !== f.clientIsA) return;
    }
    let s = fromA ? f.streamA : f.streamB;
    if (s === null) {
      s = new TcpStream(new DirConsumer(this, f, fromA), this.reassembly, f);
      if (f.httpHost !== undefined) this.reassembly.markNamed(s);
      const isn = fromA ? f.isnA : f.isnB;
      if (isn >= 0) s.syn(isn);
      if (fromA) f.streamA = s;
      else f.streamB = s;
    }
    this.curTs = v.ts;
    const r = s.segment(v.seq, v.buf, v.payloadOff, v.payloadLen, v.frame);
    if (r !== SEG_OK) f.addAnomaly(r === SEG_BUDGET_EXCEEDED ? 'tcp_reassembly_budget_exceeded' : 'tcp_reassembly_cap_reached');
  }

  /** Contiguous bytes of one direction. Returns bytes consumed or STREAM_STOP. */
  streamData(c: DirConsumer, buf: Buffer, off: number, len: number, frame: number): number {
    const f = c.flow;
    if ((f.state & F_EXTRACT_DONE) !== 0) return STREAM_STOP;
    c.frame = frame;
    if (f.kind === K_UNKNOWN) {
      const k = this.probeTcp(f, buf, off, len);
      if (k === K_UNKNOWN) {
        if (++f.probes > MAX_PROBE_PACKETS) this.done(f, K_NONE);
        return 0;
      }
      if (k === K_NONE) {
        // Nothing we read in this direction. The flow is done when both directions said so, or when a SYN says
        // this is the client; otherwise the other side may still send a ClientHello (a server that talks first,
        // or a port guess that took the server for the client).
        f.noneDirs |= c.fromA ? 1 : 2;
        if (f.noneDirs === 3 || ((f.state & F_DIR_FROM_SYN) !== 0 && c.fromA === f.clientIsA)) this.done(f, K_NONE);
        return STREAM_STOP;
      }
      f.kind = k;
      if (k !== K_DNS) this.orient(f, c.fromA);
    }
    switch (f.kind) {
      case K_TLS: {
        if (c.fromA !== f.clientIsA) return STREAM_STOP;
        const r = scanTlsClientHello(buf, off, off + len, this.truncated);
        if (r === TLS_NEED_MORE) return 0;
        if (typeof r === 'number') {
          this.done(f, K_NONE);
          return STREAM_STOP;
        }
        if ('anomaly' in r) {
          f.addAnomaly(r.anomaly);
          this.done(f, K_TLS);
          return STREAM_STOP;
        }
        this.recordHello(f, r);
        this.sink.clientHello(f, r, frame);
        this.done(f, K_TLS);
        return STREAM_STOP;
      }
      case K_HTTP: {
        if (c.fromA !== f.clientIsA) return STREAM_STOP;
        this.httpFlow = f;
        this.httpFrame = frame;
        if (c.http === null) c.http = new HttpRequestStream();
        const r = c.http.feed(buf, off, len, this.onHttpHost);
        if (c.http.controlHosts > 0) f.addAnomaly('http_host_control_chars');
        if (r < 0 || c.http.requests >= MAX_HTTP_REQUESTS_PER_FLOW) {
          // Not (or no longer) HTTP, a head too long, or enough requests read: the flow is done.
          if (r === HTTP_HEAD_TOO_LONG) f.addAnomaly('http_head_too_long');
          this.done(f, K_HTTP);
          return STREAM_STOP;
        }
        return r;
      }
      case K_DNS: {
        if (c.framer === null) c.framer = new DnsTcpFramer();
        this.cur = c;
        return c.framer.feed(buf, off, len, this.onTcpDnsMessage);
      }
      default:
        return STREAM_STOP;
    }
  }

  private probeTcp(f: Flow, buf: Buffer, off: number, len: number): number {
    if (looksLikeTls(buf, off, len)) return K_TLS;
    if (looksLikeHttpRequest(buf, off, len)) return K_HTTP;
    const flavour = dnsFlavourForPorts(f.portA, f.portB);
    if (flavour !== null || (f.portA !== 443 && f.portB !== 443 && looksLikeDns(buf, off, len, 'tcp'))) return K_DNS;
    if (len < 8) return K_UNKNOWN;
    return K_NONE;
  }

  // ------------------------------------------------------------------ UDP

  private udp(f: Flow, v: PacketView, fromA: boolean): void {
    const buf = v.buf;
    const off = v.payloadOff;
    const len = v.payloadLen;
    if (len <= 0) return;
    if (f.kind === K_UNKNOWN) {
      if (++f.probes > MAX_PROBE_PACKETS) {
        this.done(f, K_NONE);
        return;
      }
      const k = this.probeUdp(f, buf, off, len);
      if (k === K_UNKNOWN) return;
      f.kind = k;
      if (k === K_NONE) {
        this.done(f, K_NONE);
        return;
      }
      if (k === K_QUIC) {
        this.orient(f, fromA);
        f.ext = new QuicFlowState();
      }
    }
    switch (f.kind) {
      case K_DNS:
        this.dnsPayload(f, buf, off, len, fromA, v.ts, v.frame);
        return;
      case K_QUIC: {
        // Decrypted where it arrives, from the read buffer (no copy). Queueing datagrams to decrypt them in batches
        // helped while node:crypto derived the keys; with the JS HMAC (quic/hmac-sha256.ts) the copies and the
        // queue cost more than they saved (npm run bench, back to back: ~1.20 -> ~1.08 s per GB).
        if (f.quicDatagrams >= MAX_QUIC_INITIALS) return;
        f.quicDatagrams++;
        this.quicDatagram(f, buf, off, len, fromA, v.ts, v.frame);
        return;
      }
      case K_DTLS: {
        if (f.ext === null) f.ext = new DtlsHelloAssembler();
        const asm = f.ext as DtlsHelloAssembler;
        const info = asm.add(buf, off, off + len);
        if (asm.failed) {
          f.addAnomaly('dtls_client_hello_unassembled');
          this.done(f, K_DTLS);
          return;
        }
        if (info !== null) {
          this.orient(f, fromA);
          this.recordHello(f, info);
          this.done(f, K_DTLS);
        }
        return;
      }
      default:
        return;
    }
  }

  private quicDatagram(f: Flow, buf: Buffer, off: number, len: number, fromA: boolean, ts: number, frame: number): void {
    const q = f.ext as QuicFlowState;
    const r = q.onDatagram(buf, off, len, fromA === f.clientIsA, ts);
    // Anomalies and the version go on the flow as soon as they are known: a flow whose Initials never decrypt
    // must still say why it has no name (quic_version_unknown, quic_initial_decrypt_failed), even if it never ends.
    for (let i = q.anomaliesOnFlow; i < q.anomalies.length; i++) f.addAnomaly(q.anomalies[i]);
    q.anomaliesOnFlow = q.anomalies.length;
    if (r === QUIC_NOT_QUIC) {
      this.done(f, K_NONE);
      return;
    }
    if (q.versionName !== undefined) f.quicVersion = q.versionName;
    const res = q.result;
    if (res !== undefined && !q.helloOnFlow) {
      q.helloOnFlow = true;
      if (res.sni !== undefined) f.quic = res.sni;
      if (res.alpn.length > 0 && f.alpn === undefined) f.alpn = res.alpn;
      if (res.ech) f.ech = true;
      this.sink.quicHello(f, q, frame);
    }
    if (r === QUIC_DONE) {
      if (res !== undefined && res.serverInitialTs !== undefined) f.quicRttMs = (res.serverInitialTs - res.clientInitialTs) * 1000;
      this.done(f, K_QUIC);
    }
  }

  private probeUdp(f: Flow, buf: Buffer, off: number, len: number): number {
    if (dnsFlavourForPorts(f.portA, f.portB) !== null) return K_DNS;
    if (looksLikeQuicInitial(buf, off, len) || looksLikeGoogleQuic(buf, off, len)) return K_QUIC;
    if (looksLikeDtls(buf, off, len)) return K_DTLS;
    if (!NOT_DNS_PORTS.has(f.portA) && !NOT_DNS_PORTS.has(f.portB) && looksLikeDns(buf, off, len, 'udp')) return K_DNS;
    return K_UNKNOWN;
  }

  private dnsPayload(f: Flow, buf: Buffer, off: number, len: number, fromA: boolean, ts: number, frame: number): void {
    const m = decodeDnsMessage(buf, off, len);
    if (isDnsMalformed(m)) {
      f.addAnomaly('dns_malformed');
      return;
    }
    if (m.anomaly !== undefined) f.addAnomaly(m.anomaly);
    // The querier is the client (orientation from content, unless a SYN fixed it).
    if ((f.state & (F_DIR_FROM_SYN | F_DIR_FROM_CONTENT)) === 0) {
      f.clientIsA = m.isResponse ? !fromA : fromA;
      f.state |= F_DIR_FROM_CONTENT;
    }
    this.sink.dnsMessage(f, m, fromA, ts, frame);
  }

  // ------------------------------------------------------------------ helpers

  /** The sender of a ClientHello / client Initial / request is the client, unless a SYN already said. */
  private orient(f: Flow, senderIsA: boolean): void {
    if ((f.state & F_DIR_FROM_SYN) !== 0) return;
    f.clientIsA = senderIsA;
    f.state |= F_DIR_FROM_CONTENT;
  }

  private recordHello(f: Flow, info: ClientHelloInfo): void {
    if (info.sni !== undefined && f.sni === undefined) f.sni = info.sni;
    if (info.alpn.length > 0) f.alpn = info.alpn;
    if (info.versions.length > 0) f.tlsVersions = info.versions;
    if (info.ech) f.ech = true;
    for (const a of info.anomalies) f.addAnomaly(a);
  }

  private done(f: Flow, kind: number): void {
    f.kind = kind;
    // DNS flows keep being read for their whole life (every message matters); the others stop here.
    if (kind === K_DNS) return;
    f.state |= F_EXTRACT_DONE;
    if (f.streamA !== null) f.streamA.stop();
    if (f.streamB !== null) f.streamB.stop();
    f.streamA = null;
    f.streamB = null;
    f.ext = null;
  }
}
