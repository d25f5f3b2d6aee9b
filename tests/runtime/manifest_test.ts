import assert from "node:assert/strict";
import { generateManifest } from "../../runtime/manifest.ts";

const root = new URL("../../", import.meta.url);

Deno.test("fresh.gen.ts is up to date (run `deno task manifest` if this fails)", async () => {
  const current = await Deno.readTextFile(new URL("fresh.gen.ts", root));
  assert.equal(current, await generateManifest(root));
});

Deno.test("generateManifest() lists routes and islands in a stable order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const file of [
        "routes/index.tsx",
        "routes/watch/[id].tsx",
        "routes/_app.tsx",
        "islands/Player.tsx",
        "routes/notes.md",
        "routes/.hidden.ts",
      ]
    ) {
      await Deno.mkdir(`${dir}/${file.split("/").slice(0, -1).join("/")}`, {
        recursive: true,
      });
      await Deno.writeTextFile(`${dir}/${file}`, "export default () => null;");
    }
    const text = await generateManifest(new URL(`file://${dir}/`));
    assert.match(text, /import \* as \$0 from ".\/routes\/_app.tsx";/);
    assert.match(text, /import \* as \$1 from ".\/routes\/index.tsx";/);
    assert.match(text, /import \* as \$2 from ".\/routes\/watch\/\[id\].tsx";/);
    assert.match(text, /import \* as \$\$0 from ".\/islands\/Player.tsx";/);
    assert.match(text, /"\.\/islands\/Player.tsx": \$\$0,/);
    assert.doesNotMatch(text, /notes\.md|hidden/);
    assert.match(text, /baseUrl: import\.meta\.url,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
