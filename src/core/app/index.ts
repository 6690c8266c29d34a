/** The app service and what hosts need to adapt it (see service.ts). */
export { createAppService, type AppService, type AppServiceOptions, type AppSession } from './service'
export { defaultSettingsPath } from './settings'
