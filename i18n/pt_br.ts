/**
 * Brazilian Portuguese UI text (the default for RedFlix's audience).
 * @module
 */
import type { Messages } from "./en.ts";

/** Brazilian Portuguese messages. */
export const ptBR: Messages = {
  siteName: "RedFlix",
  tagline: "TV ao vivo e programas, compartilhados entre quem assiste",
  searchLabel: "Buscar canais",
  searchPlaceholder: "Nome do canal…",
  searchButton: "Buscar",
  allCategories: "Todos",
  noChannels: "Nenhum canal corresponde à sua busca.",
  channelCount: (n: number) => (n === 1 ? "1 canal" : `${n} canais`),
  watch: "Assistir",
  programs: "Programação",
  backToChannels: "Todos os canais",
  notFoundTitle: "Página não encontrada",
  notFoundText: "Esta página ou canal não existe.",
  errorTitle: "Algo deu errado",
  errorText:
    "O servidor não conseguiu mostrar esta página. Tente de novo em instantes.",
  embeddedPlayer: "Player incorporado",
  playerLoading: "Carregando…",
  playerBuffering: "Carregando o vídeo…",
  playerError: "Falha na reprodução",
  playerRetry: "Tentar de novo",
  playerUnmute: "Ativar som",
  playerMute: "Silenciar",
  playerQuality: "Qualidade",
  playerQualityAuto: "Automática",
  playerUnsupported: "Este navegador não reproduz vídeo HLS.",
  language: "Idioma",
};
