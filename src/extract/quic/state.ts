// Per-flow QUIC state: walks the coalesced packets of each datagram, decrypts client Initials with the keys of that
// packet's own DCID (so a Retry's new DCID works) and, failing that, with the keys of the flow's first DCID (a client
// keeps those after the server picks a new CID, RFC 9001 §5.2), reassembles CRYPTO, and parses the ClientHello once complete with
// the shared TLS parser. Server Initials are only detected (never decrypted) for the Initial RTT timestamp.
// Bounded: MAX_QUIC_INITIALS client Initials, MAX_QUIC_CRYPTO_BYTES of CRYPTO. Never throws.

import { MAX_QUIC_INITIALS, MAX_TLS_HANDSHAKE_BYTES } from '../../limits.js';
import { parseClientHello } from '../tls/client-hello.js';
import {
  HDR_NOT_LONG, HDR_OK, LongHeader, PKT_INITIAL, PKT_OTHER, PKT_RETRY, isGoogleQuicVersion, parseLongHeader,
  quicVersionName,
} from './header.js';
import { decryptLongPacket, deriveInitialKeys, type InitialKeys } from './initial-keys.js';
import { walkInitialFrames } from './frames.js';
import { CryptoStream } from './crypto-stream.js';
import { UNSET_D } from '../../number-fields.js';

/** More datagrams are useful (no hello yet). */
export const QUIC_NEED_MORE = 0;
/** The hello is parsed and `result` is set; only a first server Initial (RTT) can still be learned. */
export const QUIC_HELLO = 1;
/** Nothing more to learn from this flow (hello and server Initial seen, or gave up). */
export const QUIC_DONE = 2;
/** This flow does not carry IETF QUIC (or gQUIC, which is counted in anomalies as `quic_gquic_ignored`). */
export const QUIC_NOT_QUIC = 3;

export interface QuicResult {
  sni?: string;
  alpn: string[];
  /** 'v1', 'v2', 'draft-29' ... */
  version: string;
  ech: boolean;
  /** Time of the client Initial that opened the handshake (after a Retry: the Initial sent in answer to it). */
  clientInitialTs: number;
  /** Time of the first server Initial, for the QUIC Initial RTT. */
  serverInitialTs?: number;
}

const header = new LongHeader();

export class QuicFlowState {
  result: QuicResult | undefined = undefined;
  /** Anomaly codes met on this flow, each once. */
  anomalies: string[] = [];
  private status = QUIC_NEED_MORE;
  private initials = 0;
  private version = 0;
  private firstClientTs = UNSET_D;
  private retrySeen = false;
  private serverTs = UNSET_D;
  private keys: InitialKeys | undefined = undefined;
  private keysVersion = 0;
  private keysDcid: Buffer = Buffer.alloc(0);
  /** Keys from the first client Initial's DCID, kept when a later DCID brings new ones. */
  private firstKeys: InitialKeys | undefined = undefined;
  private readonly crypto = new CryptoStream();

  /** Current status without feeding anything. */
  get state(): number {
    return this.status;
  }

  /** Feeds one UDP payload buf[off, off+len). Returns QUIC_NEED_MORE, QUIC_HELLO, QUIC_DONE or QUIC_NOT_QUIC. */
  onDatagram(buf: Buffer, off: number, len: number, fromClient: boolean, ts: number): number {
    if (this.status === QUIC_DONE || this.status === QUIC_NOT_QUIC) return this.status;
    if (off < 0 || len <= 0 || off + len > buf.length) return this.status;
    const end = off + len;
    if (!fromClient) return this.onServer(buf, off, end, ts);
    if (this.status === QUIC_HELLO) {
      // After a Retry the client resends its Initial; that one starts the RTT the server Initial answers.
      if (this.retrySeen && this.serverTs < 0 && parseLongHeader(buf, off, end, header) === HDR_OK &&
          header.type === PKT_INITIAL && this.result !== undefined) {
        this.result.clientInitialTs = ts;
        this.retrySeen = false;
      }
      return this.status;
    }
    let p = off;
    while (p < end) {
      const rc = parseLongHeader(buf, p, end, header);
      if (rc === HDR_NOT_LONG) break; // a short-header packet fills the rest of the datagram
      if (rc !== HDR_OK) {
        this.note(this.firstClientTs < 0 ? 'quic_header_malformed' : 'quic_coalesced_malformed');
        if (this.firstClientTs < 0) this.status = QUIC_NOT_QUIC;
        break;
      }
      if (header.type === PKT_OTHER) {
        if (this.firstClientTs < 0) {
          if (isGoogleQuicVersion(header.version)) this.note('quic_gquic_ignored');
          else if (header.version !== 0) this.note('quic_unknown_version');
          this.status = QUIC_NOT_QUIC;
        }
        break;
      }
      if (header.type === PKT_INITIAL) {
        this.onClientInitial(buf, p, ts);
        if (this.status !== QUIC_NEED_MORE) break;
      }
      if (header.type === PKT_RETRY) break;
      p = header.end;
    }
    return this.status;
  }

