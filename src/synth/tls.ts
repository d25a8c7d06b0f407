// Synthetic TLS ClientHello builder for tests and the sample-capture generator: a browser-like TLS 1.3 hello with
// optional SNI, ALPN, ECH (outer), GREASE, padding and a post-quantum key share, plus the record-layer wrapper.
// Output is deterministic for the same options (pseudo-random fields are derived from the options).

import { createHash } from 'node:crypto';

export interface ClientHelloOptions {
  sni?: string;
  /** The server_name extension's entries as sent (name type, name bytes), instead of the one host_name of `sni`:
   *  for empty, repeated or non-host_name entries. */
  serverNames?: { type: number; name: Buffer }[];
  alpn?: string[];
  /** Add an outer encrypted_client_hello extension (0xfe0d); `sni` is then the public name. */
  ech?: boolean;
  /** Add GREASE cipher, extension, group and version values (RFC 8701). */
  grease?: boolean;
  /** Add a padding extension (RFC 7685) so the handshake message is at least this many bytes. */
  padTo?: number;
  /** Add an X25519MLKEM768 (0x11ec) key share of 1216 bytes, so the hello spans TCP segments. */
  postQuantum?: boolean;
  /** Add a QUIC transport_parameters extension (0x39), as a QUIC client does (RFC 9001 §8.2). */
  quicTransportParams?: boolean;
  /** Seed for the pseudo-random fields (random, session id, key shares). */
  seed?: string;
}

const GREASE_A = 0x0a0a;
const GREASE_B = 0x1a1a;
const GROUP_X25519 = 0x001d;
const GROUP_X25519MLKEM768 = 0x11ec;
const X25519MLKEM768_SHARE_BYTES = 1216;

/** Deterministic pseudo-random bytes (SHA-256 in counter mode). */
export function pseudoRandomBytes(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, ctr = 0; i < n; ctr++) {
    const block = createHash('sha256').update(`${seed}#${ctr}`).digest();
    i += block.copy(out, i);
  }
  return out;
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function ext(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(data.length), data]);
}

function vec16(parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u16(body.length), body]);
}

function vec8(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([body.length]), body]);
}

/** A ClientHello handshake message (4-byte handshake header included). */
export function buildClientHello(opts: ClientHelloOptions = {}): Buffer {
  const seed = opts.seed ?? `${opts.sni ?? ''}|${(opts.alpn ?? []).join(',')}|${opts.ech ? 1 : 0}`;
  const rnd = (label: string, n: number): Buffer => pseudoRandomBytes(`${seed}|${label}`, n);
  const grease = opts.grease === true;

  const suites = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
    0x009d, 0x002f, 0x0035];
  if (grease) suites.unshift(GREASE_A);

  const exts: Buffer[] = [];
  if (grease) exts.push(ext(GREASE_A, Buffer.alloc(0)));
  if (opts.serverNames !== undefined) {
    exts.push(ext(0, vec16(opts.serverNames.map((e) => Buffer.concat([Buffer.from([e.type]), u16(e.name.length), e.name])))));
  } else if (opts.sni !== undefined) {
    const name = Buffer.from(opts.sni, 'latin1');
    exts.push(ext(0, vec16([Buffer.from([0]), u16(name.length), name])));
  }
  exts.push(ext(0x0017, Buffer.alloc(0))); // extended_master_secret
  exts.push(ext(0xff01, Buffer.from([0]))); // renegotiation_info
  const groups = [GROUP_X25519, 0x0017, 0x0018];
  if (opts.postQuantum) groups.unshift(GROUP_X25519MLKEM768);
  if (grease) groups.unshift(GREASE_A);
  exts.push(ext(0x000a, vec16(groups.map(u16))));
  exts.push(ext(0x000b, vec8(Buffer.from([0])))); // ec_point_formats: uncompressed
  exts.push(ext(0x0023, Buffer.alloc(0))); // session_ticket
  if (opts.alpn !== undefined && opts.alpn.length > 0) {
    exts.push(ext(0x0010, vec16(opts.alpn.map((a) => vec8(Buffer.from(a, 'latin1'))))));
  }
  exts.push(ext(0x0005, Buffer.from([1, 0, 0, 0, 0]))); // status_request: ocsp
  exts.push(ext(0x000d, vec16([0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601].map(u16))));
  const shares: Buffer[] = [];
  if (grease) shares.push(Buffer.concat([u16(GREASE_A), u16(1), Buffer.from([0])]));
  if (opts.postQuantum) {
    shares.push(Buffer.concat([u16(GROUP_X25519MLKEM768), u16(X25519MLKEM768_SHARE_BYTES),
      rnd('mlkem', X25519MLKEM768_SHARE_BYTES)]));
  }
  shares.push(Buffer.concat([u16(GROUP_X25519), u16(32), rnd('x25519', 32)]));
  exts.push(ext(0x0033, vec16(shares)));
  exts.push(ext(0x002d, vec8(Buffer.from([1])))); // psk_key_exchange_modes: psk_dhe_ke
  const versions = [0x0304, 0x0303];
  if (grease) versions.unshift(GREASE_B);
  exts.push(ext(0x002b, vec8(Buffer.concat(versions.map(u16)))));
  if (opts.quicTransportParams) {
    // initial_max_data (0x04) = 1 MiB, initial_max_streams_bidi (0x08) = 100, initial_source_connection_id (0x0f) empty
    exts.push(ext(0x0039, Buffer.from([0x04, 0x04, 0x80, 0x10, 0x00, 0x00, 0x08, 0x02, 0x40, 0x64, 0x0f, 0x00])));
  }
  if (opts.ech) {
    // ECHClientHello outer: type 0, HPKE suite (HKDF-SHA256, AES-128-GCM), config_id, enc(32), payload
    const payload = rnd('ech', 208);
    exts.push(ext(0xfe0d, Buffer.concat([Buffer.from([0]), u16(1), u16(1), Buffer.from([0x42]),
      u16(32), rnd('ech-enc', 32), u16(payload.length), payload])));
  }
  if (grease) exts.push(ext(GREASE_B, Buffer.from([0])));

  const head = Buffer.concat([
    u16(0x0303),
    rnd('random', 32),
    vec8(rnd('session', 32)),
    vec16(suites.map(u16)),
    vec8(Buffer.from([0])),
  ]);
  let extBytes = Buffer.concat(exts);
  if (opts.padTo !== undefined) {
    const size = 4 + head.length + 2 + extBytes.length;
    if (size < opts.padTo) {
      const padLen = Math.max(0, opts.padTo - size - 4);
      extBytes = Buffer.concat([extBytes, ext(0x0015, Buffer.alloc(padLen))]);
    }
  }
  const body = Buffer.concat([head, u16(extBytes.length), extBytes]);
  const hdr = Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([hdr, body]);
}

/** Wraps a handshake message into TLS handshake records of at most `maxRecordPayload` bytes each. */
export function wrapTlsRecords(hello: Buffer, maxRecordPayload = 16_384): Buffer {
  const step = Math.max(1, Math.min(maxRecordPayload, 16_384));
  const parts: Buffer[] = [];
  for (let i = 0; i < hello.length; i += step) {
    const chunk = hello.subarray(i, Math.min(hello.length, i + step));
    parts.push(Buffer.from([22, 3, 1, chunk.length >> 8, chunk.length & 0xff]), chunk);
  }
  return Buffer.concat(parts);
}
