"""What editors write, read as they meant it: front matter, Markdown habits, embeds, photos in
the text, media names, other generators' shortcodes, and the checks of body links."""
