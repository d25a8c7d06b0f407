// ClientHello body parser (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2, RFC 6347 §4.2.1 for DTLS): bytes -> SNI, ALPN,
// versions, ECH flag and the extension list. One parser shared by TLS over TCP, DTLS and QUIC CRYPTO.
// Pure: never throws, never keeps a reference to the input buffer. Called once per flow, so it may allocate
// its result; it does not allocate while walking.
// server_name is kept whatever it holds (lowercased, one trailing dot removed; escaped by every renderer) and its
// oddities are named: tls_sni_ip_literal (RFC 6066 §3 forbids address literals; such a name names nothing, so it
// never becomes a flow's hostname, see flow/attribute.ts), tls_sni_invalid (not an LDH host name),
// tls_sni_uppercase, tls_sni_control_chars, tls_sni_non_ascii, tls_sni_empty.

import type { FlowAnomaly } from '../../anomalies.js';
import { isIpLiteral } from '../../decode/ip-format.js';

/** What a ClientHello tells us. Strings are copies; nothing points into the capture buffer. */
export interface ClientHelloInfo {
  /** server_name host_name (type 0), lowercased, trailing dot removed. Attacker-controlled: may hold odd bytes. */
  sni?: string;
  /** Every server_name entry in wire order, of any name type, as tshark reports them (lowercased, one trailing dot
   *  removed, so "." and an empty name give ""): what `extract` lists. */
  serverNames: string[];
  /** ALPN protocol names in offered order (RFC 7301). */
  alpn: string[];
  /** legacy_version / client_version field. */
  legacyVersion: number;
  /** Offered versions, best first as sent: from supported_versions (GREASE dropped), else from legacy_version. */
  versions: string[];
  /** encrypted_client_hello (0xfe0d) extension present: the SNI is then only the outer public name. */
  ech: boolean;
  /** With ECH, the outer (public) name; equal to `sni`. */
  echOuterSni?: string;
  /** Number of cipher suites offered (GREASE included). */
  cipherCount: number;
  /** Extension types in wire order (GREASE included), for fingerprinting. */
  extensionTypes: number[];
  /** Recoverable oddities met (snake_case codes, `tls_` prefix); empty when clean. */
  anomalies: FlowAnomaly[];
}

/** The hello could not be parsed at all. */
export interface ClientHelloAnomaly {
  anomaly: FlowAnomaly;
}

export type ClientHelloResult = ClientHelloInfo | ClientHelloAnomaly;

export const EXT_SERVER_NAME = 0;
export const EXT_ALPN = 16;
export const EXT_SUPPORTED_VERSIONS = 43;
/** draft-ietf-tls-esni: encrypted_client_hello. */
export const EXT_ECH = 0xfe0d;

/** GREASE values (RFC 8701): 0x?a?a with both bytes equal. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

/** Human name of a protocol version code point. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0304: return 'TLS1.3';
    case 0x0303: return 'TLS1.2';
    case 0x0302: return 'TLS1.1';
    case 0x0301: return 'TLS1.0';
    case 0x0300: return 'SSL3.0';
    case 0x0002: return 'SSL2.0';
    case 0xfeff: return 'DTLS1.0';
    case 0xfefd: return 'DTLS1.2';
    case 0xfefc: return 'DTLS1.3';
    default:
      // draft versions of TLS 1.3 were 0x7f00 | draft number
      if ((v & 0xff00) === 0x7f00) return `TLS1.3-draft-${v & 0xff}`;
      return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

function bad(code: FlowAnomaly): ClientHelloAnomaly {
  return { anomaly: code };
}

/** Parses a TLS ClientHello handshake body (after the 4-byte handshake header) in buf[off, end). */
export function parseClientHello(buf: Buffer, off: number, end: number): ClientHelloResult {
  return parseHelloBody(buf, off, end, false);
}

/**
 * Shared body parser. `dtls` adds the cookie field (RFC 6347 §4.2.1) after session_id.
 * Extensions are optional (a TLS 1.0 hello may end after compression_methods).
 * `partial`: buf[off, end) is the start of a hello whose rest was never captured: everything up to the
 * compression methods must be there; extensions are read while whole (a server_name extension complete within the
 * bytes gives the SNI), and `tls_client_hello_truncated` is noted when the hello was longer.
 */
