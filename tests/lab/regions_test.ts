/**
 * The lab's regions, in real Chromium through a real coturn: a link
 * between two regions reads the delay between them at both of its ends,
 * from its first connectivity check on. Before a viewer binds a TURN
 * channel to a peer, coturn hands it the peer's datagrams as Data
 * indications; the lab once read the wrong STUN type for those, so the
 * first checks crossed regions with no delay, and one end of a 140 ms
 * link read 27 ms (nearby peers first then took it for a near link).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { startCoturn } from "../../scripts/coturn.ts";
import { startLabNetwork, viewerAddress } from "../../scripts/lab/network.ts";
import {
  accessOf,
  PROFILES,
  REGIONAL_FIBER,
} from "../../scripts/lab/profiles.ts";
import { turnDetour } from "../../scripts/lab/viewer_probe.ts";
import { TurnCredentials } from "../../p2p/turn.ts";

/** Each end's round-trip readings (ms) of one relay-only link, over `seconds`. */
async function linkReadings(
  offerer: Page,
  answerer: Page,
  iceServer: RTCIceServer,
  seconds: number,
): Promise<[number[], number[]]> {
  const setUp = (server: RTCIceServer) => {
    const scope = globalThis as unknown as { link: RTCPeerConnection };
    scope.link = new RTCPeerConnection({
      iceServers: [server],
      iceTransportPolicy: "relay",
    });
    scope.link.createDataChannel("lab", { negotiated: true, id: 0 });
  };
  // Descriptions with the relay candidate in them: no trickle to relay.
  const describe = async (remote: RTCSessionDescriptionInit | null) => {
    const link = (globalThis as unknown as { link: RTCPeerConnection }).link;
    if (remote) await link.setRemoteDescription(remote);
    // Its relay candidate is the one that matters.
    const gathered = new Promise<void>((resolve) =>
      link.addEventListener("icecandidate", ({ candidate }) => {
        if (!candidate || / typ relay/.test(candidate.candidate)) resolve();
      })
    );
    await link.setLocalDescription(
      remote ? await link.createAnswer() : await link.createOffer(),
    );
    await gathered;
    return link.localDescription!.toJSON();
  };
  await offerer.evaluate(setUp, iceServer);
  await answerer.evaluate(setUp, iceServer);
  const offer = await offerer.evaluate(describe, null);
  const answer = await answerer.evaluate(describe, offer);
  await offerer.evaluate(async (answer) => {
    const link = (globalThis as unknown as { link: RTCPeerConnection }).link;
    await link.setRemoteDescription(answer);
  }, answer);
  // Each end's readings, as near_first.ts takes them: one per new response.
  const sample = (page: Page) =>
    page.evaluate(async () => {
      const link = (globalThis as unknown as { link: RTCPeerConnection }).link;
      const report = await link.getStats();
      let pair: Record<string, number> | undefined;
      report.forEach((stat) => {
        if (stat.type === "transport" && stat.selectedCandidatePairId) {
          pair = report.get(stat.selectedCandidatePairId);
        }
      });
      return pair?.currentRoundTripTime === undefined ? undefined : {
        ms: pair.currentRoundTripTime * 1000,
        responses: pair.responsesReceived ?? 0,
      };
    });
  const readings: [number[], number[]] = [[], []];
  const seen = [0, 0];
  // Often at first, so the first check's reading is not missed.
  for (let i = 0; i < seconds * 10; i++) {
    for (const [end, page] of [offerer, answerer].entries()) {
      const figures = await sample(page);
      if (figures && figures.responses > seen[end]!) {
        readings[end]!.push(Math.round(figures.ms));
        seen[end] = figures.responses;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return readings;
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("the lab's regions: a link between regions reads their delay at both ends from its first check", async () => {
    const secret = crypto.randomUUID();
    const turn = await startCoturn({ secret });
    const delayMs = PROFILES.regions!.interRegionDelayMs!;
    // Viewers 0 and 2 in region 0, viewer 1 in region 1.
    const regions = [0, 1, 0];
    const network = await startLabNetwork({
      turnPort: turn.port,
      viewers: regions.map((region, i) => ({
        address: viewerAddress(i, region),
        access: accessOf(REGIONAL_FIBER),
        // No HTTP in this test.
        originPort: 9,
        region,
      })),
      interRegionDelayMs: delayMs,
    });
    const browser = await launchBrowser();
    try {
      const minter = await TurnCredentials.create({
        urls: [turn.url],
        secret,
        ttlS: 600,
      });
      const iceServer = await minter.mint(Date.now());
      const pages = await Promise.all(regions.map(async (_, i) => {
        const context = await browser.newContext();
        await context.addInitScript(
          turnDetour(turn.port, network.viewers[i]!.turnPort),
        );
        const page = await context.newPage();
        await page.goto("about:blank");
        return page;
      }));
      const [crossA, crossB] = await linkReadings(
        pages[0]!,
        pages[1]!,
        iceServer,
        4,
      );
      const [nearA, nearB] = await linkReadings(
        pages[2]!,
        pages[0]!,
        iceServer,
        4,
      );
      const summary = JSON.stringify({ crossA, crossB, nearA, nearB });
      for (const readings of [crossA, crossB, nearA, nearB]) {
        assert.ok(readings.length >= 2, `readings at each end: ${summary}`);
      }
      // Every reading of the cross link, the first too, holds both ways' delay.
      for (const ms of [...crossA, ...crossB]) {
        assert.ok(ms >= 2 * delayMs, `cross-region reading ${ms}: ${summary}`);
      }
      // Inside a region, no such delay.
      for (const ms of [...nearA, ...nearB]) {
        assert.ok(ms < delayMs, `same-region reading ${ms}: ${summary}`);
      }
      console.log(`round trips (ms): ${summary}`);
    } finally {
      await browser.close();
      await network.close();
      await turn.stop();
    }
  });
} else {
  Deno.test("the lab's regions (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 120_000);
  });
}
