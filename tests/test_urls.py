"""Relative links between pages, checked against how a browser resolves them."""
from urllib.parse import urljoin

import pytest

from generator.linking.urls import relative

PATHS = ["", "404.html", "ua/", "ua/feed.xml", "ua/page/2/", "ua/2023/11/x/", "ua/2023/11/y/", "ua/2023/10/z/",
         "en/2023/11/x/", "ua/tags/a/", "ua/tags/a/page/2/", "static/style.css", "ua/2023/11/x/lead.jpg",
         "ua/about/", "ua/2023/11/x/#part"]


@pytest.mark.parametrize("source", [p for p in PATHS if "#" not in p])
def test_every_relative_link_resolves_to_its_target(source):
    base = "https://example.org/news/"
    for target in PATHS:
        href = relative(source, target)
        assert not href.startswith("/") and "//" not in href
        assert urljoin(base + source, href) == base + target, (source, target, href)
