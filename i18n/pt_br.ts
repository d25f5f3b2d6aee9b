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
  p2pTitle: "Ponto a ponto",
  p2pActive: "P2P ligado: compartilhando com outros espectadores",
  p2pWaiting: "P2P ligado: procurando outros espectadores…",
  p2pStarting: "Iniciando o P2P…",
  p2pOffOperator: "P2P desligado neste site; reproduzindo via HTTP",
  p2pOffViewer: "P2P desligado (sua escolha); reproduzindo via HTTP",
  p2pOffWebRTC:
    "P2P desligado: este navegador não tem WebRTC; reproduzindo via HTTP",
  p2pOffTracker: "P2P pausado: tracker inacessível; reproduzindo via HTTP",
  p2pOffNative: "P2P desligado na reprodução HLS nativa",
  p2pToggle: "Compartilhar com espectadores",
  p2pPeers: (n: number) => (n === 1 ? "1 par" : `${n} pares`),
  p2pDown: "Download",
  p2pUp: "Upload",
  p2pRatio: "Dos pares",
  p2pViaP2P: "Via P2P",
  p2pViaHttp: "Via HTTP",
  p2pUploaded: "Enviado",
  p2pSegments: "Segmentos (P2P/HTTP)",
  p2pChart: "Vazão no último minuto: P2P e HTTP",
};
