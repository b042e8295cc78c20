/**
 * Start a whole Switchboard in-process for integration tests: real Redis (own prefix), real PostgreSQL
 * (own scratch database), the real pipeline, with the brain, desk and channels a test chooses.
 */
import { randomUUID } from "node:crypto";
import { startSwitchboard, type RunningSwitchboard, type StartOptions } from "../../src/main.js";
import { silentLogger } from "../../src/logging/logger.js";
import type { InboundMessage } from "../../src/domain/model.js";
import { createScratchDatabase, type ScratchDatabase } from "./postgres.js";
import { TEST_REDIS_URL, uniqueName } from "./services.js";

export interface Harness {
  database: ScratchDatabase;
  prefix: string;
  env: NodeJS.ProcessEnv;
  start(options?: Omit<StartOptions, "env" | "queuePrefix">): Promise<RunningSwitchboard>;
  stopAll(): Promise<void>;
}

export async function createHarness(extraEnv: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const database = await createScratchDatabase();
  const prefix = uniqueName("sbq");
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    PUBLIC_URL: "http://127.0.0.1:3000",
    // Several processes of one deployment must share the web chat signing key.
    WEBCHAT_SECRET: "test-webchat-secret-0123456789abcdefghijkl",
    ...extraEnv,
  };
  const running: RunningSwitchboard[] = [];
  return {
    database,
    prefix,
    env,
    async start(options = {}) {
      const instance = await startSwitchboard({ port: 0, logger: silentLogger(), ...options, env, queuePrefix: prefix });
      running.push(instance);
      return instance;
    },
    async stopAll() {
      for (const instance of running.splice(0).reverse()) await instance.close();
      await database.drop();
    },
  };
}

/** A customer message as a channel would hand it over. */
export function customerMessage(channelId: string, address: string, text: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return { channelId, channelMessageId: randomUUID(), customerAddress: address, text, attachments: [], receivedAt: new Date(), meta: {}, ...overrides };
}
