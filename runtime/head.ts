/**
 * `<Head>` lets a page add elements to the document's `<head>` (a title,
 * meta tags) while it renders on the server.
 * @module
 */
import { type ComponentChildren, createContext } from "preact";
import { useContext } from "preact/hooks";

/** Collects `<Head>` children during one server render. */
export const HeadContext = createContext<ComponentChildren[] | null>(null);

/** Props of {@linkcode Head}. */
export interface HeadProps {
  /** Elements to place in `<head>`. */
  children: ComponentChildren;
}

/**
 * Add elements to the page's `<head>`; renders nothing in place.
 *
 * @example
 * ```tsx
 * <Head><title>RedFlix</title></Head>
 * ```
 */
export function Head({ children }: HeadProps): null {
  const collected = useContext(HeadContext);
  collected?.push(children);
  return null;
}
