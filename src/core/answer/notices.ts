/**
 * What DocuMind tells the user about an answer, in the language of the question. The error
 * details from the model server stay in English (they name hosts and commands).
 */
import type { AnswerLanguage } from './language'

const PASSAGES = {
  en: 'Here are the most relevant passages from your documents instead.',
  zh: '以下改為列出您文件中最相關的段落。'
}

export const notices = {
  noMatchAnswer: (lang: AnswerLanguage): string =>
    lang === 'zh'
      ? '在您的文件中找不到與這個問題相關的內容，所以無法根據文件回答。請換個說法再問，或匯入涵蓋這個主題的文件。'
      : "I found nothing relevant to this question in your documents, so I can't answer it from them. Try other words, or import documents that cover the topic.",
  noMatch: (lang: AnswerLanguage): string =>
    lang === 'zh' ? '在您的文件中找不到相關內容。' : 'Nothing relevant was found in your documents.',
  unreachable: (lang: AnswerLanguage, detail: string): string =>
    lang === 'zh'
      ? `無法連線到語言模型（${detail}）。${PASSAGES.zh}`
      : `No language model was reachable. ${detail} ${PASSAGES.en}`,
  modelMissing: (lang: AnswerLanguage, model: string): string =>
    lang === 'zh'
      ? `Ollama 中沒有安裝模型「${model}」。請先下載（ollama pull ${model}），或在設定中選擇其他模型。${PASSAGES.zh}`
      : `The model "${model}" is not installed in Ollama. Pull it (ollama pull ${model}) or choose another model in Settings. ${PASSAGES.en}`,
  modelCannotChat: (lang: AnswerLanguage, model: string): string =>
    lang === 'zh'
      ? `模型「${model}」是嵌入模型，只能把文字轉成向量，無法回答問題。請在設定中選擇聊天模型（例如 llama3.2）。${PASSAGES.zh}`
      : `The model "${model}" is an embedding model: it turns text into vectors and cannot answer questions. Choose a chat model in Settings (e.g. llama3.2). ${PASSAGES.en}`,
  noChatModel: (lang: AnswerLanguage): string =>
    lang === 'zh'
      ? `Ollama 中沒有可以回答問題的模型。請先下載一個，例如 ollama pull llama3.2。${PASSAGES.zh}`
      : `Ollama has no model installed that can answer questions. Pull one, e.g. ollama pull llama3.2. ${PASSAGES.en}`,
  modelFailed: (lang: AnswerLanguage, detail: string): string =>
    lang === 'zh' ? `模型無法回答（${detail}）。${PASSAGES.zh}` : `The model could not answer. ${detail} ${PASSAGES.en}`,
  emptyAnswer: (lang: AnswerLanguage, model: string): string =>
    lang === 'zh' ? `模型「${model}」沒有給出任何回答。${PASSAGES.zh}` : `The model "${model}" gave an empty answer. ${PASSAGES.en}`,
  failedMidway: (lang: AnswerLanguage, detail: string): string =>
    lang === 'zh'
      ? `回答到一半中斷了，以上是已收到的部分（${detail}）。`
      : `The answer broke off part-way; above is what arrived. ${detail}`,
  stopped: (lang: AnswerLanguage): string => (lang === 'zh' ? '已停止產生回答。' : 'Stopped before the answer was finished.')
}
