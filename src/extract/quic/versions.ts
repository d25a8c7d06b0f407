// QUIC versions: which Initial salt each one uses (salt bytes in initial-keys.ts), which long-header layout and
// HKDF labels (RFC 9369 §3.2, §3.3.2: only v2 differs from v1), and the name printed in `quic_version`. Pure tables,
// no state. The reference for which version gets which salt is Wireshark's epan/dissectors/packet-quic.c
// (quic_draft_version() and quic_derive_initial_secrets(), Wireshark 4.x); Meta versions Wireshark does not list
// come from mvfst's own source (quic/QuicConstants.h QuicVersion, getQuicVersionSalt()) and are marked uncertain:
// state.ts then also tries the other salts before giving up (the AEAD tag tells a right key from a wrong one).

export const QUIC_V1 = 0x00000001;
/** RFC 9369 §3.1 */
export const QUIC_V2 = 0x6b3343cf;
/** Google QUIC with TLS 1.3 ('T050', 'T051'): IETF long header and Initial protection with Google's salts. */
export const QUIC_T050 = 0x54303530;
export const QUIC_T051 = 0x54303531;
/** draft-ietf-quic-transport-21 .. -34: 0xff0000NN (Wireshark decrypts from draft-21 on). */
const DRAFT_MIN = 0xff000015;
const DRAFT_MAX = 0xff000022;

// Salt ids: indexes into initial-keys.ts SALTS (each salt's source is given there).
export const SALT_NONE = -1;
/** drafts 21 and 22, mvfst 0xfaceb001 */
export const SALT_DRAFT_21 = 0;
/** drafts 23 to 28, mvfst 0xfaceb002, 0xfaceb00e and its later aliases */
export const SALT_DRAFT_23 = 1;
/** drafts 29 to 32 */
export const SALT_DRAFT_29 = 2;
/** drafts 33 and 34, v1, mvfst's v1 aliases */
export const SALT_V1 = 3;
export const SALT_V2 = 4;
export const SALT_T050 = 5;
export const SALT_T051 = 6;
export const SALT_COUNT = 7;

/**
 * Salts tried, in this order, when a version has no salt we are sure of (an mvfst version Wireshark does not list,
 * or a version we do not know at all): the ones real clients use most first. All go with the v1 labels and type
 * bits: every version seen on the wire except v2 (which we know) keeps the v1 layout.
 */
export const TRIAL_SALTS: readonly number[] = [SALT_V1, SALT_DRAFT_29, SALT_DRAFT_23, SALT_DRAFT_21, SALT_T051,
  SALT_T050];

/** Meta's mvfst versions (quic/QuicConstants.h, enum QuicVersion). */
const MVFST_D22 = 0xfaceb001; // Wireshark: "Facebook mvfst (draft-22)", draft-22 salt
const MVFST = 0xfaceb002; // Wireshark: "Facebook mvfst (draft-27)", draft-23 salt (mvfst kQuicDraft23Salt)
const MVFST_V1_ALIAS = 0xfaceb003; // mvfst QUIC_V1_ALIAS: getQuicVersionSalt() gives kQuicV1Salt
const MVFST_V1_ALIAS2 = 0xfaceb004; // mvfst QUIC_V1_ALIAS2: handled as v1 throughout mvfst
const MVFST_EXPERIMENTAL = 0xfaceb00e; // Wireshark: "Facebook mvfst (Experimental)", draft-23 salt
const MVFST_INVALID = 0xfaceb00f; // mvfst MVFST_INVALID: never used on the wire by a working client
const MVFST_ALIAS = 0xfaceb010; // mvfst default branch of getQuicVersionSalt(): kQuicDraft23Salt
const MVFST_EXPERIMENTAL2 = 0xfaceb011;
const MVFST_ALIAS2 = 0xfaceb012;
const MVFST_EXPERIMENTAL3 = 0xfaceb013;
const MVFST_EXPERIMENTAL4 = 0xfaceb014;
const MVFST_EXPERIMENTAL5 = 0xfaceb015;
const MVFST_PRIMING = 0xfacefeed; // mvfst MVFST_PRIMING: handled as v1 (v1 transport parameters)

/** Initial salt id of a version, or SALT_NONE when we know no salt for it. */
export function initialSaltId(v: number): number {
  if (v === QUIC_V1) return SALT_V1;
  if (v === QUIC_V2) return SALT_V2;
  if (v >= DRAFT_MIN && v <= DRAFT_MAX) {
    const d = v & 0xff;
    if (d <= 22) return SALT_DRAFT_21;
    if (d <= 28) return SALT_DRAFT_23;
    if (d <= 32) return SALT_DRAFT_29;
    return SALT_V1;
  }
  if (v === QUIC_T050) return SALT_T050;
  if (v === QUIC_T051) return SALT_T051;
  switch (v) {
    case MVFST_D22:
      return SALT_DRAFT_21;
    case MVFST_V1_ALIAS:
    case MVFST_V1_ALIAS2:
    case MVFST_PRIMING:
      return SALT_V1;
    case MVFST:
    case MVFST_EXPERIMENTAL:
    case MVFST_ALIAS:
    case MVFST_EXPERIMENTAL2:
    case MVFST_ALIAS2:
    case MVFST_EXPERIMENTAL3:
    case MVFST_EXPERIMENTAL4:
    case MVFST_EXPERIMENTAL5:
      return SALT_DRAFT_23;
    default:
      return SALT_NONE;
  }
}

