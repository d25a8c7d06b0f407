// Which port numbers mark the server side of a flow when no SYN says so (a capture that starts mid-connection,
// UDP): the IANA service ports a handset's traffic actually uses. A 64 KiB lookup table, built once.

const SERVER_PORTS = [
  20, 21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 123, 137, 138, 143, 161, 389, 443, 445, 465, 500, 514, 587, 636,
  853, 993, 995, 1194, 1701, 1723, 1883, 3128, 3478, 3479, 4433, 4443, 4500, 5060, 5061, 5222, 5223, 5228, 5349,
  5353, 5355, 8000, 8008, 8053, 8080, 8081, 8443, 8883, 8888, 9000, 9131, 19302,
];

const table = new Uint8Array(65536);
for (const p of SERVER_PORTS) table[p] = 1;

export function isWellKnownServerPort(port: number): boolean {
  return table[port] === 1;
}
