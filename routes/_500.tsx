import { Head } from "../runtime/head.ts";
import type { PageProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Shown when a route throws; the error itself goes to the log only. */
export default function ServerError(
  { state: { t } }: PageProps<unknown, AppState>,
) {
  return (
    <section class="message-page">
      <Head>
        <title>{`${t.errorTitle} · ${t.siteName}`}</title>
      </Head>
      <h1>{t.errorTitle}</h1>
      <p>{t.errorText}</p>
      <a class="button" href="/">{t.backToChannels}</a>
    </section>
  );
}
