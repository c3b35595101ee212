"""Builds that cost what changed: the parse cache, what each page was made from, and the stamp
that tells an unchanged site without reading it."""
