import { ChannelCard } from "../components/ChannelCard.tsx";
import { Head } from "../runtime/head.ts";
import type { PageProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** The channel list, filtered by `?q=` and `?category=`; works without JavaScript. */
export default function Home({ url, state }: PageProps<unknown, AppState>) {
  const { catalog, t } = state;
  const query = url.searchParams.get("q")?.slice(0, 100) ?? "";
  const category = url.searchParams.get("category") ?? "";
  const channels = catalog.filter({ query, category });
  const categoryLink = (name: string) => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    if (name) params.set("category", name);
    const search = params.toString();
    return search ? `/?${search}` : "/";
  };
  return (
    <section class="channels">
      <Head>
        <title>{`${t.siteName} · ${t.tagline}`}</title>
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
      <nav class="categories" aria-label={t.searchLabel}>
        {["", ...catalog.categories()].map((name) => (
          <a
            key={name}
            href={categoryLink(name)}
            class={name === category ? "chip active" : "chip"}
            aria-current={name === category ? "page" : undefined}
          >
            {name || t.allCategories}
          </a>
        ))}
      </nav>
      <p class="count">{t.channelCount(channels.length)}</p>
      {channels.length === 0
        ? <p class="empty">{t.noChannels}</p>
        : (
          <ul class="channel-grid">
            {channels.map((channel) => (
              <ChannelCard
                key={channel.id}
                channel={channel}
                kind={catalog.kind(channel.id)}
                t={t}
              />
            ))}
          </ul>
        )}
    </section>
  );
}
