import { describe, expect, it } from "vitest";
import { BusinessHours } from "../../escalation/business-hours.js";
import { zonedInstant } from "../../escalation/zoned-time.js";

const NEW_YORK = {
  timezone: "America/New_York",
  label: "ET",
  weekly: { mon: "09:00-17:00", tue: "09:00-17:00", wed: "09:00-17:00", thu: "09:00-17:00", fri: ["09:00-12:00", "13:00-17:00"] },
  holidays: ["2025-12-25"],
};

const at = (iso: string) => new Date(iso);

describe("BusinessHours", () => {
  const hours = new BusinessHours({ businessHours: NEW_YORK, replyWithinMinutes: 15, replyWithinMinutesByPriority: { urgent: 5 } });

  it("is open inside the weekly hours in the team's timezone, closed outside, on weekends and holidays", () => {
    expect(hours.isOpen(at("2025-03-04T14:00:00Z"))).toBe(true); // Tue 9:00 EST
    expect(hours.isOpen(at("2025-03-04T13:59:00Z"))).toBe(false); // Tue 8:59 EST
    expect(hours.isOpen(at("2025-03-04T22:00:00Z"))).toBe(false); // Tue 17:00 EST: end is exclusive
    expect(hours.isOpen(at("2025-03-07T17:30:00Z"))).toBe(false); // Fri 12:30 EST: lunch gap
    expect(hours.isOpen(at("2025-03-08T15:00:00Z"))).toBe(false); // Saturday
    expect(hours.isOpen(at("2025-12-25T15:00:00Z"))).toBe(false); // Christmas, a Thursday
    // Daylight saving: in July 9:00 in New York is 13:00 UTC.
    expect(hours.isOpen(at("2025-07-08T13:00:00Z"))).toBe(true);
    expect(hours.isOpen(at("2025-07-08T12:59:00Z"))).toBe(false);
  });

  it("promises the configured wait inside hours, per priority", () => {
    const now = at("2025-03-04T15:00:00Z");
    expect(hours.handoffNotice({ priority: "normal", now })).toContain("A person will reply here, usually within 15 minutes.");
    expect(hours.handoffNotice({ priority: "urgent", now })).toContain("usually within 5 minutes");
  });

  it("promises the wait and says when the team is back in Spanish for a Spanish-speaking customer", () => {
    expect(hours.handoffNotice({ priority: "urgent", now: at("2025-03-04T15:00:00Z"), language: "es" })).toBe(
      "Una persona le responderá aquí, normalmente en menos de 5 minutos.",
    );
    const notice = hours.handoffNotice({ priority: "normal", now: at("2025-03-07T23:00:00Z"), language: "es" });
    expect(notice).toContain("Nuestro equipo vuelve a las 9:00 el lunes (ET)");
    expect(notice).not.toMatch(/\b(?:the|will|reply|Monday)\b/);
  });

  it("says when the team is back outside hours, and that the assistant keeps helping", () => {
    // Friday 18:00 EST -> Monday 9:00.
    const notice = hours.handoffNotice({ priority: "normal", now: at("2025-03-07T23:00:00Z") });
    expect(notice).toContain("Our team is back at 9:00 on Monday (ET)");
    expect(notice).toContain("I can keep helping with questions I'm allowed to answer");
    expect(hours.aiAssistsWhileWaiting(at("2025-03-07T23:00:00Z"))).toBe(true);
    expect(hours.aiAssistsWhileWaiting(at("2025-03-04T15:00:00Z"))).toBe(false);
    // Tuesday 7:00 -> today; Tuesday 20:00 -> tomorrow; Friday lunch -> today at 13:00.
    expect(hours.whenBack(at("2025-03-04T12:00:00Z"))).toBe("at 9:00 today (ET)");
    expect(hours.whenBack(at("2025-03-05T01:00:00Z"))).toBe("at 9:00 tomorrow (ET)");
    expect(hours.whenBack(at("2025-03-07T17:30:00Z"))).toBe("at 13:00 today (ET)");
    // Wednesday 24 Dec 20:00 -> Christmas is a holiday -> Friday 26th.
    expect(hours.whenBack(at("2025-12-25T01:00:00Z"))).toBe("at 9:00 on Friday (ET)");
  });

  it("finds the next opening across a daylight-saving change", () => {
    // Saturday 8 March 2025; clocks go forward on Sunday the 9th; Monday 9:00 EDT is 13:00 UTC.
    expect(hours.nextOpening(at("2025-03-08T15:00:00Z"))?.toISOString()).toBe("2025-03-10T13:00:00.000Z");
    // Saturday 1 November; clocks go back on Sunday; Monday 9:00 EST is 14:00 UTC.
    expect(hours.nextOpening(at("2025-11-01T15:00:00Z"))?.toISOString()).toBe("2025-11-03T14:00:00.000Z");
  });

  it("starts SLA clocks at the next opening when closed", () => {
    const friday = at("2025-03-07T23:00:00Z");
    expect(hours.slaClockStart(friday).toISOString()).toBe("2025-03-10T13:00:00.000Z");
    const open = at("2025-03-04T15:00:00Z");
    expect(hours.slaClockStart(open)).toBe(open);
  });

  it("dates a far opening and falls back gracefully when nothing opens", () => {
    const longBreak = new BusinessHours({
      businessHours: { timezone: "Europe/Paris", weekly: { mon: "10:00-16:00" }, holidays: ["2025-03-10", "2025-03-17"] },
    });
    // From Saturday 8 March: Mondays 10th and 17th are off -> Monday 24 March, with the zone's own short name.
    expect(longBreak.whenBack(at("2025-03-08T12:00:00Z"))).toBe("at 10:00 on Monday 24 March (GMT+1)");
    const never = new BusinessHours({ businessHours: { timezone: "UTC", weekly: {} } });
    expect(never.nextOpening(at("2025-03-08T12:00:00Z"))).toBeUndefined();
    expect(never.handoffNotice({ priority: "normal", now: at("2025-03-08T12:00:00Z") })).toContain("as soon as they are back");
  });

  it("is always open without business hours", () => {
    const always = new BusinessHours();
    expect(always.isOpen(at("2025-03-08T03:00:00Z"))).toBe(true);
    expect(always.handoffNotice({ priority: "low", now: at("2025-03-08T03:00:00Z") })).toContain("usually within 15 minutes");
  });

  it("refuses bad configuration with a clear message", () => {
    expect(() => new BusinessHours({ businessHours: { timezone: "Mars/Olympus", weekly: {} } })).toThrow(/IANA timezone/);
    expect(() => new BusinessHours({ businessHours: { timezone: "UTC", weekly: { mon: "17:00-09:00" } } })).toThrow(/start before end/);
    expect(() => new BusinessHours({ businessHours: { timezone: "UTC", weekly: { funday: "09:00-17:00" } as never } })).toThrow();
    expect(() => new BusinessHours({ businessHours: { timezone: "UTC", weekly: {}, holidays: ["25/12/2025"] } })).toThrow(/2025-12-25/);
  });
});

describe("zonedInstant", () => {
  it("maps a wall time to its instant, and a skipped wall time past the gap", () => {
    expect(zonedInstant("2025-01-15", 9 * 60, "America/New_York").toISOString()).toBe("2025-01-15T14:00:00.000Z");
    expect(zonedInstant("2025-07-15", 9 * 60, "Asia/Kolkata").toISOString()).toBe("2025-07-15T03:30:00.000Z");
    // 2:30 on 9 March 2025 does not exist in New York: it resolves after the gap.
    expect(zonedInstant("2025-03-09", 2 * 60 + 30, "America/New_York").getTime()).toBeGreaterThanOrEqual(Date.parse("2025-03-09T07:00:00Z"));
  });
});
