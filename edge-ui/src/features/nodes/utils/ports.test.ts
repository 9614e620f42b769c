import { describe, expect, it } from "vitest";

import { isIpAddress, parsePorts } from "@/features/nodes/utils/ports";

describe("parsePorts", () => {
  it("reads single ports and ranges separated by commas, spaces or lines", () => {
    expect(parsePorts("25565, 25570-25580\n27015")).toEqual({ specs: ["25565", "25570-25580", "27015"], count: 13 });
  });

  it("says what is wrong, as the API would", () => {
    expect(parsePorts("")).toEqual({ problem: "Enter a port or a range like 25565-25600." });
    expect(parsePorts("abc")).toEqual({ problem: '"abc" is not a port or a range like 25565-25600.' });
    expect(parsePorts("70000")).toEqual({ problem: "70000 is not a port between 1 and 65535." });
    expect(parsePorts("30-20")).toEqual({ problem: '"30-20" runs backwards.' });
    expect(parsePorts("20-30 25")).toEqual({ problem: "Port 25 is listed twice." });
    expect(parsePorts("1-1001")).toEqual({ problem: "Add at most 1000 ports at once." });
    expect(parsePorts("1-1000")).toEqual({ specs: ["1-1000"], count: 1000 });
  });
});

describe("isIpAddress", () => {
  it("accepts IPv4 and IPv6 addresses only", () => {
    expect(isIpAddress("0.0.0.0")).toBe(true);
    expect(isIpAddress("192.168.1.20")).toBe(true);
    expect(isIpAddress("::1")).toBe(true);
    expect(isIpAddress("256.1.1.1")).toBe(false);
    expect(isIpAddress("play.example.com")).toBe(false);
  });
});
