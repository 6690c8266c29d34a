/**
 * i18next with the two languages bundled (nothing is fetched). The language follows the system
 * (navigator.languages) unless the user picked one in Settings.
 */
import i18next from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { zhTW } from './zh-TW'

export type UiLanguage = 'en' | 'zh-TW'

export const i18n = i18next.createInstance()

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-TW': { translation: zhTW } },
  lng: systemLanguage(),
  fallbackLng: 'en',
  // React escapes what it renders; escaping here too would show &amp; to the user.
  interpolation: { escapeValue: false },
  initAsync: false
})

/**
 * The first system language the UI has. Any Chinese maps to 繁體中文, the only Chinese the UI has:
 * closer to a zh-CN reader than English is.
 */
export function systemLanguage(): UiLanguage {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language]
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-TW'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

/** Switches the UI language and tells assistive technology and fonts which one it is. */
export function applyLanguage(language: 'system' | UiLanguage): void {
  const resolved = language === 'system' ? systemLanguage() : language
  document.documentElement.lang = resolved
  if (i18n.language !== resolved) void i18n.changeLanguage(resolved)
}
