import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import {
  assertPeerSegmentsMatchOrigin,
  openViewer,
  snapshot,
  waitForPlayback,
  watchTogether,
} from "../helpers/viewer.ts";
import { startCoturn } from "../../scripts/coturn.ts";
import { eventually } from "../helpers/eventually.ts";
import { TurnCredentials } from "../../p2p/turn.ts";

const SECRET = "turn-test-secret-0123456789";

/** The local and remote candidate types of every connected peer connection of a page. */
function selectedPairs(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const { peers } = (globalThis as unknown as {
      __connections: { peers: Array<{ pc: RTCPeerConnection }> };
    }).__connections;
    const pairs: string[] = [];
    for (const { pc } of peers) {
      if (pc.connectionState !== "connected") continue;
      const report = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((stat) => byId.set(stat.id, stat));
      for (const stat of byId.values()) {
        if (stat.type !== "transport") continue;
        const pair = byId.get(String(stat.selectedCandidatePairId));
        const local = byId.get(String(pair?.localCandidateId));
        const remote = byId.get(String(pair?.remoteCandidateId));
        pairs.push(`${local?.candidateType}/${remote?.candidateType}`);
      }
    }
    return pairs;
  });
}

/**
 * Replace the TURN credentials a watch page was served with, as an old or
 * tampered page would carry them.
 */
async function serveCredentials(
  context: BrowserContext,
  credentials: { username: string; credential: string },
) {
  await context.route("**/watch/*", async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(
      /"username":"[^"]*","credential":"[^"]*"/,
      `"username":"${credentials.username}","credential":"${credentials.credential}"`,
    );
    await route.fulfill({ response, body: html });
  });
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("relay-only P2P through a real coturn with minted credentials", async (t) => {
    const turn = await startCoturn({ secret: SECRET });
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [], relayOnly: true },
      turn: { urls: [turn.url], secret: SECRET, ttlS: 3600 },
    });
    const browser = await launchBrowser();
    try {
      await t.step(
        "the page carries minted credentials, never the secret",
        async () => {
          const html = await (await fetch(`${server.url}/watch/demo`)).text();
          assert.doesNotMatch(html, new RegExp(SECRET));
          const [, username] = /"username":"(\d+):[A-Za-z0-9_-]*"/.exec(html) ??
            [];
          const expiry = Number(username);
          assert.ok(
            Math.abs(expiry - (Date.now() / 1000 + 3600)) < 60,
            `expires in an hour: ${username}`,
          );
          assert.match(html, /"relayOnly":true/);
        },
      );
      await t.step(
        "two viewers share segments over relayed candidates only, byte-identical to the origin",
        async () => {
          const [first, second] = await watchTogether(
            browser,
            server.url,
            "demo",
          );
          await assertPeerSegmentsMatchOrigin(second, server.url);
          for (const page of [first, second]) {
            const pairs = await selectedPairs(page);
            assert.ok(pairs.length > 0, "a connected peer connection");
            assert.deepEqual(
              [...new Set(pairs)],
              ["relay/relay"],
              `selected candidate pairs: ${pairs}`,
            );
          }
          // Leaving the page closes its peer connections, which ends their
          // relay sessions; coturn reports a session's bytes when it ends.
          for (const page of [first, second]) await page.goto("about:blank");
          await eventually(async () => {
            const usage = await turn.usage();
            assert.ok(
              usage.sessions >= 2 && usage.sentBytes > 100_000,
              JSON.stringify(usage),
            );
          }, 15_000);
          await first.context().close();
          await second.context().close();
        },
      );
      const refused = async (
        name: string,
        credentials: { username: string; credential: string },
      ) => {
        const context = await browser.newContext({
          extraHTTPHeaders: { "accept-language": "en" },
        });
        await serveCredentials(context, credentials);
        const viewer = await openViewer(context, server.url, "demo");
        await waitForPlayback(viewer, 3);
        await viewer.waitForSelector(".p2p-panel[data-status=turn]", {
          timeout: 15_000,
        });
        assert.match(
          await viewer.locator(".p2p-status").textContent() ?? "",
          /relay \(TURN\) server refused or cannot be reached; playing over HTTP/,
          name,
        );
        const { panel } = await snapshot(viewer);
        assert.equal(panel.p2pBytes, 0, name);
        assert.ok(panel.httpBytes > 0, name);
        await context.close();
      };
      await t.step(
        "expired credentials are refused by coturn: HTTP, and the panel says why",
        async () => {
          const minter = await TurnCredentials.create({
            urls: [turn.url],
            secret: SECRET,
            ttlS: 3600,
          });
          const expired = await minter.mint(Date.now() - 2 * 3600_000, "old");
          await refused("expired", {
            username: expired.username!,
            credential: expired.credential!,
          });
        },
      );
      await t.step(
        "forged credentials are refused too",
        async () => {
          const minter = await TurnCredentials.create({
            urls: [turn.url],
            secret: "not-the-secret-0123456789",
            ttlS: 3600,
          });
          const forged = await minter.mint(Date.now(), "forger");
          await refused("forged", {
            username: forged.username!,
            credential: forged.credential!,
          });
        },
      );
    } finally {
      await browser.close();
      await server.close();
      await turn.stop();
    }
  });
} else {
  Deno.test("TURN relay-only mode in real Chromium with a real coturn, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 180_000);
  });
}
