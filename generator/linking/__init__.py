"""Helpers of the link stage: where pages live, tags, related stories, and the URL lock
that keeps published addresses working."""
