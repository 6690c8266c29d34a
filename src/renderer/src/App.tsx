import { ConfirmDialog } from './components/common/ConfirmDialog'
import { ConnectionBanner, OllamaBanner } from './components/common/Banners'
import { Notice } from './components/common/Notice'
import { ChatView } from './components/chat/ChatView'
import { CitationPanel } from './components/chat/CitationPanel'
import { DropOverlay } from './components/library/DropOverlay'
import { LibraryView } from './components/library/LibraryView'
import { SettingsView } from './components/settings/SettingsView'
import { Sidebar } from './components/Sidebar'
import { useAppStore } from './store'

/** The window: side bar, banners, the current view, and the citation panel beside it. */
export function App() {
  const view = useAppStore((s) => s.view)
  return (
    <div className="app">
      <Sidebar />
      <div className="main-column">
        <ConnectionBanner />
        <OllamaBanner />
        <main className="main" id="main">
          {view === 'chat' ? <ChatView /> : view === 'library' ? <LibraryView /> : <SettingsView />}
        </main>
      </div>
      <CitationPanel />
      <ConfirmDialog />
      <Notice />
      <DropOverlay />
    </div>
  )
}
