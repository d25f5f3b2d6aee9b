import { ChannelCard } from "../components/ChannelCard.tsx";
import { Head } from "../runtime/head.ts";
import type { PageProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";
import { numberedPage } from "../utils/paging.ts";

/** Channel cards per page: the first screen stays light whatever the catalog holds. */
export const CHANNELS_PER_PAGE = 48;

/** Category chips shown above the list (the largest); the rest are one link away. */
export const CATEGORY_CHIPS = 20;

/**
 * The channel list, filtered by `?q=` and `?category=`, a page at a time
 * (`?page=`); `?categories=all` lists every category instead. Works
 * without JavaScript.
 */
export default function Home({ url, state }: PageProps<unknown, AppState>) {
  const { catalog, t, locale } = state;
  const now = Date.now();
  const clock = { locale, timeZone: state.timeZone ?? "UTC" };
  const query = url.searchParams.get("q")?.slice(0, 100) ?? "";
  const category = url.searchParams.get("category")?.slice(0, 200) ?? "";
  const allCategories = url.searchParams.get("categories") === "all";
  const link = (changes: Record<string, string | number>) => {
    const params = new URLSearchParams();
    const merged: Record<string, string | number> = {
      q: query,
      category,
      ...changes,
    };
    for (const [key, value] of Object.entries(merged)) {
      if (value !== "" && value !== 1) params.set(key, String(value));
    }
    const search = params.toString();
    return search ? `/?${search}` : "/";
  };
  const counts = catalog.categoryCounts();
  const chips = counts.slice(0, CATEGORY_CHIPS);
  if (category && !chips.some((c) => c.name === category)) {
    const active = counts.find((c) => c.name === category);
    if (active) chips.push(active);
  }
  const channels = allCategories ? [] : catalog.filter({ query, category });
  const at = numberedPage(
    url.searchParams.get("page"),
    channels.length,
    CHANNELS_PER_PAGE,
  );
  return (
    <section class="channels">
      <Head>
        <title>{`${t.siteName} · ${t.tagline}`}</title>
        {at.page > 1 && <link rel="prev" href={link({ page: at.page - 1 })} />}
        {at.page < at.pages && (
          <link rel="next" href={link({ page: at.page + 1 })} />
        )}
      </Head>
      <div class="hero">
        <h1>{t.siteName}</h1>
        <p>{t.tagline}</p>
      </div>
      <form class="search" method="get" action="/" role="search">
        <label for="q" class="visually-hidden">{t.searchLabel}</label>
        <input
          id="q"
          name="q"
          type="search"
          value={query}
          placeholder={t.searchPlaceholder}
          maxLength={100}
        />
        {category && <input type="hidden" name="category" value={category} />}
        <button type="submit">{t.searchButton}</button>
      </form>
      <nav class="categories" aria-label={t.categoriesLabel}>
        <a
          href={link({ category: "" })}
          class={!category && !allCategories ? "chip active" : "chip"}
          aria-current={!category && !allCategories ? "page" : undefined}
        >
          {t.allCategories}{" "}
          <span class="chip-count">{catalog.channels.length}</span>
        </a>
        {chips.map(({ name, count }) => (
          <a
            key={name}
            href={link({ category: name })}
            class={name === category ? "chip active" : "chip"}
            aria-current={name === category ? "page" : undefined}
          >
            {name} <span class="chip-count">{count}</span>
          </a>
        ))}
        {counts.length > chips.length && (
          <a
            href="/?categories=all"
            class={allCategories ? "chip active" : "chip"}
          >
            {t.moreCategories(counts.length)}
          </a>
        )}
      </nav>
      {allCategories
        ? (
          <ul class="category-list">
            {catalog.categories().map((name) => (
              <li key={name}>
                <a href={link({ category: name, q: "" })}>{name}</a>
              </li>
            ))}
          </ul>
        )
        : (
          <>
            <p class="count">
              {t.channelCount(channels.length)}
              {at.pages > 1 && ` · ${t.pageOf(at.page, at.pages)}`}
            </p>
            {channels.length === 0
              ? <p class="empty">{t.noChannels}</p>
              : (
                <ul class="channel-grid">
                  {channels.slice(at.start, at.end).map((channel) => (
                    <ChannelCard
                      key={channel.id}
                      channel={channel}
                      kind={catalog.kind(channel.id)}
                      t={t}
                      onAir={state.guide?.guide.nowNext(channel.id, now)}
                      now={now}
                      clock={clock}
                    />
                  ))}
                </ul>
              )}
            {at.pages > 1 && (
              <nav class="pager" aria-label={t.pagesLabel}>
                {at.page > 1
                  ? (
                    <a rel="prev" href={link({ page: at.page - 1 })}>
                      ← {t.previousPage}
                    </a>
                  )
                  : <span />}
                <span>{t.pageOf(at.page, at.pages)}</span>
                {at.page < at.pages
                  ? (
                    <a rel="next" href={link({ page: at.page + 1 })}>
                      {t.nextPage} →
                    </a>
                  )
                  : <span />}
              </nav>
            )}
          </>
        )}
    </section>
  );
}
