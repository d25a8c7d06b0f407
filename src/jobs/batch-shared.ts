// What the capture runs of a batch (batch.ts) share inside one process: things a command opens before its first
// capture and that `--jobs 1` already shares between the captures of one run (the geolocation data: flows opens it
// once for all its captures). Each capture of a batch is its own run of the command (batch-task.ts), which would
// open it again for every capture: ~50 ms of CPU per 75 MB capture for the geolocation pages a new locator reads
// again (docs/performance.md, "Several captures: long-lived helpers"). Outside a batch nothing is kept: a command
// opens what it needs as usual.

const shared = new Map<string, Promise<unknown>>();
let scopes = 0;

/** `open()`, or within a batch the promise it gave the first time for `key`. */
export function sharedInBatch<T>(key: string, open: () => Promise<T>): Promise<T> {
  if (scopes === 0) return open();
  let p = shared.get(key) as Promise<T> | undefined;
  if (p === undefined) {
    p = open();
    shared.set(key, p);
    // A failed open is not kept: the next capture tries again (and names the failure itself).
    p.catch(() => shared.delete(key));
  }
  return p;
}

/** Marks this thread as running a batch until the returned function is called. */
export function enterBatch(): () => void {
  scopes++;
  let left = false;
  return () => {
    if (left) return;
    left = true;
    if (--scopes === 0) shared.clear();
  };
}
