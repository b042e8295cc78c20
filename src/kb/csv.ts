/**
 * A streaming RFC 4180 CSV parser: quoted fields with commas, doubled quotes and line breaks, CRLF or LF
 * line ends, a UTF-8 byte-order mark. It is fed text chunks as they come off the disk and yields each
 * record with the line number it starts on, so a bad row can be reported where a person finds it.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  fields: string[];
  /** A quote was opened and never closed before the end of the input. */
  unterminated?: boolean;
}

/** Longest field we keep; a runaway quoted field cannot eat the memory of the build. */
const MAX_FIELD_CHARS = 200_000;

export class CsvParser {
  private field = "";
  private fields: string[] = [];
  private inQuotes = false;
  /** The previous char was a quote inside a quoted field: either an escaped quote or the closing one. */
  private quotePending = false;
  private sawCarriageReturn = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private fieldTouched = false;

  /** Parses one chunk; returns the records completed by it. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let text = chunk;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index] as string;
      if (this.sawCarriageReturn) {
        this.sawCarriageReturn = false;
        if (char === "\n") continue; // the LF of a CRLF already ended the record or was counted
      }
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (char === '"') {
            this.append('"');
            continue;
          }
          this.inQuotes = false; // that quote closed the field; handle this char as unquoted below
        } else if (char === '"') {
          this.quotePending = true;
          continue;
        } else {
          if (char === "\n") this.line += 1;
          else if (char === "\r") {
            this.line += 1;
            this.sawCarriageReturn = true;
            this.append("\n"); // a CRLF or lone CR inside a quoted field reads as one line break
            continue;
          }
          this.append(char);
          continue;
        }
      }
      if (char === '"' && !this.fieldTouched) {
        this.inQuotes = true;
        this.fieldTouched = true;
      } else if (char === ",") {
        this.endField();
      } else if (char === "\n" || char === "\r") {
        if (char === "\r") this.sawCarriageReturn = true;
        this.endRecord(out);
        this.line += 1;
        this.recordLine = this.line;
      } else {
        this.append(char);
      }
    }
    return out;
  }

  /** Flushes the last record at the end of the input. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    const unterminated = this.inQuotes && !this.quotePending;
    this.inQuotes = false;
    this.quotePending = false;
    if (this.fieldTouched || this.fields.length > 0) {
      this.endRecord(out);
      if (unterminated && out[0]) out[0].unterminated = true;
    }
    return out;
  }

  private append(char: string): void {
    this.fieldTouched = true;
    if (this.field.length < MAX_FIELD_CHARS) this.field += char;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.fieldTouched = false;
  }

  private endRecord(out: CsvRecord[]): void {
    const blank = this.fields.length === 0 && !this.fieldTouched;
    this.endField();
    if (!blank) out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
  }
}

/** Parses a whole CSV text at once (tests, small files). */
export function parseCsv(text: string): CsvRecord[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}
