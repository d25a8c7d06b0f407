// Who owns an address, for the provider part of a claim: the provider its origin AS belongs to (geo/providers.json)
// and the provider whose published ranges hold it (the range files the geo stage reads: src/geo/provider-ranges.ts).
// Also which AS numbers say nothing about an owner (private use, documentation, reserved: RFC 6996, RFC 5398,
// RFC 7300, RFC 6793's AS_TRANS and IANA's special-purpose AS registry).

import { ProviderTable } from '../geo/provider.js';

export interface ProviderOrigin {
  /** Provider id (providers.json) announcing from `asn`, or undefined when the AS is no listed provider's. */
  providerOfAsn(asn: number): string | undefined;
  /** Provider id whose published range files hold `ip`, or undefined (none loaded, or outside every range). */
  providerOfAddress(ip: string): string | undefined;
}

/**
 * True for an AS number that names a real network's origin: not 0 (RFC 7607), AS_TRANS 23456 (RFC 6793),
 * documentation 64496-64511 and 65536-65551 (RFC 5398), private use 64512-65534 and 4200000000-4294967294
 * (RFC 6996), last ASNs 65535 and 4294967295 (RFC 7300), nor the reserved 65552-131071 (IANA).
 */
export function isRoutableAsn(asn: number | undefined): asn is number {
  if (asn === undefined || !Number.isInteger(asn) || asn <= 0 || asn > 4294967295) return false;
  if (asn === 23456) return false;
  if (asn >= 64496 && asn <= 131071) return false;
  if (asn >= 4200000000) return false;
  return true;
}

let table: ProviderTable | null | undefined;

/** The shipped ASN table, no range files: what the engine uses when the caller gives nothing else. */
export const DEFAULT_PROVIDER_ORIGIN: ProviderOrigin = {
  providerOfAsn(asn: number): string | undefined {
    if (table === undefined) {
      try {
        table = ProviderTable.load();
      } catch {
        table = null;
      }
    }
    return table?.fromAsn(asn)?.id;
  },
  providerOfAddress(): string | undefined {
    return undefined;
  },
};

/** The shipped ASN table plus a range lookup (GeoLocator.publishedRangeProvider). */
export function providerOrigin(rangeLookup: (ip: string) => string | undefined): ProviderOrigin {
  return { providerOfAsn: (asn) => DEFAULT_PROVIDER_ORIGIN.providerOfAsn(asn), providerOfAddress: rangeLookup };
}
