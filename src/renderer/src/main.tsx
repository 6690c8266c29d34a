import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { startApp } from './actions/start'
import { App } from './App'
import { createClient } from './client'
import { i18n } from './i18n'
import './styles.css'

startApp(createClient())

const root = document.getElementById('root')
if (root) {
  createRoot(root).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <App />
      </I18nextProvider>
    </StrictMode>
  )
}