/**
 * True when the salt of `v` is the one Wireshark uses for it (RFC, draft, Google's salts and the three mvfst
 * versions packet-quic.c lists). Other versions with a salt (mvfst aliases known only from mvfst's source) are
 * decrypted with it first and, failing that, with TRIAL_SALTS.
 */
export function isSaltCertain(v: number): boolean {
  if (v === MVFST_D22 || v === MVFST || v === MVFST_EXPERIMENTAL) return true;
  return initialSaltId(v) !== SALT_NONE && !isMvfstVersion(v);
}

/** Versions whose Initial packets we can decrypt (with a salt we know). */
export function isKnownQuicVersion(v: number): boolean {
  return initialSaltId(v) !== SALT_NONE;
}

/** 0xfaceb0NN and 0xfacefeed: Meta's mvfst. */
export function isMvfstVersion(v: number): boolean {
  return (v >>> 8) === 0xfaceb0 || v === MVFST_PRIMING;
}

/** v2 rotates the long-header type bits and uses the "quicv2 " labels (RFC 9369 §3.2, §3.3.2). */
export function isV2Layout(v: number): boolean {
  return v === QUIC_V2;
}

/** gQUIC versions are ASCII 'Q0nn' (Q043..Q050) or 'T0nn' (Google's QUIC with TLS). */
export function isGoogleQuicVersion(v: number): boolean {
  const b0 = v >>> 24;
  return (b0 === 0x51 || b0 === 0x54) && ((v >>> 16) & 0xff) === 0x30 && isDigit((v >>> 8) & 0xff) && isDigit(v & 0xff);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Google versions we cannot read: gQUIC crypto (Q0nn), whose CHLO is not TLS. T050 and T051 are TLS. */
export function isGoogleCryptoVersion(v: number): boolean {
  return isGoogleQuicVersion(v) && v >>> 24 === 0x51;
}

function mvfstName(v: number): string | undefined {
  switch (v) {
    case MVFST_D22: return 'mvfst-draft-22';
    case MVFST: return 'mvfst-draft-27';
    case MVFST_V1_ALIAS: return 'mvfst-v1-alias';
    case MVFST_V1_ALIAS2: return 'mvfst-v1-alias2';
    case MVFST_EXPERIMENTAL: return 'mvfst-exp';
    case MVFST_INVALID: return 'mvfst-invalid';
    case MVFST_ALIAS: return 'mvfst-alias';
    case MVFST_EXPERIMENTAL2: return 'mvfst-exp2';
    case MVFST_ALIAS2: return 'mvfst-alias2';
    case MVFST_EXPERIMENTAL3: return 'mvfst-exp3';
    case MVFST_EXPERIMENTAL4: return 'mvfst-exp4';
    case MVFST_EXPERIMENTAL5: return 'mvfst-exp5';
    case MVFST_PRIMING: return 'mvfst-priming';
    default: return undefined;
  }
}

/**
 * The `quic_version` label: 'v1', 'v2', 'draft-21'..'draft-34', 'mvfst-…' (see mvfstName), Google's ASCII tag
 * ('T051', 'Q050'), else '0x' and 8 hex digits. Called once per flow.
 */
export function quicVersionName(v: number): string {
  if (v === QUIC_V1) return 'v1';
  if (v === QUIC_V2) return 'v2';
  if (v >= DRAFT_MIN && v <= DRAFT_MAX) return `draft-${v & 0xff}`;
  if (isGoogleQuicVersion(v)) return String.fromCharCode(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  return mvfstName(v) ?? `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

/** Every version we decrypt with a salt of its own (for tests and the synthesiser). */
export const DECRYPTABLE_VERSIONS: readonly number[] = [
  QUIC_V1, QUIC_V2, QUIC_T050, QUIC_T051,
  ...Array.from({ length: DRAFT_MAX - DRAFT_MIN + 1 }, (_, i) => DRAFT_MIN + i),
  MVFST_D22, MVFST, MVFST_V1_ALIAS, MVFST_V1_ALIAS2, MVFST_EXPERIMENTAL, MVFST_ALIAS, MVFST_EXPERIMENTAL2, MVFST_ALIAS2,
  MVFST_EXPERIMENTAL3, MVFST_EXPERIMENTAL4, MVFST_EXPERIMENTAL5, MVFST_PRIMING,
];
