/**
 * Before any test file: make sure the real services the suites need answer, and say how to start
 * them when they do not (CI's .ci/run starts them itself).
 */
import { createConnection } from "node:net";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./support/services.js";

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || defaultPort) });
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}

export default async function setup(): Promise<void> {
  const problems: string[] = [];
  if (!(await reachable(TEST_REDIS_URL, 6379))) {
    problems.push(`Redis does not answer at ${TEST_REDIS_URL} (start it: redis-server --daemonize yes --save "" --appendonly no)`);
  }
  if (!(await reachable(TEST_DATABASE_URL, 5432))) {
    problems.push(`PostgreSQL does not answer at ${TEST_DATABASE_URL} (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)`);
  }
  if (problems.length > 0) throw new Error(`Test services missing:\n${problems.join("\n")}`);
}
