"""Date formats for the languages Django has none for: numbers only, so no English month name
reaches a Haitian Creole, Somali or Hmong page (settings.FORMAT_MODULE_PATH)."""
