// Per-flow QUIC state: walks the coalesced long-header packets of each client datagram by their Length fields
// (RFC 9000 §12.2: Initial, 0-RTT and Handshake in any order, Retry ignored, a short-header tail ends the walk),
// decrypts client Initials with the keys of that packet's own DCID (so a Retry's new DCID works) and, failing that,
// with the keys of the flow's first DCID (a client keeps those after the server picks a new CID, RFC 9001 §5.2),
// reassembles CRYPTO, and parses the ClientHello once complete with the shared TLS parser. The salt comes from the
// version (versions.ts); a version whose salt is uncertain or unknown is tried with every salt on its first
// Initials (the AEAD tag tells the right one). A version we cannot decrypt is named on the flow (`versionName`,
// anomaly `quic_version_unknown`), a known version that fails authentication too (`quic_initial_decrypt_failed`).
// Server Initials are only detected (never decrypted) for the Initial RTT timestamp.
// Bounded: MAX_QUIC_INITIALS client Initials, MAX_QUIC_TRIAL_INITIALS trial decryptions, MAX_QUIC_CRYPTO_BYTES of
// CRYPTO. Never throws.

import { MAX_QUIC_INITIALS, MAX_QUIC_TRIAL_INITIALS, MAX_TLS_HANDSHAKE_BYTES } from '../../limits.js';
import { parseClientHello } from '../tls/client-hello.js';
import {
  HDR_NOT_LONG, HDR_OK, LAYOUT_V1, LongHeader, PKT_INITIAL, PKT_OTHER, PKT_RETRY, legacyGoogleQuicVersion,
  looksLikeGoogleQuic, parseLongHeader,
} from './header.js';
import { decryptLongPacket, deriveInitialKeysWith, type InitialKeys } from './initial-keys.js';
import {
  SALT_NONE, SALT_T050, SALT_T051, TRIAL_SALTS, initialSaltId, isGoogleCryptoVersion, isKnownQuicVersion,
  isSaltCertain, isV2Layout, quicVersionName,
} from './versions.js';
import { walkGoogleInitialFrames, walkInitialFrames } from './frames.js';
import { CryptoStream } from './crypto-stream.js';
import { UNSET_D } from '../../number-fields.js';
import type { FlowAnomaly } from '../../anomalies.js';

/** More datagrams are useful (no hello yet). */
export const QUIC_NEED_MORE = 0;
/** The hello is parsed and `result` is set; only a first server Initial (RTT) can still be learned. */
export const QUIC_HELLO = 1;
/** Nothing more to learn from this flow (hello and server Initial seen, or gave up). */
export const QUIC_DONE = 2;
/** The first datagram is not a QUIC long header after all (`quic_header_malformed`). */
export const QUIC_NOT_QUIC = 3;

export interface QuicResult {
  sni?: string;
  alpn: string[];
  /** 'v1', 'v2', 'draft-29', 'mvfst-exp', 'T051' ... (versions.ts quicVersionName) */
  version: string;
  ech: boolean;
  /** Time of the client Initial that opened the handshake (after a Retry: the Initial sent in answer to it). */
  clientInitialTs: number;
  /** Time of the first server Initial, for the QUIC Initial RTT. */
  serverInitialTs?: number;
}

const header = new LongHeader();
const NO_VERSION = -1;

/**
 * parseLongHeader into `header`. A version whose layout we do not know is read as v1 (every such version seen on the
 * wire keeps it; TRIAL_SALTS then looks for its salt); gQUIC crypto versions (Q0nn) stay PKT_OTHER.
 */
function parseAt(buf: Buffer, p: number, end: number): number {
  const rc = parseLongHeader(buf, p, end, header);
  if (rc === HDR_OK && header.type === PKT_OTHER && header.version !== 0 && !isGoogleCryptoVersion(header.version)) {
    return parseLongHeader(buf, p, end, header, LAYOUT_V1);
  }
  return rc;
}

