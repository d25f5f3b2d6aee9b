import assert from "node:assert/strict";
import { en } from "../../i18n/en.ts";
import { messages, negotiateLocale } from "../../i18n/mod.ts";
import { ptBR } from "../../i18n/pt_br.ts";

Deno.test("negotiateLocale() follows the browser's languages", () => {
  assert.equal(negotiateLocale(null), "pt-BR");
  assert.equal(negotiateLocale("pt-BR,pt;q=0.9,en;q=0.8"), "pt-BR");
  assert.equal(negotiateLocale("en-US,en;q=0.9"), "en");
  assert.equal(negotiateLocale("fr-FR,en;q=0.5,pt;q=0.7"), "pt-BR");
  assert.equal(negotiateLocale("fr-FR,pt;q=0.5,en;q=0.7"), "en");
  assert.equal(negotiateLocale("de"), "pt-BR");
  assert.equal(negotiateLocale("en;q=0,pt-PT"), "pt-BR");
});

Deno.test("every language has every message, and they differ", () => {
  assert.deepEqual(Object.keys(ptBR).sort(), Object.keys(en).sort());
  assert.notEqual(messages("pt-BR").searchButton, messages("en").searchButton);
  assert.equal(ptBR.channelCount(2), "2 canais");
  assert.equal(en.channelCount(1), "1 channel");
});
