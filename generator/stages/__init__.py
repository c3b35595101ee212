"""The build's stages, in the order `build.build()` calls them: load (files) → parse
(front matter + Markdown → `Translation`s) → link (stories, URLs, tags, related stories) →
render (pages in memory) → write (pages → disk, all at once)."""
