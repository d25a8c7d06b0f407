// Where our extraction differs from tshark's on the shared corpus, entry by entry. Each one was checked by
// hand (tshark -V / the bytes) and is explained in DIFFERENCES.md. Keys are corpus-relative paths; values
// list the compare-oracle set items we miss or find in addition.

import type { Category } from './compare.js';

export const KNOWN_DIFFERENCES: Record<string, Partial<Record<Category, { missing?: string[]; extra?: string[] }>>> = {
  // DNS over TCP on port 8053: tshark has no DNS-over-TCP heuristic; we detect DNS by content. (The response
  // here carries one A record, not the two of dns_tcp.pcap: 198.199.88.104 is not in the file's bytes.)
  'tcpdump/dns_tcp_8053.pcap': {
    dns_qname: { extra: ['www.tcpdump.org'] },
    dns_answer: { extra: ['www.tcpdump.org | 192.139.46.66'] },
  },
};

/** Files tshark refuses too: we must refuse them with this CaptureError code. */
export const UNREADABLE: Record<string, string> = {
  'libpcap/pcap-invalid-version-1.pcap': 'pcap_unsupported_version',
  'libpcap/shb-option-too-long.pcapng': 'pcapng_bad_block_length',
};
