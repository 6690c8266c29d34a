declare module '*?modulePath' { const path: string; export default path }
