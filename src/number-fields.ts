// Initial values for number fields that later hold doubles (timestamps) or unsigned 32-bit values (TCP sequence
// numbers, which pass 2^31). V8 gives an object field the representation of the first value stored in it; a small
// integer there followed later by a double changes the shape of every such object, which discards the optimized
// code built on the old shape: a deoptimization and a recompile of the hot path (seen on the bench capture with
// node --trace-generalization and --trace-deopt: track, touch, emit and tcpState recompiled for it).

/** Zero, stored as a double. */
export const ZERO_D = -0;
/** "Not seen yet" for times and sequence numbers (every check is `< 0` / `>= 0`), stored as a double. */
export const UNSET_D = -Infinity;
