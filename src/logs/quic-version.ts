// Maps the QUIC version text of logs to our `quic_version` names (extract/quic/versions.ts) and back:
// - Zeek quic.log `version` (base/protocols/quic/consts.zeek version_strings): "1", "quicv2", "draft-22" ...
//   "draft-34", "mvfst (faceb001)" ..., else "unknown-<hex>";
// - Suricata eve.json `quic.version` (rust/src/quic/parser.rs, From<QuicVersion> for String): "Q039" ... "Q046",
//   else the number in lowercase hex without leading zeros ("1", "ff00001d"); old releases wrote the number.

import { DECRYPTABLE_VERSIONS, quicVersionName } from '../extract/quic/versions.js';

/** Our name of a Zeek quic.log version; undefined for text Zeek does not write. */
export function quicVersionFromZeek(text: string): string | undefined {
  if (text === '1') return quicVersionName(1);
  if (text === 'quicv2') return quicVersionName(0x6b3343cf);
  if (/^draft-\d{1,3}$/.test(text)) return text;
  const m = /^(?:mvfst \(([0-9a-f]{1,8})\)|unknown-([0-9a-f]{1,8}))$/i.exec(text);
  if (m !== null) return quicVersionName(parseInt(m[1] ?? m[2], 16) >>> 0);
  return undefined;
}

/** Our name of a Suricata quic.version (text or number); undefined when it is neither. */
export function quicVersionFromEve(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 && v <= 0xffffffff ? quicVersionName(v >>> 0) : undefined;
  if (typeof v !== 'string') return undefined;
  if (/^Q0\d\d$/.test(v)) return v;
  if (/^[0-9a-f]{1,8}$/i.test(v)) {
    const n = parseInt(v, 16) >>> 0;
    return n === 0 ? undefined : quicVersionName(n);
  }
  return undefined;
}

let BY_NAME: Map<string, number> | null = null;

/** The version number of one of our names (for the log writers); undefined when the name is not ours. */
export function quicVersionNumber(name: string): number | undefined {
  if (BY_NAME === null) BY_NAME = new Map(DECRYPTABLE_VERSIONS.map((v) => [quicVersionName(v), v]));
  const known = BY_NAME.get(name);
  if (known !== undefined) return known;
  if (/^0x[0-9a-f]{8}$/.test(name)) return parseInt(name.slice(2), 16) >>> 0;
  if (/^[QT]0\d\d$/.test(name)) return ((name.charCodeAt(0) << 24) | (name.charCodeAt(1) << 16) | (name.charCodeAt(2) << 8) | name.charCodeAt(3)) >>> 0;
  return undefined;
}

/** Zeek's version_strings table (consts.zeek): the versions Zeek names; others are "unknown-<hex>". */
const ZEEK_NAMES = new Map<number, string>([
  [0x00000001, '1'], [0x6b3343cf, 'quicv2'],
  ...Array.from({ length: 13 }, (_, i): [number, string] => [0xff000016 + i, `draft-${22 + i}`]),
  [0xfaceb001, 'mvfst (faceb001)'], [0xfaceb002, 'mvfst (faceb002)'], [0xfaceb00e, 'mvfst (faceb00e)'],
  [0xfaceb011, 'mvfst (faceb011)'], [0xfaceb012, 'mvfst (faceb012)'], [0xfaceb013, 'mvfst (faceb013)'],
]);

/** What Zeek writes in quic.log for version `v`. */
export function zeekQuicVersionText(v: number): string {
  // consts.zeek maps 0xff00001f to "draft-30" as well (sic); we write the table as Zeek has it.
  if (v === 0xff00001f) return 'draft-30';
  return ZEEK_NAMES.get(v) ?? `unknown-${(v >>> 0).toString(16)}`;
}

/** What Suricata writes in eve.json quic.version for version `v`. */
export function eveQuicVersionText(v: number): string {
  const ascii = String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  if (/^Q0(39|43|44|45|46)$/.test(ascii)) return ascii;
  return (v >>> 0).toString(16);
}