  private onServer(buf: Buffer, off: number, end: number, ts: number): number {
    if (this.serverTs >= 0) return this.status;
    if (parseLongHeader(buf, off, end, header) !== HDR_OK) return this.status;
    if (header.type === PKT_INITIAL) {
      this.serverTs = ts;
      if (this.result !== undefined) {
        this.result.serverInitialTs = ts;
        this.status = QUIC_DONE;
      }
    } else if (header.type === PKT_RETRY) {
      this.retrySeen = true;
    }
    return this.status;
  }

  private onClientInitial(buf: Buffer, p: number, ts: number): void {
    if (this.initials >= MAX_QUIC_INITIALS) {
      this.note('quic_initials_cap_reached');
      this.status = QUIC_DONE;
      return;
    }
    this.initials++;
    if (this.firstClientTs < 0) {
      this.firstClientTs = ts;
      this.version = header.version;
    }
    const keys = this.keysFor(buf, header.version);
    let plain = decryptLongPacket(keys, buf, p, header.pnOff, header.end);
    if (plain === null && this.firstKeys !== undefined && this.firstKeys !== keys) {
      plain = decryptLongPacket(this.firstKeys, buf, p, header.pnOff, header.end);
    }
    if (plain === null) {
      this.note('quic_initial_decrypt_failed');
      return;
    }
    const err = walkInitialFrames(plain, 0, plain.length, this.crypto);
    if (err !== null) {
      this.note(err);
      if (err === 'quic_crypto_cap_reached' || err === 'quic_crypto_too_fragmented') {
        this.status = QUIC_DONE;
        return;
      }
    }
    this.tryHello();
  }

  /** Keys for this packet's DCID, re-derived only when the version or DCID changed. */
  private keysFor(buf: Buffer, version: number): InitialKeys {
    const d = header.dcidOff;
    const n = header.dcidLen;
    if (this.keys !== undefined && this.keysVersion === version && this.keysDcid.length === n &&
        buf.compare(this.keysDcid, 0, n, d, d + n) === 0) {
      return this.keys;
    }
    this.keysDcid = Buffer.from(buf.subarray(d, d + n));
    this.keysVersion = version;
    this.keys = deriveInitialKeys(version, this.keysDcid, false);
    if (this.firstKeys === undefined) this.firstKeys = this.keys;
    return this.keys;
  }

  private tryHello(): void {
    const have = this.crypto.contiguous();
    if (have < 4) return;
    const data = this.crypto.data;
    if (data[0] !== 1) {
      this.note('quic_crypto_not_client_hello');
      this.status = QUIC_DONE;
      return;
    }
    const hsLen = data.readUIntBE(1, 3);
    if (hsLen > MAX_TLS_HANDSHAKE_BYTES) {
      this.note('quic_client_hello_too_long');
      this.status = QUIC_DONE;
      return;
    }
    if (have < 4 + hsLen) return;
    const r = parseClientHello(data, 4, 4 + hsLen);
    if ('anomaly' in r) {
      this.note(r.anomaly);
      this.status = QUIC_DONE;
      return;
    }
    for (const a of r.anomalies) this.note(a);
    this.crypto.release();
    this.result = {
      alpn: r.alpn,
      version: quicVersionName(this.version),
      ech: r.ech,
      clientInitialTs: this.firstClientTs,
    };
    if (r.sni !== undefined) this.result.sni = r.sni;
    if (this.serverTs >= 0) {
      this.result.serverInitialTs = this.serverTs;
      this.status = QUIC_DONE;
    } else {
      this.status = QUIC_HELLO;
    }
  }

  private note(code: string): void {
    if (!this.anomalies.includes(code)) this.anomalies.push(code);
  }
}
