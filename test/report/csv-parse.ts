// A tiny strict RFC 4180 parser for the tests: records end in CRLF, quoted fields may hold commas, quotes ("")
// and line breaks. Throws on anything RFC 4180 does not allow, so a malformed export fails the test.

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    if (i >= text.length) throw new Error('last record lacks CRLF');
    throw new Error(`unexpected character ${JSON.stringify(text[i])} at ${i}`);
  }
  if (record.length) throw new Error('dangling record');
  return records;
}