export function parseHelloBody(buf: Buffer, off: number, end: number, dtls: boolean, partial = false): ClientHelloResult {
  if (off < 0 || end > buf.length || end - off < 2 + 32 + 1) return bad('tls_client_hello_truncated');
  let p = off;
  const legacyVersion = buf.readUInt16BE(p);
  p += 2 + 32; // version + random
  const sidLen = buf[p];
  if (sidLen > 32) return bad('tls_client_hello_malformed');
  p += 1 + sidLen;
  if (dtls) {
    if (p >= end) return bad('tls_client_hello_truncated');
    p += 1 + buf[p];
  }
  if (p + 2 > end) return bad('tls_client_hello_truncated');
  const csLen = buf.readUInt16BE(p);
  if ((csLen & 1) !== 0) return bad('tls_client_hello_malformed');
  p += 2 + csLen;
  if (p + 1 > end) return bad('tls_client_hello_truncated');
  p += 1 + buf[p]; // compression methods
  if (p > end) return bad('tls_client_hello_truncated');

  const info: ClientHelloInfo = {
    serverNames: [],
    alpn: [],
    legacyVersion,
    versions: [],
    ech: false,
    cipherCount: csLen >> 1,
    extensionTypes: [],
    anomalies: [],
  };
  if (p === end || (partial && p + 2 > end)) {
    // A cut-short hello that ends here may have had extensions: say so.
    if (partial) info.anomalies.push('tls_client_hello_truncated');
    info.versions.push(tlsVersionName(legacyVersion));
    return info;
  }
  if (p + 2 > end) return bad('tls_client_hello_truncated');
  const extLen = buf.readUInt16BE(p);
  p += 2;
  let extEnd = p + extLen;
  let cut = false;
  if (extEnd > end) {
    if (!partial) return bad('tls_client_hello_truncated');
    extEnd = end;
    cut = true;
    info.anomalies.push('tls_client_hello_truncated');
  }
  if (extEnd < end) info.anomalies.push('tls_client_hello_trailing_bytes');

  let sawVersions = false;
  while (p < extEnd) {
    if (p + 4 > extEnd) {
      if (cut) break;
      return bad('tls_extension_truncated');
    }
    const type = buf.readUInt16BE(p);
    const len = buf.readUInt16BE(p + 2);
    const d = p + 4;
    const dEnd = d + len;
    if (dEnd > extEnd) {
      if (cut) break; // the extension the capture cut: nothing of it is used
      return bad('tls_extension_truncated');
    }
    info.extensionTypes.push(type);
    if (type === EXT_SERVER_NAME) {
      if (info.sni !== undefined) addOnce(info, 'tls_sni_duplicate_extension');
      else readServerName(buf, d, dEnd, info);
    } else if (type === EXT_ALPN) {
      readAlpn(buf, d, dEnd, info);
    } else if (type === EXT_SUPPORTED_VERSIONS) {
      sawVersions = readSupportedVersions(buf, d, dEnd, info) || sawVersions;
    } else if (type === EXT_ECH) {
      info.ech = true;
    }
    p = dEnd;
  }
  if (!sawVersions) info.versions.push(tlsVersionName(legacyVersion));
  if (info.ech && info.sni !== undefined) info.echOuterSni = info.sni;
  return info;
}

function addOnce(info: ClientHelloInfo, code: FlowAnomaly): void {
  if (!info.anomalies.includes(code)) info.anomalies.push(code);
}

/** server_name (RFC 6066 §3): list of {type(1), len(2), name}; only host_name (0) is used, the first one wins. */
function readServerName(buf: Buffer, p: number, end: number, info: ClientHelloInfo): void {
  if (p === end) return; // empty extension: allowed in a ServerHello, odd here but harmless
  if (p + 2 > end) { addOnce(info, 'tls_sni_malformed'); return; }
  const listEnd = p + 2 + buf.readUInt16BE(p);
  if (listEnd > end) { addOnce(info, 'tls_sni_malformed'); return; }
  p += 2;
  while (p < listEnd) {
    if (p + 3 > listEnd) { addOnce(info, 'tls_sni_malformed'); return; }
    const nameType = buf[p];
    const nameLen = buf.readUInt16BE(p + 1);
    const nameStart = p + 3;
    const nameEnd = nameStart + nameLen;
    if (nameEnd > listEnd) { addOnce(info, 'tls_sni_malformed'); return; }
    const trimmed = nameEnd > nameStart && buf[nameEnd - 1] === 0x2e ? nameEnd - 1 : nameEnd; // one trailing dot
    const name = buf.toString('latin1', nameStart, trimmed).toLowerCase();
    info.serverNames.push(name);
    if (nameType !== 0) {
      addOnce(info, 'tls_sni_unknown_name_type'); // RFC 6066 defines host_name (0) only
    } else if (info.sni !== undefined) {
      addOnce(info, 'tls_sni_multiple_names');
    } else if (name === '') {
      addOnce(info, 'tls_sni_empty'); // "" or "." (the root): names nothing
    } else {
      noteHostNameOddities(buf, nameStart, nameEnd, name, info);
      info.sni = name;
    }
    p = nameEnd;
  }
}

