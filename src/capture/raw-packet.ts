// The one reused record handed from a capture reader to the decoder: offsets into the read buffer, no copies.

const EMPTY = Buffer.alloc(0);

/** Reused for every record: valid only during the synchronous `packet()` callback. */
export class RawPacket {
  /** Buffer holding the frame bytes at [off, off + caplen). */
  buf: Buffer = EMPTY;
  off = 0;
  /** Bytes captured (may be less than origlen when the snaplen cut the frame). */
  caplen = 0;
  /** Length of the frame on the wire. */
  origlen = 0;
  /** Timestamp: whole seconds since the epoch and the nanoseconds within that second. */
  tsSec = 0;
  tsNsec = 0;
  /** LINKTYPE_* of the interface the frame came from. */
  linkType = 1;
  /** pcapng interface id (0 for pcap). */
  interfaceId = 0;
  /** 1-based frame number, as Wireshark counts it. */
  frame = 0;
  /** Byte offset of this record's header in the (decompressed) capture stream. */
  fileOffset = 0;
  /** PCAPdroid app uid from a per-packet trailer or EPB option, -1 when none. */
  appUid = -1;

  /** Epoch seconds as a float (microsecond precision survives; nanoseconds do not). */
  get ts(): number {
    return this.tsSec + this.tsNsec / 1e9;
  }
}
