import assert from "node:assert/strict";
import { KvStore } from "../../analytics/kv_store.ts";
import { RedisStore } from "../../analytics/redis_store.ts";
import {
  type AnalyticsStore,
  emptyBucket,
  emptyTotals,
  MemoryStore,
} from "../../analytics/store.ts";
import { startRedis } from "../../scripts/redis_server.ts";
import { eventually } from "../helpers/eventually.ts";

const HOUR = 3600_000;
const MINUTE = 60_000;

function delta(channel: string, start: number, bytes: number) {
  return {
    totals: new Map([[channel, {
      ...emptyTotals(),
      httpBytes: bytes,
      p2pBytes: 3 * bytes,
      ttffSum: 500,
      ttffCount: 1,
    }]]),
    buckets: new Map([[
      channel,
      new Map([[start, { ...emptyBucket(), viewers: 1, httpBytes: bytes }]]),
    ]]),
  };
}

/** The behaviour every store shares; `reopen` gives a second handle on the same data. */
async function contract(
  t: Deno.TestContext,
  open: () => AnalyticsStore,
  persistent: boolean,
) {
  const minute = Date.now() - (Date.now() % MINUTE);
  const store = open();
  const other = persistent ? open() : store;
  try {
    await t.step("two handles share one secret", async () => {
      const secret = await store.secret();
      assert.match(secret, /^[0-9a-f]{64}$/);
      assert.equal(await other.secret(), secret);
    });
    await t.step("increments add up, from several handles", async () => {
      await store.add(delta("demo", minute, 1000));
      await other.add(delta("demo", minute, 500));
      await store.add(delta("news", minute - MINUTE, 10));
      const totals = await other.totals();
      assert.equal(totals.get("demo")?.httpBytes, 1500);
      assert.equal(totals.get("demo")?.p2pBytes, 4500);
      assert.equal(totals.get("demo")?.ttffCount, 2);
      assert.equal(totals.get("news")?.httpBytes, 10);
    });
    await t.step("history buckets add up per minute", async () => {
      const history = await store.history("demo", minute - HOUR);
      assert.deepEqual(history.get(minute), {
        viewers: 2,
        httpBytes: 1500,
        p2pBytes: 0,
        uploadedBytes: 0,
      });
      assert.equal(
        (await store.history("demo", minute + MINUTE)).size,
        0,
        "nothing before `since`",
      );
    });
    if (persistent) {
      await t.step(
        "a new handle (a restarted server) finds it all",
        async () => {
          await store.close();
          const again = open();
          try {
            assert.equal((await again.totals()).get("demo")?.httpBytes, 1500);
            assert.equal(
              (await again.history("demo", minute - HOUR)).get(minute)
                ?.httpBytes,
              1500,
            );
          } finally {
            await again.close();
          }
        },
      );
    }
  } finally {
    await store.close().catch(() => {});
    if (other !== store) await other.close();
  }
}

Deno.test("MemoryStore keeps figures for this process", async (t) => {
  await contract(t, () => new MemoryStore(3 * HOUR), false);
});

Deno.test("KvStore keeps figures in a Deno KV file across restarts", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await contract(
      t,
      () =>
        new KvStore({
          open: () => Deno.openKv(`${dir}/analytics.kv`),
          prefix: "test",
          keepMs: 3 * HOUR,
        }),
      true,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RedisStore keeps figures in a real redis-server across restarts", async (t) => {
  const redis = await startRedis();
  try {
    await contract(
      t,
      () =>
        new RedisStore({
          url: redis.url,
          prefix: "test",
          keepMs: 3 * HOUR,
          bucketMs: MINUTE,
        }),
      true,
    );
    await t.step(
      "while Redis is down, increments queue and reach it once it is back",
      async () => {
        const store = new RedisStore({
          url: redis.url,
          prefix: "outage",
          keepMs: 3 * HOUR,
          bucketMs: MINUTE,
        });
        try {
          await store.totals(); // connected
          await redis.stop();
          await assert.rejects(store.add(delta("demo", Date.now(), 42)));
          assert.equal(
            (await store.totals().catch(() => undefined))?.get("demo")
              ?.httpBytes ?? 42,
            42,
          );
          await redis.start();
          // The client reconnects by itself; a later flush sends what was queued too.
          let flushed = false;
          await eventually(async () => {
            if (!flushed) {
              await store.add(delta("demo", Date.now(), flushed ? 0 : 8));
              flushed = true;
            }
            assert.equal((await store.totals()).get("demo")?.httpBytes, 50);
          }, 5000);
        } finally {
          await store.close();
        }
      },
    );
  } finally {
    await redis.stop();
  }
});
