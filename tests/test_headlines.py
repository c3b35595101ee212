"""Headlines as editors type them: any punctuation on one line means what it says.

Valid YAML still means what YAML says (a quoted headline loses its quotes, a
list is "must be text"); a line YAML rejects, or reads as empty because it
starts with `#`, is the text after `key: `.
"""
from __future__ import annotations

import pytest

from conftest import story
from generator.content.frontmatter import FrontMatterError, split

#: (the line as typed, the headline it means)
HEADLINES = [
    ("title: Кличко: ППО збила 22 з 25 дронів", "Кличко: ППО збила 22 з 25 дронів"),
    ('title: "Ми вистоїмо", — Зеленський', '"Ми вистоїмо", — Зеленський'),
    ("title: «Ми вистоїмо», — Зеленський", "«Ми вистоїмо», — Зеленський"),
    ("title: 'Ми вистоїмо', — Зеленський", "'Ми вистоїмо', — Зеленський"),
    ('title: „Так“ чи «ні»: що вирішила Рада', "„Так“ чи «ні»: що вирішила Рада"),
    ("title: #1 у світі: українські дрони", "#1 у світі: українські дрони"),
    ("title: Новини #1 дня", "Новини #1 дня"),
    ("title: Хештег #StandWithUkraine зібрав мільйон", "Хештег #StandWithUkraine зібрав мільйон"),
    ("title: Ціни на пальне зросли на 5% за тиждень", "Ціни на пальне зросли на 5% за тиждень"),
    ("title: %50 знижки: як шахраї ловлять покупців", "%50 знижки: як шахраї ловлять покупців"),
    ("title: @ukraine_now: акаунт заблокували", "@ukraine_now: акаунт заблокували"),
    ("title: *Терміново*: вибухи у Києві", "*Терміново*: вибухи у Києві"),
    ("title: !Увага: тривога по всій країні", "!Увага: тривога по всій країні"),
    ("title: & ще одне: Рада ухвалила бюджет", "& ще одне: Рада ухвалила бюджет"),
    ("title: | Рубрика | Погода на вихідні", "| Рубрика | Погода на вихідні"),
    ("title: > Цитата дня: «Слава Україні»", "> Цитата дня: «Слава Україні»"),
    ("title: Зʼїзд партії: що відомо", "Зʼїзд партії: що відомо"),
    ("title: Обʼєднання громад з м'ятою", "Обʼєднання громад з м'ятою"),
    ("title: [Фото] Київ після атаки", "[Фото] Київ після атаки"),
    ("title: {Оновлено} Рада ухвалила закон", "{Оновлено} Рада ухвалила закон"),
    ("title: - Ні! — сказав міністр", "- Ні! — сказав міністр"),
    ("title: Why Kyiv's grid held: 5 reasons", "Why Kyiv's grid held: 5 reasons"),
    ("title: 'Rock 'n' roll is back,' says Kyiv DJ", "'Rock 'n' roll is back,' says Kyiv DJ"),
    ('title: "We will stand": Zelensky addresses Congress', '"We will stand": Zelensky addresses Congress'),
    ("title: Q&A: what the sanctions mean", "Q&A: what the sanctions mean"),
    ("title: Live: Kyiv under attack — updates", "Live: Kyiv under attack — updates"),
    ("title: C# and F#: Ukrainian devs at work", "C# and F#: Ukrainian devs at work"),
    ("title: Кремль: «переговоров не будет»", "Кремль: «переговоров не будет»"),
    ('title: "Мы выстоим", — заявил мэр', '"Мы выстоим", — заявил мэр'),
    ("title: Путин: «Мы не отступим» — что это значит?", "Путин: «Мы не отступим» — что это значит?"),
    ("title: Цены: +12% за год!", "Цены: +12% за год!"),
    ("title: ? Вопрос дня: где взять свет", "? Вопрос дня: где взять свет"),
    # valid YAML means what YAML says
    ('title: "Кличко: ППО збила дрони"', "Кличко: ППО збила дрони"),
    ("title: 'It''s official: the talks resume'", "It's official: the talks resume"),
    ("title: Plain headline", "Plain headline"),
    ("title: No", "No"),
    ("title: 2024", "2024"),
]


@pytest.mark.parametrize(("line", "headline"), HEADLINES, ids=[h for h, _ in HEADLINES])
def test_a_headline_means_what_was_typed(line, headline):
    fields, _, _ = split(f"---\n{line}\ndate: 2023-11-24\n---\nBody.\n")
    assert fields["title"].text("title") == headline


@pytest.mark.parametrize("key", ["summary", "author", "source", "image_caption", "image_credit", "image_alt"])
def test_every_one_line_text_key_takes_any_punctuation(key):
    fields, _, _ = split(f'---\ntitle: x\n{key}: Фото: "Getty Images" #1 & co\n---\n')
    assert fields[key].text(key) == 'Фото: "Getty Images" #1 & co'


def test_a_list_stays_a_list_and_is_then_not_text():
    fields, _, _ = split("---\ntitle: [a, b]\n---\n")
    with pytest.raises(FrontMatterError, match="`title` must be text, not a list"):
        fields["title"].text("title")


def test_a_block_scalar_and_a_continued_line_are_yamls():
    fields, _, _ = split("---\ntitle: >\n  Folded: over\n  two lines\nsummary: A long\n  summary\n---\n")
    assert fields["title"].text("title") == "Folded: over two lines"
    assert fields["summary"].text("summary") == "A long summary"


def test_line_numbers_hold_after_headlines_are_read_as_typed():
    with pytest.raises(FrontMatterError) as raised:
        split("---\ntitle: Кличко: ППО\nauthor: @name\ndate: 2023-11-24\ntags: [a, b\n---\n")
    assert raised.value.line == 5
    assert "`tags: [a, b`" in raised.value.message


def test_headlines_reach_the_page_as_typed(site):
    shapes = HEADLINES[:32]
    files = "".join(f"""
-- content/news/h{i:02d}/ua.md --
{story("x", slug=f"h{i:02d}").replace("title: x", line, 1)}
""" for i, (line, _) in enumerate(shapes))
    built = site(files)
    assert built.status == 0, built.err
    # (typography may curl the quotes; what was typed is otherwise all there)
    straight = str.maketrans({"«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'"})
    for i, (_, headline) in enumerate(shapes):
        page = built.html(f"ua/2023/11/h{i:02d}/")
        assert page.h1.get_text().translate(straight) == headline.translate(straight)
        assert page.title.get_text().translate(straight).startswith(headline.translate(straight))


def test_a_very_long_headline_makes_a_short_url(site):
    headline = ("Рада ухвалила закон про " + "дуже довгу назву, яку редактор вставив із пресрелізу, " * 6)[:359]
    built = site(f"""
-- content/news/long/ua.md --
{story(headline)}
""")
    assert built.status == 0, built.err
    (page,) = built.output.glob("ua/2023/11/*/index.html")
    slug = page.parent.name
    assert len(slug) <= 80 and not slug.endswith("-")
    assert slug.startswith("rada-ukhvalyla-zakon-pro-duzhe-dovhu-nazvu")
