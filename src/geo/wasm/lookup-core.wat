;; Owns the per-address numeric work of a geo lookup, as WebAssembly (compiled by Liftoff in about a millisecond
;; when a locator starts, instead of V8's TurboFan compiling a dozen small JavaScript functions in every capture):
;;   - parse: address text (ASCII bytes at offset 0 of the memory) -> family, IPv4 uint32, IPv6 words;
;;     IPv4-mapped and NAT64 addresses unwrapped; private/special ranges checked (tables written by the host);
;;   - walk: the search tree of one MaxMind DB file held in this instance's memory (one instance per file);
;;   - asn4 / asn6: binary search of one ASN range table held in this instance's memory;
;;   - combo: the id of a tuple of record offsets (exact open-addressing hash table), so that every address
;;     answered by the same database records shares one result.
;; A port, line by line, of ip-parse.ts (parseIpv4At, parseIpv6), private-ranges.ts (privateReasonV4/V6,
;; embeddedIpv4), mmdb-tree.ts (find) and asn-table.ts (findV4/findV6); test/geo/lookup-core.test.ts holds each
;; export to its JavaScript original with fast-check. The memory is the host's (imported), sized by the host.
;;
;; Memory layout (byte offsets):
;;     0 ..  64  input: the address text (host writes it; parse reads `len` bytes)
;;    64 .. 256  io: i32 slots. 0 family | 1 v4 | 2..5 IPv6 words | 8..31 combo tuple (host writes) |
;;               36..44 IPv6 groups while parsing
;;   256 ..      private range tables: count4 at 256, then (net, mask) pairs from 260; count6 at 768, then
;;               (net0..3, mask0..3) from 772
;;  4096 ..      file / table / hash-table bytes ($base)
(module
  (import "env" "memory" (memory 1))

  ;; walk: one mmdb search tree at $base
  (global $base (mut i32) (i32.const 4096))
  (global $nodeCount (mut i32) (i32.const 0))
  (global $recordSize (mut i32) (i32.const 24))
  (global $v4Start (mut i32) (i32.const 0))
  (global $treeSize (mut i32) (i32.const 0))
  (global $fileLen (mut i32) (i32.const 0))
  ;; asn tables: starts, ends, index (byte pointers), n entries
  (global $starts (mut i32) (i32.const 0))
  (global $ends (mut i32) (i32.const 0))
  (global $index (mut i32) (i32.const 0))
  (global $n (mut i32) (i32.const 0))
  ;; combo hash table: pointer, capacity (power of two), tuple width in i32, entries
  (global $tab (mut i32) (i32.const 0))
  (global $cap (mut i32) (i32.const 0))
  (global $width (mut i32) (i32.const 0))
  (global $count (mut i32) (i32.const 0))

  (func (export "initTree") (param $b i32) (param $nc i32) (param $rs i32) (param $v4s i32) (param $ts i32) (param $len i32)
    (global.set $base (local.get $b))
    (global.set $nodeCount (local.get $nc))
    (global.set $recordSize (local.get $rs))
    (global.set $v4Start (local.get $v4s))
    (global.set $treeSize (local.get $ts))
    (global.set $fileLen (local.get $len)))

  (func (export "initAsn") (param $s i32) (param $e i32) (param $i i32) (param $cnt i32)
    (global.set $starts (local.get $s))
    (global.set $ends (local.get $e))
    (global.set $index (local.get $i))
    (global.set $n (local.get $cnt)))

  ;; ---------------------------------------------------------------- parse

  ;; IPv4 dotted quad in input[start, end) -> uint32 as i64, or -1 (parseIpv4At)
  (func $v4At (param $start i32) (param $end i32) (result i64)
    (local $i i32) (local $c i32) (local $n i64) (local $octet i32) (local $digits i32) (local $parts i32)
    (local.set $i (local.get $start))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
          (then
            (local.set $octet (i32.add (i32.mul (local.get $octet) (i32.const 10)) (i32.sub (local.get $c) (i32.const 48))))
            (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
            (if (i32.or (i32.gt_u (local.get $digits) (i32.const 3)) (i32.gt_u (local.get $octet) (i32.const 255)))
              (then (return (i64.const -1)))))
          (else
            (if (i32.eq (local.get $c) (i32.const 46))
              (then
                (if (i32.or (i32.eqz (local.get $digits)) (i32.eq (local.get $parts) (i32.const 3)))
                  (then (return (i64.const -1))))
                (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 256)) (i64.extend_i32_u (local.get $octet))))
                (local.set $parts (i32.add (local.get $parts) (i32.const 1)))
                (local.set $octet (i32.const 0))
                (local.set $digits (i32.const 0)))
              (else (return (i64.const -1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i32.or (i32.eqz (local.get $digits)) (i32.ne (local.get $parts) (i32.const 3)))
      (then (return (i64.const -1))))
    (i64.add (i64.mul (local.get $n) (i64.const 256)) (i64.extend_i32_u (local.get $octet))))

  (func $hex (param $c i32) (result i32)
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 48)) (i32.le_u (local.get $c) (i32.const 57)))
      (then (return (i32.sub (local.get $c) (i32.const 48)))))
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 97)) (i32.le_u (local.get $c) (i32.const 102)))
      (then (return (i32.sub (local.get $c) (i32.const 87)))))
    (if (i32.and (i32.ge_u (local.get $c) (i32.const 65)) (i32.le_u (local.get $c) (i32.const 70)))
      (then (return (i32.sub (local.get $c) (i32.const 55)))))
    (i32.const -1))

  ;; group g of the parsed groups (i32 at bytes 208..244) with `::` at gap (groupAt)
  (func $groupAt (param $g i32) (param $n i32) (param $gap i32) (param $tail i32) (result i32)
    (if (i32.or (i32.lt_s (local.get $gap) (i32.const 0)) (i32.lt_s (local.get $g) (local.get $gap)))
      (then (return (i32.load offset=208 (i32.shl (local.get $g) (i32.const 2))))))
    (if (i32.ge_s (local.get $g) (i32.sub (i32.const 8) (local.get $tail)))
      (then (return (i32.load offset=208
        (i32.shl (i32.sub (i32.add (local.get $gap) (local.get $g)) (i32.sub (i32.const 8) (local.get $tail))) (i32.const 2))))))
    (i32.const 0))

  ;; IPv6 text in input[0, len) -> io words 2..5; 1 when valid, 0 when not (parseIpv6)
  (func $v6 (param $len i32) (result i32)
    (local $end i32) (local $n i32) (local $gap i32) (local $i i32) (local $v i32) (local $j i32)
    (local $dotted i32) (local $c i32) (local $h i32) (local $v4 i64) (local $tail i32) (local $k i32)
    ;; end = index of '%', else len
    (local.set $end (local.get $len))
    (block $found
      (loop $scan
        (br_if $found (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 37))
          (then (local.set $end (local.get $i)) (br $found)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (if (i32.or (i32.lt_u (local.get $end) (i32.const 2)) (i32.gt_u (local.get $end) (i32.const 45)))
      (then (return (i32.const 0))))
    (local.set $gap (i32.const -1))
    (local.set $i (i32.const 0))
    (if (i32.eq (i32.load8_u (i32.const 0)) (i32.const 58))
      (then
        (if (i32.ne (i32.load8_u (i32.const 1)) (i32.const 58)) (then (return (i32.const 0))))
        (local.set $gap (i32.const 0))
        (local.set $i (i32.const 2))))
    (block $groupsDone
      (loop $group
        (br_if $groupsDone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (i32.const 0))
        (local.set $j (local.get $i))
        (local.set $dotted (i32.const 0))
        (block $groupEnd
          (loop $char
            (br_if $groupEnd (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $c (i32.load8_u (local.get $j)))
            (br_if $groupEnd (i32.eq (local.get $c) (i32.const 58)))
            (if (i32.eq (local.get $c) (i32.const 46))
              (then (local.set $dotted (i32.const 1)))
              (else
                (if (i32.eqz (local.get $dotted))
                  (then
                    (local.set $h (call $hex (local.get $c)))
                    (if (i32.lt_s (local.get $h) (i32.const 0)) (then (return (i32.const 0))))
                    ;; v * 16 + h: more than 4 digits is rejected below, but v must not wrap first (JS numbers
                    ;; do not): cap it, since only whether j - i > 4 matters then
                    (if (i32.lt_u (local.get $v) (i32.const 0x1000000))
                      (then (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 16)) (local.get $h)))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $char)))
        (if (local.get $dotted)
          (then
            (if (i32.or (i32.ne (local.get $j) (local.get $end)) (i32.gt_s (local.get $n) (i32.const 6)))
              (then (return (i32.const 0))))
            (local.set $v4 (call $v4At (local.get $i) (local.get $j)))
            (if (i64.lt_s (local.get $v4) (i64.const 0)) (then (return (i32.const 0))))
            (i32.store offset=208 (i32.shl (local.get $n) (i32.const 2)) (i32.wrap_i64 (i64.shr_u (local.get $v4) (i64.const 16))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (i32.store offset=208 (i32.shl (local.get $n) (i32.const 2)) (i32.and (i32.wrap_i64 (local.get $v4)) (i32.const 0xffff)))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $groupsDone)))
        (if (i32.or (i32.or (i32.eq (local.get $j) (local.get $i)) (i32.gt_s (i32.sub (local.get $j) (local.get $i)) (i32.const 4)))
                    (i32.gt_s (local.get $n) (i32.const 7)))
          (then (return (i32.const 0))))
        (i32.store offset=208 (i32.shl (local.get $n) (i32.const 2)) (local.get $v))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br_if $groupsDone (i32.eq (local.get $j) (local.get $end)))
        ;; input[j] is ':'
        (if (i32.and (i32.lt_u (i32.add (local.get $j) (i32.const 1)) (local.get $end))
                     (i32.eq (i32.load8_u (i32.add (local.get $j) (i32.const 1))) (i32.const 58)))
          (then
            (if (i32.ge_s (local.get $gap) (i32.const 0)) (then (return (i32.const 0))))
            (local.set $gap (local.get $n))
            (local.set $i (i32.add (local.get $j) (i32.const 2))))
          (else
            (if (i32.eq (i32.add (local.get $j) (i32.const 1)) (local.get $end)) (then (return (i32.const 0))))
            (local.set $i (i32.add (local.get $j) (i32.const 1)))))
        (br $group)))
    (if (i32.lt_s (local.get $gap) (i32.const 0))
      (then (if (i32.ne (local.get $n) (i32.const 8)) (then (return (i32.const 0)))))
      (else (if (i32.gt_s (local.get $n) (i32.const 7)) (then (return (i32.const 0))))))
    (local.set $tail (select (i32.const 0) (i32.sub (local.get $n) (local.get $gap)) (i32.lt_s (local.get $gap) (i32.const 0))))
    (local.set $k (i32.const 0))
    (loop $pack
      (i32.store offset=72 (i32.shl (local.get $k) (i32.const 2))
        (i32.or
          (i32.shl (call $groupAt (i32.shl (local.get $k) (i32.const 1)) (local.get $n) (local.get $gap) (local.get $tail)) (i32.const 16))
          (call $groupAt (i32.add (i32.shl (local.get $k) (i32.const 1)) (i32.const 1)) (local.get $n) (local.get $gap) (local.get $tail))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $pack (i32.lt_u (local.get $k) (i32.const 4))))
    (i32.const 1))

  ;; Index+1 of the first private IPv4 range holding v4, or 0 (privateReasonV4)
  (func $private4 (param $v4 i32) (result i32)
    (local $i i32) (local $cnt i32) (local $p i32)
    (local.set $cnt (i32.load (i32.const 256)))
    (local.set $p (i32.const 260))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $cnt)))
        (if (i32.eq (i32.and (local.get $v4) (i32.load offset=4 (local.get $p))) (i32.load (local.get $p)))
          (then (return (i32.add (local.get $i) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Index+1 of the first private IPv6 range holding io words 2..5, or 0 (privateReasonV6)
  (func $private6 (result i32)
    (local $i i32) (local $cnt i32) (local $p i32)
    (local.set $cnt (i32.load (i32.const 768)))
    (local.set $p (i32.const 772))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $cnt)))
        (if (i32.and
              (i32.and
                (i32.eq (i32.and (i32.load (i32.const 72)) (i32.load offset=16 (local.get $p))) (i32.load (local.get $p)))
                (i32.eq (i32.and (i32.load (i32.const 76)) (i32.load offset=20 (local.get $p))) (i32.load offset=4 (local.get $p))))
              (i32.and
                (i32.eq (i32.and (i32.load (i32.const 80)) (i32.load offset=24 (local.get $p))) (i32.load offset=8 (local.get $p)))
                (i32.eq (i32.and (i32.load (i32.const 84)) (i32.load offset=28 (local.get $p))) (i32.load offset=12 (local.get $p)))))
          (then (return (i32.add (local.get $i) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Parses input[0, len). Returns 4 or 6 for a public address (io: 0 family, 1 v4, 2..5 IPv6 words), 0 for text
  ;; that is no address, -k for an IPv4 private range k (1-based), -(1000 + k) for an IPv6 one. An IPv4-mapped or
  ;; NAT64 address comes back as family 4 with the IPv4 address it carries.
  (func (export "parse") (param $len i32) (result i32)
    (local $v4 i64) (local $r i32) (local $fam i32)
    (local.set $v4 (call $v4At (i32.const 0) (local.get $len)))
    (if (i64.ge_s (local.get $v4) (i64.const 0))
      (then (i32.store (i32.const 68) (i32.wrap_i64 (local.get $v4))) (local.set $fam (i32.const 4)))
      (else
        (if (i32.eqz (call $v6 (local.get $len))) (then (return (i32.const 0))))
        (local.set $fam (i32.const 6))
        ;; embeddedIpv4: ::ffff:0:0/96 and 64:ff9b::/96
        (if (i32.and (i32.and (i32.eqz (i32.load (i32.const 72))) (i32.eqz (i32.load (i32.const 76))))
                     (i32.eq (i32.load (i32.const 80)) (i32.const 0xffff)))
          (then (local.set $fam (i32.const 4))))
        (if (i32.and (i32.and (i32.eq (i32.load (i32.const 72)) (i32.const 0x0064ff9b)) (i32.eqz (i32.load (i32.const 76))))
                     (i32.eqz (i32.load (i32.const 80))))
          (then (local.set $fam (i32.const 4))))
        (if (i32.eq (local.get $fam) (i32.const 4))
          (then (i32.store (i32.const 68) (i32.load (i32.const 84)))))))
    (i32.store (i32.const 64) (local.get $fam))
    (if (i32.eq (local.get $fam) (i32.const 4))
      (then
        (local.set $r (call $private4 (i32.load (i32.const 68))))
        (if (local.get $r) (then (return (i32.sub (i32.const 0) (local.get $r))))))
      (else
        (local.set $r (call $private6))
        (if (local.get $r) (then (return (i32.sub (i32.const -1000) (local.get $r)))))))
    (local.get $fam))

  ;; ---------------------------------------------------------------- walk (MmdbTree.find)

  ;; File offset of the data for the address (family 4: v4; family 6: w0..w3), -1 when the file has none.
  (func (export "walk") (param $family i32) (param $v4 i32) (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (result i32)
    (local $node i32) (local $bits i32) (local $depth i32) (local $word i32) (local $bit i32) (local $o i32)
    (local $b i32) (local $nc i32) (local $off64 i64)
    (local.set $b (global.get $base))
    (local.set $nc (global.get $nodeCount))
    (local.set $bits (i32.const 128))
    (if (i32.eq (local.get $family) (i32.const 4))
      (then (local.set $node (global.get $v4Start)) (local.set $bits (i32.const 32)) (local.set $w0 (local.get $v4))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $depth) (local.get $bits)))
        (br_if $done (i32.ge_u (local.get $node) (local.get $nc)))
        (local.set $word
          (if (result i32) (i32.lt_u (local.get $depth) (i32.const 32)) (then (local.get $w0))
            (else (if (result i32) (i32.lt_u (local.get $depth) (i32.const 64)) (then (local.get $w1))
              (else (if (result i32) (i32.lt_u (local.get $depth) (i32.const 96)) (then (local.get $w2)) (else (local.get $w3))))))))
        (local.set $bit (i32.and (i32.shr_u (local.get $word) (i32.sub (i32.const 31) (i32.and (local.get $depth) (i32.const 31)))) (i32.const 1)))
        (if (i32.eq (global.get $recordSize) (i32.const 24))
          (then
            (local.set $o (i32.add (local.get $b) (i32.add (i32.mul (local.get $node) (i32.const 6)) (i32.mul (local.get $bit) (i32.const 3)))))
            (local.set $node (i32.or (i32.or (i32.shl (i32.load8_u (local.get $o)) (i32.const 16))
                                             (i32.shl (i32.load8_u offset=1 (local.get $o)) (i32.const 8)))
                                     (i32.load8_u offset=2 (local.get $o)))))
          (else (if (i32.eq (global.get $recordSize) (i32.const 28))
            (then
              (local.set $o (i32.add (local.get $b) (i32.mul (local.get $node) (i32.const 7))))
              (if (i32.eqz (local.get $bit))
                (then (local.set $node (i32.or (i32.or (i32.shl (i32.and (i32.load8_u offset=3 (local.get $o)) (i32.const 0xf0)) (i32.const 20))
                                                       (i32.shl (i32.load8_u (local.get $o)) (i32.const 16)))
                                               (i32.or (i32.shl (i32.load8_u offset=1 (local.get $o)) (i32.const 8))
                                                       (i32.load8_u offset=2 (local.get $o))))))
                (else (local.set $node (i32.or (i32.or (i32.shl (i32.and (i32.load8_u offset=3 (local.get $o)) (i32.const 0x0f)) (i32.const 24))
                                                       (i32.shl (i32.load8_u offset=4 (local.get $o)) (i32.const 16)))
                                               (i32.or (i32.shl (i32.load8_u offset=5 (local.get $o)) (i32.const 8))
                                                       (i32.load8_u offset=6 (local.get $o))))))))
            (else
              (local.set $o (i32.add (local.get $b) (i32.add (i32.mul (local.get $node) (i32.const 8)) (i32.mul (local.get $bit) (i32.const 4)))))
              (local.set $node (i32.or (i32.or (i32.shl (i32.load8_u (local.get $o)) (i32.const 24))
                                               (i32.shl (i32.load8_u offset=1 (local.get $o)) (i32.const 16)))
                                       (i32.or (i32.shl (i32.load8_u offset=2 (local.get $o)) (i32.const 8))
                                               (i32.load8_u offset=3 (local.get $o)))))))))
        (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
        (br $step)))
    ;; node == nodeCount: no data; node > nodeCount: data at (node - nodeCount - 16) into the data section
    (if (i32.le_u (local.get $node) (local.get $nc)) (then (return (i32.const -1))))
    ;; in 64 bits (no wrap); past the end of the file: no answer, as MmdbSource.offset() gives when find() throws
    (local.set $off64 (i64.add (i64.sub (i64.extend_i32_u (local.get $node)) (i64.extend_i32_u (local.get $nc)))
                               (i64.extend_i32_u (global.get $treeSize))))
    (if (i64.ge_u (local.get $off64) (i64.extend_i32_u (global.get $fileLen))) (then (return (i32.const -1))))
    (i32.wrap_i64 (local.get $off64)))

  ;; ---------------------------------------------------------------- ASN tables (AsnTable.findV4 / findV6)

  (func (export "asn4") (param $ip i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $hit i32)
    (local.set $hi (i32.sub (global.get $n) (i32.const 1)))
    (local.set $hit (i32.const -1))
    (block $out
      (loop $next
        (br_if $out (i32.gt_s (local.get $lo) (local.get $hi)))
        (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
        (if (i32.le_u (i32.load (i32.add (global.get $starts) (i32.shl (local.get $mid) (i32.const 2)))) (local.get $ip))
          (then (local.set $hit (local.get $mid)) (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
          (else (local.set $hi (i32.sub (local.get $mid) (i32.const 1)))))
        (br $next)))
    (if (i32.lt_s (local.get $hit) (i32.const 0)) (then (return (i32.const -1))))
    (if (i32.gt_u (local.get $ip) (i32.load (i32.add (global.get $ends) (i32.shl (local.get $hit) (i32.const 2)))))
      (then (return (i32.const -1))))
    (i32.load (i32.add (global.get $index) (i32.shl (local.get $hit) (i32.const 2)))))

  ;; a (4 words at byte pointer p) <= w0..w3, unsigned
  (func $le128 (param $p i32) (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (result i32)
    (if (i32.ne (i32.load (local.get $p)) (local.get $w0)) (then (return (i32.lt_u (i32.load (local.get $p)) (local.get $w0)))))
    (if (i32.ne (i32.load offset=4 (local.get $p)) (local.get $w1)) (then (return (i32.lt_u (i32.load offset=4 (local.get $p)) (local.get $w1)))))
    (if (i32.ne (i32.load offset=8 (local.get $p)) (local.get $w2)) (then (return (i32.lt_u (i32.load offset=8 (local.get $p)) (local.get $w2)))))
    (i32.le_u (i32.load offset=12 (local.get $p)) (local.get $w3)))

  ;; w0..w3 <= (4 words at byte pointer p), unsigned
  (func $ge128 (param $p i32) (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (result i32)
    (if (i32.ne (local.get $w0) (i32.load (local.get $p))) (then (return (i32.lt_u (local.get $w0) (i32.load (local.get $p))))))
    (if (i32.ne (local.get $w1) (i32.load offset=4 (local.get $p))) (then (return (i32.lt_u (local.get $w1) (i32.load offset=4 (local.get $p))))))
    (if (i32.ne (local.get $w2) (i32.load offset=8 (local.get $p))) (then (return (i32.lt_u (local.get $w2) (i32.load offset=8 (local.get $p))))))
    (i32.le_u (local.get $w3) (i32.load offset=12 (local.get $p))))

  (func (export "asn6") (param $w0 i32) (param $w1 i32) (param $w2 i32) (param $w3 i32) (result i32)
    (local $lo i32) (local $hi i32) (local $mid i32) (local $hit i32)
    (local.set $hi (i32.sub (global.get $n) (i32.const 1)))
    (local.set $hit (i32.const -1))
    (block $out
      (loop $next
        (br_if $out (i32.gt_s (local.get $lo) (local.get $hi)))
        (local.set $mid (i32.shr_u (i32.add (local.get $lo) (local.get $hi)) (i32.const 1)))
        (if (call $le128 (i32.add (global.get $starts) (i32.shl (local.get $mid) (i32.const 4)))
                         (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3))
          (then (local.set $hit (local.get $mid)) (local.set $lo (i32.add (local.get $mid) (i32.const 1))))
          (else (local.set $hi (i32.sub (local.get $mid) (i32.const 1)))))
        (br $next)))
    (if (i32.lt_s (local.get $hit) (i32.const 0)) (then (return (i32.const -1))))
    (if (i32.eqz (call $ge128 (i32.add (global.get $ends) (i32.shl (local.get $hit) (i32.const 4)))
                              (local.get $w0) (local.get $w1) (local.get $w2) (local.get $w3)))
      (then (return (i32.const -1))))
    (i32.load (i32.add (global.get $index) (i32.shl (local.get $hit) (i32.const 2)))))

  ;; ---------------------------------------------------------------- combinations

  ;; A table of `cap` slots (a power of two) for tuples of `width` i32 at byte pointer `tab` (zeroed by the host).
  ;; A slot holds the tuple then id + 1 (0: empty).
  (func (export "initCombos") (param $t i32) (param $c i32) (param $w i32)
    (global.set $tab (local.get $t))
    (global.set $cap (local.get $c))
    (global.set $width (local.get $w))
    (global.set $count (i32.const 0)))


  ;; The id of the tuple at io slot 8 (width i32): an existing id, or the next one (ids are handed out in order).
  ;; The host keeps the load below one half (it grows the table with rehash before it fills).
  (func (export "combo") (result i32)
    (local $h i32) (local $i i32) (local $slot i32) (local $mask i32) (local $stride i32) (local $same i32) (local $id i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $mix
      (if (i32.lt_u (local.get $i) (global.get $width))
        (then
          (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load offset=96 (i32.shl (local.get $i) (i32.const 2)))) (i32.const 0x01000193)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $mix))))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
    (local.set $mask (i32.sub (global.get $cap) (i32.const 1)))
    (local.set $stride (i32.shl (i32.add (global.get $width) (i32.const 1)) (i32.const 2)))
    (loop $probe
      (local.set $h (i32.and (local.get $h) (local.get $mask)))
      (local.set $slot (i32.add (global.get $tab) (i32.mul (local.get $h) (local.get $stride))))
      (local.set $id (i32.load (i32.add (local.get $slot) (i32.shl (global.get $width) (i32.const 2)))))
      (if (i32.eqz (local.get $id))
        (then
          (local.set $i (i32.const 0))
          (loop $copy
            (if (i32.lt_u (local.get $i) (global.get $width))
              (then
                (i32.store (i32.add (local.get $slot) (i32.shl (local.get $i) (i32.const 2)))
                           (i32.load offset=96 (i32.shl (local.get $i) (i32.const 2))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $copy))))
          (global.set $count (i32.add (global.get $count) (i32.const 1)))
          (i32.store (i32.add (local.get $slot) (i32.shl (global.get $width) (i32.const 2))) (global.get $count))
          (return (i32.sub (global.get $count) (i32.const 1)))))
      (local.set $same (i32.const 1))
      (local.set $i (i32.const 0))
      (block $cmpDone
        (loop $cmp
          (br_if $cmpDone (i32.ge_u (local.get $i) (global.get $width)))
          (if (i32.ne (i32.load (i32.add (local.get $slot) (i32.shl (local.get $i) (i32.const 2))))
                      (i32.load offset=96 (i32.shl (local.get $i) (i32.const 2))))
            (then (local.set $same (i32.const 0)) (br $cmpDone)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $cmp)))
      (if (local.get $same) (then (return (i32.sub (local.get $id) (i32.const 1)))))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $probe))
    (unreachable))
)