/** Longest host name (RFC 1035 §2.3.4: 255 octets on the wire, 253 characters in text) and label. */
const MAX_HOST_NAME_CHARS = 253;
const MAX_LABEL_CHARS = 63;

/** Flags what is odd in a host_name's bytes buf[start, end) (`name`: lowercased, trailing dot removed). */
function noteHostNameOddities(buf: Buffer, start: number, end: number, name: string, info: ClientHelloInfo): void {
  let ctrl = false;
  let high = false;
  let upper = false;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c < 0x20 || c === 0x7f) ctrl = true;
    else if (c > 0x7f) high = true;
    else if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (ctrl) addOnce(info, 'tls_sni_control_chars');
  if (high) addOnce(info, 'tls_sni_non_ascii');
  if (upper) addOnce(info, 'tls_sni_uppercase');
  if (isIpLiteral(name)) addOnce(info, 'tls_sni_ip_literal');
  else if (buf[end - 1] === 0x2e || !isLdhHostName(name)) addOnce(info, 'tls_sni_invalid');
}

/**
 * A host name as RFC 6066 §3 wants it (RFC 1123 §2.1, RFC 952 LDH syntax): labels of letters, digits and inner
 * hyphens, 1 to 63 characters each, at most 253 in all, and a top label that is not all digits (RFC 3696 §2).
 * `name` is lowercased.
 */
export function isLdhHostName(name: string): boolean {
  const n = name.length;
  if (n === 0 || n > MAX_HOST_NAME_CHARS) return false;
  let labelStart = 0;
  let allDigits = true;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? name.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const len = i - labelStart;
      if (len === 0 || len > MAX_LABEL_CHARS) return false;
      if (name.charCodeAt(labelStart) === 0x2d || name.charCodeAt(i - 1) === 0x2d) return false;
      if (i === n && allDigits) return false;
      labelStart = i + 1;
      allDigits = true;
    } else if (c >= 0x30 && c <= 0x39) {
      // digit
    } else if ((c >= 0x61 && c <= 0x7a) || c === 0x2d) {
      allDigits = false;
    } else {
      return false;
    }
  }
  return true;
}


/** ALPN (RFC 7301 §3.1): list length(2), then len(1)+name entries. */
function readAlpn(buf: Buffer, p: number, end: number, info: ClientHelloInfo): void {
  if (p + 2 > end) { addOnce(info, 'tls_alpn_malformed'); return; }
  const listEnd = p + 2 + buf.readUInt16BE(p);
  if (listEnd > end) { addOnce(info, 'tls_alpn_malformed'); return; }
  p += 2;
  while (p < listEnd) {
    const n = buf[p];
    if (n === 0 || p + 1 + n > listEnd) { addOnce(info, 'tls_alpn_malformed'); return; }
    info.alpn.push(buf.toString('latin1', p + 1, p + 1 + n));
    p += 1 + n;
  }
}

/** supported_versions in a ClientHello (RFC 8446 §4.2.1): len(1) then 2-byte versions. */
function readSupportedVersions(buf: Buffer, p: number, end: number, info: ClientHelloInfo): boolean {
  if (p + 1 > end) { addOnce(info, 'tls_supported_versions_malformed'); return false; }
  const listEnd = p + 1 + buf[p];
  if (listEnd > end || (buf[p] & 1) !== 0) { addOnce(info, 'tls_supported_versions_malformed'); return false; }
  let any = false;
  for (p += 1; p < listEnd; p += 2) {
    const v = buf.readUInt16BE(p);
    if (isGrease(v)) continue;
    info.versions.push(tlsVersionName(v));
    any = true;
  }
  return any;
}

/** Re-exported for callers that read it with the ClientHello parser. */
export { isIpLiteral };
