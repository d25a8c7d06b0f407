// One bidirectional transport flow: its key, counters per direction, TCP state, handshake timing and the
// name evidence the extractors found. Allocated once per flow (never per packet); every field set here.

import type { FlowAnomaly } from '../anomalies.js';
import type { NameSource } from '../types.js';
import type { TcpStream } from './stream.js';
import { UNSET_D } from '../number-fields.js';

/** Direction index of a packet relative to the flow's A/B endpoints (A = first sender seen). */
export const DIR_AB = 0;
export const DIR_BA = 1;

// Flow state bits.
export const F_FIN_A = 1;
export const F_FIN_B = 2;
export const F_RST = 4;
/** Orientation came from a SYN (or SYN/ACK), not from a port heuristic. */
export const F_DIR_FROM_SYN = 8;
/** Orientation confirmed by content (ClientHello, QUIC client Initial, HTTP request, DNS query). */
export const F_DIR_FROM_CONTENT = 16;
/** No further extraction wanted for this flow. */
export const F_EXTRACT_DONE = 32;

export class Flow {
  readonly id: number;
  readonly proto: number;
  readonly ipVersion: number;
  /** Endpoint addresses as 32-bit words (IPv4 uses word 0 only): compared without loops on the hot path. */
  readonly a0: number;
  readonly a1: number;
  readonly a2: number;
  readonly a3: number;
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly b3: number;
  readonly portA: number;
  readonly portB: number;
  readonly hash: number;
  /** Printable addresses, formatted once when the flow is created. */
  ipA = '';
  ipB = '';
  /** Chaining in the hash bucket. */
  nextInBucket: Flow | null = null;
  /** Doubly linked list in its eviction queue (ordered by last activity). */
  prevLru: Flow | null = null;
  nextLru: Flow | null = null;
  queue = -1;
  /** Frame of the record that last moved it in its queue (its place there, for a split run's merge). */
  touchFrame = 0;

  /** true when A is the client. */
  clientIsA = true;
  state = 0;
  firstTs: number;
  lastTs: number;
  firstFrame: number;
  packets0 = 0;
  packets1 = 0;
  bytes0 = 0;
  bytes1 = 0;
  payload0 = 0;
  payload1 = 0;
  /** Union of TCP flags seen. */
  tcpFlags = 0;
  /** Last SYN (no ACK) time and first SYN/ACK time, -1 when unseen. */
  synTs = UNSET_D;
  synAckTs = UNSET_D;
  /** Initial sequence numbers of the SYN, to tell a port reuse from a retransmission. */
  synSeq = UNSET_D;
  macA: string | undefined = undefined;
  macB: string | undefined = undefined;
  vlan: number;
  appUid = -1;

  /** Extraction state, owned by extract/dispatch.ts. */
  kind = 0;
  /** Data packets looked at before the protocol was recognised. */
  probes = 0;
  /** Directions (bit 1 = A, 2 = B) whose first bytes matched no extractor. */
  noneDirs = 0;
  /** QUIC datagrams handed to the QUIC extractor so far (capped by MAX_QUIC_INITIALS). */
  quicDatagrams = 0;
  /** Initial sequence numbers from the SYN of each direction, -1 when unseen. */
  isnA = UNSET_D;
  isnB = UNSET_D;
  streamA: TcpStream | null = null;
  streamB: TcpStream | null = null;
  /** Opaque per-protocol state (QUIC, DNS framers), owned by the dispatcher. */
  ext: unknown = null;

  sni: string | undefined = undefined;
  quic: string | undefined = undefined;
  quicVersion: string | undefined = undefined;
  httpHost: string | undefined = undefined;
  alpn: string[] | undefined = undefined;
  ech = false;
  tlsVersions: string[] | undefined = undefined;
  quicRttMs = UNSET_D;
  /** DNS attribution found when the flow started. */
  dnsName: string | undefined = undefined;
  dnsChain: string[] | undefined = undefined;
  dnsSource: NameSource | undefined = undefined;
  /** uid of the DNS flow whose response gave dnsName, and that response's frame (-1: none). */
  dnsUid: string | undefined = undefined;
  dnsFrame = -1;
  /** This flow's uid (flow/uid.ts), computed once: when its record is built or when it first carries DNS. */
  uid: string | undefined = undefined;
  anomalies: FlowAnomaly[] | null = null;

  constructor(
    id: number,
    proto: number,
    ipVersion: number,
    a: Int32Array,
    portA: number,
    portB: number,
    hash: number,
    ts: number,
    frame: number,
    vlan: number,
  ) {
    this.id = id;
    this.proto = proto;
    this.ipVersion = ipVersion;
    this.a0 = a[0];
    this.a1 = a[1];
    this.a2 = a[2];
    this.a3 = a[3];
    this.b0 = a[4];
    this.b1 = a[5];
    this.b2 = a[6];
    this.b3 = a[7];
    this.portA = portA;
    this.portB = portB;
    this.hash = hash;
    this.firstTs = ts;
    this.lastTs = ts;
    this.firstFrame = frame;
    this.vlan = vlan;
  }

  /** Notes an anomaly of the catalogue (src/anomalies.ts) once; a constant string, no allocation after the first. */
  addAnomaly(code: FlowAnomaly): void {
    if (this.anomalies === null) this.anomalies = [code];
    else if (!this.anomalies.includes(code)) this.anomalies.push(code);
  }

  /** Direction index of the client->server direction. */
  get upDir(): number {
    return this.clientIsA ? DIR_AB : DIR_BA;
  }
}
