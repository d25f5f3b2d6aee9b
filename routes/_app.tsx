import type { AppProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** The document shell of every page. */
export default function App({ Component, state, url }: AppProps<AppState>) {
  const { t, locale } = state;
  const other = locale === "pt-BR" ? "en" : "pt-BR";
  // A query-only link keeps the viewer on this page, whatever the request path says.
  const switchParams = new URLSearchParams(url.search);
  switchParams.set("lang", other);
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="dark" />
        <link rel="icon" href="/logos/redflix.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <header class="site-header">
          <a class="brand" href="/">
            <img src="/logos/redflix.svg" alt="" width="28" height="28" />
            <span>{t.siteName}</span>
          </a>
          <a
            class="lang-switch"
            href={`?${switchParams}`}
            hreflang={other}
            title={t.language}
          >
            {other === "en" ? "EN" : "PT"}
          </a>
        </header>
        <main>
          <Component />
        </main>
        <footer class="site-footer">
          <a href="/dashboard">{t.dashboardTitle}</a>
        </footer>
      </body>
    </html>
  );
}
