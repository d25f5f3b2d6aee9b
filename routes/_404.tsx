import { Head } from "../runtime/head.ts";
import type { PageProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Shown for unknown pages and channels. */
export default function NotFound(
  { state: { t } }: PageProps<unknown, AppState>,
) {
  return (
    <section class="message-page">
      <Head>
        <title>{`${t.notFoundTitle} · ${t.siteName}`}</title>
      </Head>
      <h1>{t.notFoundTitle}</h1>
      <p>{t.notFoundText}</p>
      <a class="button" href="/">{t.backToChannels}</a>
    </section>
  );
}
