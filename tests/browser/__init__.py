"""Browser tests of the built site (Chromium via Playwright, axe-core, linkchecker, Lighthouse)."""
