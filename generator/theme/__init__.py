"""What templates receive: the typed `TemplateContext` and the one place it is built, and the
template reference in README.md made from it."""
