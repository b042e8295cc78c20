/**
 * Progress for long commands: on a terminal one line rewritten in place; elsewhere (CI, a pipe) a few
 * plain log lines, one per stage, so logs stay short.
 */
import type { BuildProgress } from "../kb/build.js";

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, clock: () => number = Date.now): BuildProgress & { done(): void } {
  const started = clock();
  const seconds = () => ((clock() - started) / 1000).toFixed(1);
  const tty = stream.isTTY === true;
  let stageName = "";
  let lastRowsLine = 0;
  const write = (line: string) => {
    if (tty) stream.write(`\r\u001b[2K${line}`);
    else stream.write(`${line}\n`);
  };
  return {
    stage(name) {
      stageName = name;
      write(`[${seconds()}s] ${name}`);
    },
    rows(rows, bytesRead, totalBytes) {
      const percent = totalBytes > 0 ? Math.min(100, Math.round((bytesRead / totalBytes) * 100)) : 100;
      if (tty) {
        write(`[${seconds()}s] ${stageName}: ${rows.toLocaleString("en-US")} rows (${percent}%)`);
      } else if (rows - lastRowsLine >= 25_000) {
        lastRowsLine = rows;
        write(`[${seconds()}s] ${stageName}: ${rows} rows (${percent}%)`);
      }
    },
    done() {
      if (tty) stream.write("\n");
    },
  };
}