export class QuicFlowState {
  result: QuicResult | undefined = undefined;
  /** Anomaly codes met on this flow, each once, in the order met (callers may copy new ones as they appear). */
  anomalies: FlowAnomaly[] = [];
  /** The `quic_version` label once a client long header was seen: the version the hello is read in. */
  versionName: string | undefined = undefined;
  /** Dispatcher bookkeeping: anomalies already copied to the flow, and whether the hello was. */
  anomaliesOnFlow = 0;
  helloOnFlow = false;
  private status = QUIC_NEED_MORE;
  private initials = 0;
  private trials = 0;
  /** Version whose Initials are being read, and the time of its first client Initial. */
  private version = NO_VERSION;
  private versionTs = UNSET_D;
  /** Salt id for `version`: from versions.ts, or found by trial; SALT_NONE while unknown. */
  private salt = SALT_NONE;
  /** The salt was found by trial (the version's own is unknown or uncertain). */
  private learned = false;
  private retrySeen = false;
  private serverTs = UNSET_D;
  private keys: InitialKeys | undefined = undefined;
  private keysSalt = SALT_NONE;
  private keysDcid: Buffer = Buffer.alloc(0);
  /** Keys from the first client Initial's DCID (with the current salt), kept when a later DCID brings new ones. */
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
      if (this.retrySeen && this.serverTs < 0 && parseAt(buf, off, end) === HDR_OK &&
          header.type === PKT_INITIAL && this.result !== undefined) {
        this.result.clientInitialTs = ts;
        this.retrySeen = false;
      }
      return this.status;
    }
    if (this.version === NO_VERSION && (buf[off] & 0x80) === 0 && looksLikeGoogleQuic(buf, off, len)) {
      // legacy gQUIC public header (Q043 and older): named and counted, not read
      this.setVersion(legacyGoogleQuicVersion(buf, off), ts);
      this.note('quic_gquic_ignored');
      this.status = QUIC_DONE;
      return this.status;
    }
    let p = off;
    while (p < end) {
      const rc = parseAt(buf, p, end);
      if (rc === HDR_NOT_LONG) break; // a short-header packet (or trailing padding) fills the rest of the datagram
      if (rc !== HDR_OK) {
        this.note(this.version === NO_VERSION ? 'quic_header_malformed' : 'quic_coalesced_malformed');
        if (this.version === NO_VERSION) this.status = QUIC_NOT_QUIC;
        break;
      }
      if (header.type === PKT_OTHER && header.version !== 0) {
        // gQUIC crypto (Q0nn): its CHLO is not TLS; named and counted, not read
        if (this.version === NO_VERSION) this.setVersion(header.version, ts);
        this.note('quic_gquic_ignored');
        if (this.result === undefined) this.status = QUIC_DONE;
        break;
      }
      if (header.type === PKT_OTHER || header.type === PKT_RETRY) break; // Version Negotiation, Retry: not a client's
      if (this.version === NO_VERSION) this.setVersion(header.version, UNSET_D);
      if (header.type === PKT_INITIAL) {
        this.onClientInitial(buf, p, ts);
        if (this.status !== QUIC_NEED_MORE) break;
      }
      p = header.end;
    }
    return this.status;
  }

  private onServer(buf: Buffer, off: number, end: number, ts: number): number {
    if (this.serverTs >= 0) return this.status;
    if (parseAt(buf, off, end) !== HDR_OK) return this.status;
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

  /** Starts reading `version`'s Initials (the first client long header, or a new version after Version Negotiation). */
  private setVersion(version: number, ts: number): void {
    this.version = version;
    this.versionTs = ts;
    this.versionName = quicVersionName(version);
    this.salt = initialSaltId(version);
    this.learned = false;
    this.keys = undefined;
    this.firstKeys = undefined;
    this.keysSalt = SALT_NONE;
  }

  private onClientInitial(buf: Buffer, p: number, ts: number): void {
    if (this.initials >= MAX_QUIC_INITIALS) {
      this.note('quic_initials_cap_reached');
      this.status = QUIC_DONE;
      return;
    }
    this.initials++;
    const version = header.version;
    if (version !== this.version) {
      // A new version after Version Negotiation (RFC 9000 §6): its hello starts over, unless one is half read.
      if (this.crypto.rangeCount() > 0) return;
      this.setVersion(version, ts);
    }
    if (this.versionTs < 0) this.versionTs = ts;
    const plain = this.decrypt(buf, p);
    if (plain === null) return;
    const err = this.salt === SALT_T050 || this.salt === SALT_T051
      ? walkGoogleInitialFrames(plain, 0, plain.length, this.crypto)
      : walkInitialFrames(plain, 0, plain.length, this.crypto);
    if (err !== null) {
      this.note(err);
      if (err === 'quic_crypto_cap_reached' || err === 'quic_crypto_too_fragmented') {
        this.status = QUIC_DONE;
        return;
      }
    }
    this.tryHello();
  }

  /** Decrypts the Initial in `header` (at buf[p]); null, with an anomaly noted, when no key authenticates it. */
  private decrypt(buf: Buffer, p: number): Buffer | null {
    const version = this.version;
    const v2 = isV2Layout(version);
    if (this.salt !== SALT_NONE) {
      const keys = this.keysFor(buf, this.salt, v2);
      let plain = decryptLongPacket(keys, buf, p, header.pnOff, header.end);
      if (plain === null && this.firstKeys !== undefined && this.firstKeys !== keys) {
        plain = decryptLongPacket(this.firstKeys, buf, p, header.pnOff, header.end);
      }
      if (plain !== null) return plain;
    }
    if (!isSaltCertain(version) && !this.learned && this.trials < MAX_QUIC_TRIAL_INITIALS) {
      this.trials++;
      for (const s of TRIAL_SALTS) {
        if (s === this.salt) continue;
        const keys = this.keysFor(buf, s, false);
        const plain = decryptLongPacket(keys, buf, p, header.pnOff, header.end);
        if (plain !== null) {
          this.salt = s;
          this.learned = true;
          this.firstKeys = keys;
          return plain;
        }
      }
    }
    this.note(isKnownQuicVersion(version) ? 'quic_initial_decrypt_failed' : 'quic_version_unknown');
    return null;
  }

  /** Keys for this packet's DCID and a salt, re-derived only when either changed. */
  private keysFor(buf: Buffer, salt: number, v2: boolean): InitialKeys {
    const d = header.dcidOff;
    const n = header.dcidLen;
    if (this.keys !== undefined && this.keysSalt === salt && this.keysDcid.length === n &&
        buf.compare(this.keysDcid, 0, n, d, d + n) === 0) {
      return this.keys;
    }
    this.keysDcid = Buffer.from(buf.subarray(d, d + n));
    this.keysSalt = salt;
    this.keys = deriveInitialKeysWith(salt, v2, this.keysDcid, false);
    if (this.firstKeys === undefined && salt === this.salt) this.firstKeys = this.keys;
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
      version: this.versionName ?? quicVersionName(this.version),
      ech: r.ech,
      clientInitialTs: this.versionTs,
    };
    if (r.sni !== undefined) this.result.sni = r.sni;
    if (this.serverTs >= 0) {
      this.result.serverInitialTs = this.serverTs;
      this.status = QUIC_DONE;
    } else {
      this.status = QUIC_HELLO;
    }
  }

  private note(code: FlowAnomaly): void {
    if (!this.anomalies.includes(code)) this.anomalies.push(code);
  }
}
