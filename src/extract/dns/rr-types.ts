// Owns the DNS code-to-mnemonic tables (RR types, RCODEs, opcodes) with the exact spelling the tshark oracle
// prints (/work/shared/tools/tshark-oracle RRTYPES/RCODES): unknown types are `TYPE<n>`, unknown rcodes `RCODE<n>`.

const RRTYPES: ReadonlyMap<number, string> = new Map([
  [1, 'A'], [2, 'NS'], [5, 'CNAME'], [6, 'SOA'], [12, 'PTR'], [13, 'HINFO'], [15, 'MX'],
  [16, 'TXT'], [17, 'RP'], [18, 'AFSDB'], [24, 'SIG'], [25, 'KEY'], [28, 'AAAA'],
  [29, 'LOC'], [33, 'SRV'], [35, 'NAPTR'], [36, 'KX'], [37, 'CERT'], [39, 'DNAME'],
  [41, 'OPT'], [42, 'APL'], [43, 'DS'], [44, 'SSHFP'], [45, 'IPSECKEY'], [46, 'RRSIG'],
  [47, 'NSEC'], [48, 'DNSKEY'], [49, 'DHCID'], [50, 'NSEC3'], [51, 'NSEC3PARAM'],
  [52, 'TLSA'], [53, 'SMIMEA'], [55, 'HIP'], [59, 'CDS'], [60, 'CDNSKEY'],
  [61, 'OPENPGPKEY'], [62, 'CSYNC'], [63, 'ZONEMD'], [64, 'SVCB'], [65, 'HTTPS'],
  [99, 'SPF'], [108, 'EUI48'], [109, 'EUI64'], [249, 'TKEY'], [250, 'TSIG'],
  [251, 'IXFR'], [252, 'AXFR'], [253, 'MAILB'], [254, 'MAILA'], [255, 'ANY'],
  [256, 'URI'], [257, 'CAA'], [32768, 'TA'], [32769, 'DLV'],
]);

const RCODES: ReadonlyMap<number, string> = new Map([
  [0, 'NOERROR'], [1, 'FORMERR'], [2, 'SERVFAIL'], [3, 'NXDOMAIN'], [4, 'NOTIMP'],
  [5, 'REFUSED'], [6, 'YXDOMAIN'], [7, 'YXRRSET'], [8, 'NXRRSET'], [9, 'NOTAUTH'],
  [10, 'NOTZONE'], [11, 'DSOTYPENI'], [16, 'BADVERS'], [17, 'BADKEY'], [18, 'BADTIME'],
  [19, 'BADMODE'], [20, 'BADNAME'], [21, 'BADALG'], [22, 'BADTRUNC'], [23, 'BADCOOKIE'],
]);

/** RR type numbers the extractor treats specially (RFC 1035, 3596, 2782, 6672, 9460). */
export const RR_A = 1;
export const RR_NS = 2;
export const RR_CNAME = 5;
export const RR_SOA = 6;
export const RR_PTR = 12;
export const RR_MX = 15;
export const RR_TXT = 16;
export const RR_AAAA = 28;
export const RR_SRV = 33;
export const RR_DNAME = 39;
export const RR_OPT = 41;
export const RR_SVCB = 64;
export const RR_HTTPS = 65;
export const RR_SPF = 99;

/** Mnemonic of an RR type, `TYPE<n>` when unknown (RFC 3597 spelling, as the oracle prints it). */
export function rrTypeName(type: number): string {
  return RRTYPES.get(type) ?? `TYPE${type}`;
}

/** Mnemonic of an (extended) RCODE, `RCODE<n>` when unknown. */
export function rcodeName(rcode: number): string {
  return RCODES.get(rcode) ?? `RCODE${rcode}`;
}

let RRTYPE_CODES: Map<string, number> | null = null;
let RCODE_CODES: Map<string, number> | null = null;

/** RR type number of a mnemonic (`A`, `TYPE65534`), as logs (Zeek, Suricata) write them; null when unknown. */
export function rrTypeCode(name: string): number | null {
  if (RRTYPE_CODES === null) RRTYPE_CODES = new Map([...RRTYPES].map(([k, v]) => [v, k]));
  const known = RRTYPE_CODES.get(name.toUpperCase());
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/i.exec(name);
  return m !== null && Number(m[1]) <= 0xffff ? Number(m[1]) : null;
}

/** RCODE number of a mnemonic (`NOERROR`, `RCODE12`); null when unknown. */
export function rcodeCode(name: string): number | null {
  if (RCODE_CODES === null) RCODE_CODES = new Map([...RCODES].map(([k, v]) => [v, k]));
  const known = RCODE_CODES.get(name.toUpperCase());
  if (known !== undefined) return known;
  const m = /^RCODE(\d{1,4})$/i.exec(name);
  return m !== null && Number(m[1]) <= 0xfff ? Number(m[1]) : null;
}
