/**
 * Prometheus metrics (`GET /metrics`). One registry per running Switchboard (not prom-client's global),
 * so several instances in one test process do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface QueueDepthSource {
  depth(): Promise<Record<string, { waiting: number; active: number; delayed: number; failed: number }>>;
}

export class SwitchboardMetrics {
  readonly registry = new Registry();

  readonly messagesIn = new Counter({
    name: "switchboard_messages_in_total",
    help: "Inbound customer messages accepted, by channel (duplicates not counted)",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });

  readonly messagesOut = new Counter({
    name: "switchboard_messages_out_total",
    help: "Outbound messages handed to a channel, by channel and outcome (sent, held, failed)",
    labelNames: ["channel", "outcome"] as const,
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: "switchboard_job_failures_total",
    help: "Background job attempts that failed, by queue",
    labelNames: ["queue"] as const,
    registers: [this.registry],
  });

  readonly decisionLatency = new Histogram({
    name: "switchboard_decision_latency_seconds",
    help: "Time the brain took to decide one inbound message",
    labelNames: ["engine", "route"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly escalations = new Counter({
    name: "switchboard_escalations_total",
    help: "Conversations handed to a person, by first reason code",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly rejectedInbound = new Counter({
    name: "switchboard_inbound_rejected_total",
    help: "Inbound requests refused before storage (bad signature, malformed, oversized, rate limited), by channel and reason",
    labelNames: ["channel", "reason"] as const,
    registers: [this.registry],
  });

  constructor(options: { queues?: QueueDepthSource; defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "switchboard_" });
    const queues = options.queues;
    if (queues) {
      new Gauge({
        name: "switchboard_queue_depth",
        help: "Jobs per queue and state",
        labelNames: ["queue", "state"] as const,
        registers: [this.registry],
        async collect() {
          try {
            const depth = await queues.depth();
            for (const [queue, counts] of Object.entries(depth)) {
              for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
            }
          } catch {
            // Redis unreachable: /readyz reports it; the scrape still answers with the other metrics.
          }
        },
      });
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
