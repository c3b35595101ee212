"""Properties that hold for any input (hypothesis)."""
from __future__ import annotations

import re
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_site
from generator.config import load_config
from generator.content.frontmatter import FrontMatterError, split
from generator.content.markup import BodyConverter
from generator.model import SourceFile
from generator.stages.parse import parse_translation
from generator.cli import main

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ALPHABETS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяёъыэ АБВГҐДЕЄЖЗИІЇЙ abcXYZ 0123 '’ʼ-–—«»„“\"!?.,:;()&<>/"
title_text = st.text(alphabet=ALPHABETS, min_size=1, max_size=60).filter(lambda t: t.strip())
tag_text = st.text(alphabet="абвгґдеєжзиіїйклмнопрстуфхцчшщьюяabcxyz ", min_size=1, max_size=15).filter(
    lambda t: t.strip() and re.search(r"[^\s]", t))


def yaml_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=title_text, lang=st.sampled_from(["ua", "en", "ru"]))
def test_every_title_gets_a_clean_slug(tmp_path, title, lang):
    config = load_config(make_site(tmp_path / "site"))
    text = f"---\ntitle: {yaml_quoted(title)}\ndate: 2023-11-24\n---\nBody.\n"
    t = parse_translation(config, SourceFile("news", "story-id", lang, f"content/news/story-id/{lang}.md", text),
                          (), BodyConverter())
    assert SLUG.match(t.slug), (title, t.slug)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300) | st.builds(lambda a, b: f"---\n{a}\n---\n{b}", st.text(max_size=200),
                                         st.text(max_size=50)))
def test_front_matter_parses_or_fails_with_a_line(text):
    try:
        split(text)
    except FrontMatterError as err:
        assert err.line >= 1 and err.message


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(title_text, st.lists(tag_text, max_size=3)), min_size=1, max_size=6))
def test_a_site_of_generated_titles_and_tags_passes_check(tmp_path_factory, stories):
    """Every build of generated content either passes `newsgen check` or fails cleanly."""
    root = tmp_path_factory.mktemp("generated")
    make_site(root)
    for i, (title, tags) in enumerate(stories):
        for lang in ("ua", "en"):
            folder = root / f"content/news/s{i}"
            folder.mkdir(parents=True, exist_ok=True)
            tag_list = ", ".join(yaml_quoted(t) for t in tags)
            (folder / f"{lang}.md").write_text(
                f"---\ntitle: {yaml_quoted(title)}\ndate: 2023-11-{i + 1:02d}\nslug: s{i}\ntags: [{tag_list}]\n---\n"
                f"See [the first](story:s0).\n", encoding="utf-8")
    code = main(["build", "--site", str(root), "--quiet", "--jobs", "1"])
    # A build either succeeds and its output passes check, or it reports a content
    # problem (two tags sharing one URL, say: "b" and "б") and exits 1; never a crash.
    assert code in (0, 1)
    if code == 0:
        assert main(["check", "--site", str(root)]) == 0
    shutil.rmtree(root)
