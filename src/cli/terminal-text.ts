// Text for the terminal: names come from captures and file names from whoever named the file, so control
// characters and bidi overrides are made visible (`\u001b`): no escape sequence, carriage return or line break
// gets through to the table, the warnings or the error messages.

export function terminalText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** terminalText for messages of several lines (claims-file errors): the line breaks between them are kept. */
export function terminalLines(s: string): string {
  return s.split('\n').map(terminalText).join('\n');
}
