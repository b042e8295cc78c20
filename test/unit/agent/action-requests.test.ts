import { describe, expect, it } from "vitest";
import { parseActionRequest } from "../../../src/agent/local/action-requests.js";
import { targetDate } from "../../../src/agent/local/provider-account-tools.js";

describe("reading a requested account change", () => {
  it.each([
    ["please turn off autopay", { kind: "set_autopay", enabled: false }],
    ["can you switch autopay on again", { kind: "set_autopay", enabled: true }],
    ["stop automatic payments", { kind: "set_autopay", enabled: false }],
    ["When does my autopay run?", null],
    ["turn it on, no wait, turn it off", null],
  ])("autopay: %j", (text, expected) => {
    expect(parseActionRequest("set_autopay", text)).toEqual(expected);
  });

  it.each([
    ["move my payment by 3 days", { shiftDays: 3 }],
    ["push it back a week", null],
    ["can I pay a week later", { shiftDays: 7 }],
    ["move it to the 20th", { dayOfMonth: 20 }],
    ["change my due date to December 5th", { monthDay: { month: 12, day: 5 } }],
    ["to 5 jan please", { monthDay: { month: 1, day: 5 } }],
    ["make it 2026-12-03", { isoDate: "2026-12-03" }],
    ["Can I change my payment date?", null],
  ])("due date: %j", (text, target) => {
    expect(parseActionRequest("change_due_date", text)).toEqual(target === null ? null : { kind: "change_due_date", target });
  });

  it("places a target after the current due date", () => {
    expect(targetDate("2026-11-30", { shiftDays: 3 })).toBe("2026-12-03");
    expect(targetDate("2026-11-10", { dayOfMonth: 20 })).toBe("2026-11-20");
    expect(targetDate("2026-11-30", { dayOfMonth: 5 })).toBe("2026-12-05");
    expect(targetDate("2026-12-30", { dayOfMonth: 5 })).toBe("2027-01-05");
    expect(targetDate("2026-12-30", { monthDay: { month: 1, day: 4 } })).toBe("2027-01-04");
  });
});
