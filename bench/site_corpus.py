"""A generated archive for the public-site benchmark: ≥100,000 published stories on PostgreSQL.

Stories have realistic shapes (headline 6–14 words, standfirst 20–40, body 250–1,100 words in paragraphs,
a quarter in Arabic), sections with subsections, a region hierarchy (countries > governorates > towns),
actors, one or two authors each, and 1–4 places and 0–3 actors as tags. Rows go in with PostgreSQL COPY;
the search documents are folded in Python exactly as the model does (`search_words`) and turned into
tsvectors in the INSERT that moves them from the staging table, with each story's tag lexemes
(`search_tags`) as the link tables' trigger would write them; the search index is built once at the end.
An archive already holding enough stories is reused.
"""

import importlib
import io
import random
import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from articles.models import Actor, Article, Author, Region, Section
from articles.models.fields import search_words, tag_lexemes
from articles.taxonomy import add_aliases

# The words-and-tags GIN index exactly as the migration that introduced it creates it.
SEARCH_INDEX = importlib.import_module("articles.migrations.0010_search_tags_in_index").INDEX

ENGLISH = (  # noqa: SIM905 - word lists read better as prose
    "government forces militia fighters attack border city province council minister election protest water "
    "drought oil pipeline refugees camp humanitarian aid convoy ceasefire talks negotiations coalition airstrike "
    "village checkpoint security officials said spokesman statement killed wounded civilians displaced families "
    "returned reconstruction schools hospital electricity prices market economy budget parliament vote session "
    "governor police arrested court trial corruption investigation report journalists media tribal leaders "
    "militants cell weapons explosives road bridge river harvest wheat farmers prices fuel shortage winter summer "
    "president prime army commander operation offensive withdrawal troops base drone strike local residents "
    "witnesses according sources week month year agreement deal accord oilfield revenue exports imports trade "
    "crossing smuggling cattle sheep dam reservoir dust storm heat wave protesters students teachers salaries"
).split()
ARABIC = (  # noqa: SIM905
    "الحكومة القوات الفصائل المسلحة هجوم الحدود المدينة المحافظة المجلس الوزير الانتخابات احتجاج المياه الجفاف "
    "النفط خط اللاجئين المخيم المساعدات الإنسانية قافلة وقف إطلاق النار المفاوضات التحالف غارة القرية حاجز "
    "الأمن المسؤولين قال المتحدث بيان مقتل إصابة المدنيين النازحين العائلات عادت إعادة الإعمار المدارس "
    "المستشفى الكهرباء الأسعار السوق الاقتصاد الموازنة البرلمان التصويت جلسة المحافظ الشرطة اعتقال المحكمة "
    "محاكمة الفساد تحقيق تقرير الصحفيين الإعلام العشائر خلية أسلحة متفجرات الطريق الجسر النهر الحصاد القمح "
    "المزارعين الوقود نقص الشتاء الصيف الرئيس رئيس الجيش قائد عملية انسحاب القاعدة طائرة مسيرة السكان"
).split()
COUNTRIES = {
    "Iraq": ("العراق", ["Baghdad", "Nineveh", "Anbar", "Basra", "Kirkuk", "Erbil", "Salahuddin", "Diyala"]),
    "Syria": ("سوريا", ["Deir ez-Zor", "Raqqa", "Aleppo", "Idlib", "Hasakah", "Homs", "Damascus"]),
}
TOWNS_PER_GOVERNORATE = 4
ACTORS = [
    "Islamic State", "Syrian Democratic Forces", "Popular Mobilization Forces", "Kataib Hezbollah", "Iraqi Army",
    "Syrian Arab Army", "Kurdistan Regional Government", "US-led Coalition", "Turkish Army", "Hayat Tahrir al-Sham",
    "United Nations", "Red Crescent", "Sadrist Movement", "Iraqi Parliament", "Russian Forces", "Iranian IRGC",
    "Peshmerga", "Asayish", "Syrian National Army", "World Food Programme", "Federal Police",
    "Counter Terrorism Service",
    "Baath Party", "Kurdistan Democratic Party", "Patriotic Union of Kurdistan", "Yazidi community", "Shammar tribe",
    "Ministry of Oil", "Central Bank of Iraq", "Amnesty International",
]  # fmt: skip
ALIASES = {
    "Islamic State": ["ISIS", "ISIL", "Daesh", "داعش", "تنظيم الدولة الإسلامية"],
    "Syrian Democratic Forces": ["SDF", "قسد"],
    "Popular Mobilization Forces": ["PMF", "Hashd al-Shaabi", "الحشد الشعبي"],
}
SECTIONS = {"Iraq": ["Politics", "Security", "Economy"], "Syria": ["Politics", "Security"], "Region": [], "Opinion": []}
TAG_ARTICLE = "newsroom-bench"


FUNCTION_WORDS = {
    "en": "the of and to in a said on for that with was by at from is it as were have has an be".split(),  # noqa: SIM905
    "ar": "في من على إلى أن التي الذي عن مع هذا هذه كان و قد بين بعد أو لا ما كما ذلك".split(),  # noqa: SIM905
}


class Vocabulary:
    """Words drawn with a Zipf-like spread, as in real copy: function words most often, then the news words
    and names scattered among a long tail of rarer words (so "ceasefire" is in some stories, not all)."""

    def __init__(self, function_words, common, names, rng, tail=20000):
        syllables = ["ka", "ri", "mo", "sa", "tel", "bar", "dun", "ve", "lo", "zi", "han", "qu", "mir", "at", "es"]
        rare = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(tail)})
        for word in [*common, *names]:
            rare.insert(rng.randint(100, 4000), word)
        self.words = list(function_words) + rare
        weights = [1.0 / (rank + 10) for rank in range(len(self.words))]
        total, running, self.cumulative = sum(weights), 0.0, []
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def pick(self, count, rng):
        """`count` words, common ones often and rare ones seldom."""
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)


def _words(vocabulary, count, rng):
    return " ".join(vocabulary.pick(count, rng))


def _sentence(vocabulary, rng):
    return _words(vocabulary, rng.randint(8, 22), rng).capitalize() + "."


class ParagraphPool:
    """Paragraphs generated once and reused across bodies, each with its search words already folded.

    Folding every body word by word would dominate the generator's run time; a body made of pooled
    paragraphs has exactly the search words of its paragraphs, so they are folded once per paragraph.
    """

    def __init__(self, vocabulary, rng, size=4000):
        self.paragraphs = []
        for _ in range(size):
            words = rng.randint(40, 110)
            text = " ".join(_sentence(vocabulary, rng) for _ in range(max(1, words // 15)))
            self.paragraphs.append((f"<p>{text}</p>", words, search_words(text)))

    def body(self, rng):
        """A body of 250–1,100 words: its HTML and its folded search words."""
        html, folded, words = [], [], rng.randint(250, 1100)
        while words > 0:
            paragraph, size, search = rng.choice(self.paragraphs)
            html.append(paragraph)
            folded.append(search)
            words -= size
        return "".join(html), " ".join(folded)


def vocabularies():
    """Create (or reuse) the sections, places, actors and authors; return their ids."""
    sections = []
    for position, (name, children) in enumerate(SECTIONS.items()):
        parent, _ = Section.objects.get_or_create(
            slug=f"bench-{name.lower()}", defaults={"name": name, "position": position}
        )
        sections.append(parent.pk)
        for child in children:
            sub, _ = Section.objects.get_or_create(
                slug=f"bench-{name.lower()}-{child.lower()}", defaults={"name": child, "parent": parent}
            )
            sections.append(sub.pk)
    places = []
    for country, (name_ar, governorates) in COUNTRIES.items():
        top, _ = Region.objects.get_or_create(
            name=country, defaults={"slug": country.lower(), "name_ar": name_ar, "kind": "country"}
        )
        places.append(top.pk)
        for gov in governorates:
            slug = gov.lower().replace(" ", "-")
            g, _ = Region.objects.get_or_create(name=gov, defaults={"slug": slug, "kind": "governorate", "parent": top})
            places.append(g.pk)
            for n in range(TOWNS_PER_GOVERNORATE):
                defaults = {"slug": f"{slug}-{n + 1}", "kind": "district", "parent": g}
                t, _ = Region.objects.get_or_create(name=f"{gov} district {n + 1}", defaults=defaults)
                places.append(t.pk)
    actors = [Actor.objects.get_or_create(name=n, defaults={"slug": n.lower().replace(" ", "-")})[0].pk for n in ACTORS]
    for name, aliases in ALIASES.items():
        add_aliases(Actor.objects.get(name=name), aliases)
    authors = [
        Author.objects.get_or_create(slug=f"bench-author-{n}", defaults={"display_name": f"Bench Reporter {n}"})[0].pk
        for n in range(60)
    ]
    return sections, places, actors, authors


def existing_count():
    """How many generated stories the archive holds."""
    return Article.objects.filter(source=TAG_ARTICLE).count()


def _copy(cursor, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_value(v) for v in row) + "\n")
    buffer.seek(0)
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


def _copy_value(value):
    if value is None:
        return "\\N"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


ARTICLE_COLUMNS = [
    "id", "kicker", "headline", "slug", "standfirst", "body", "language", "section_id", "byline", "credit",
    "status", "created_at", "updated_at", "first_published_at", "last_published_at", "withdrawal_reason",
    "version", "source", "source_id", "source_url", "translation_group", "lead_image_caption",
    "import_digest",
]  # fmt: skip


def generate(total, seed=4, batch=5000, log=print):
    """Add generated published stories until the archive holds `total`; returns seconds spent."""
    started = time.monotonic()
    have = existing_count()
    if have >= total:
        return 0.0
    rng = random.Random(seed + have)
    sections, places, actors, authors = vocabularies()
    names = [w for n in [*COUNTRIES, *ACTORS] for w in n.split()]
    places_en = [g for _, gs in COUNTRIES.values() for g in gs]
    english = Vocabulary(FUNCTION_WORDS["en"], ENGLISH, names + places_en, rng)
    places_ar = ["داعش", "بغداد", "الموصل", "الرقة", "دير", "الزور", "حلب", "إدلب"]
    arabic_words = Vocabulary(FUNCTION_WORDS["ar"], ARABIC, places_ar, rng, 8000)
    pools = {"en": ParagraphPool(english, rng), "ar": ParagraphPool(arabic_words, rng, 2000)}
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_article")
        next_id = cursor.fetchone()[0] + 1
        # Rows go through a staging table so each story is written once, tsvector included; the GIN index is
        # rebuilt once at the end rather than maintained row by row.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_stage AS SELECT "
            + ", ".join(ARTICLE_COLUMNS)
            + ", ''::text AS a, ''::text AS b, ''::text AS c, ''::text AS t FROM articles_article WITH NO DATA"
        )
        cursor.execute("DROP INDEX IF EXISTS article_search_gin")
        for start in range(have, total, batch):
            rows, links_r, links_a, links_au = [], [], [], []
            for n in range(start, min(total, start + batch)):
                arabic = rng.random() < 0.25
                vocabulary = arabic_words if arabic else english
                headline = _words(vocabulary, rng.randint(6, 14), rng)
                headline = headline if arabic else headline.capitalize()
                standfirst = _sentence(vocabulary, rng) + " " + _sentence(vocabulary, rng)
                body, body_search = pools["ar" if arabic else "en"].body(rng)
                published = now - timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
                pk = next_id + n - have
                kicker = "" if rng.random() < 0.5 else _words(vocabulary, 2, rng)
                rows.append(
                    (
                        pk, kicker, headline[:300], f"bench-{n}", standfirst, body, "ar" if arabic else "en",
                        rng.choice(sections), "", "", "published", published, published, published, published, "",
                        1, TAG_ARTICLE, f"b{n}", "", None, "", "",
                    )
                )  # fmt: skip
                rows[-1] += (search_words(f"{kicker} {headline}"), search_words(standfirst), body_search)
                story_places = rng.sample(places, rng.randint(1, 4))
                story_actors = rng.sample(actors, rng.randint(0, 3))
                links_r += [(pk, region) for region in story_places]
                links_a += [(pk, actor) for actor in story_actors]
                # The tags as the link tables' trigger would index them (written here, it finds nothing to do).
                rows[-1] += (" ".join(tag_lexemes(story_places, story_actors)),)
                for position, author in enumerate(rng.sample(authors, rng.randint(1, 2))):
                    links_au.append((pk, author, position))
            _copy(cursor, "bench_stage", [*ARTICLE_COLUMNS, "a", "b", "c", "t"], rows)
            columns = ", ".join(ARTICLE_COLUMNS)
            cursor.execute(
                f"INSERT INTO articles_article ({columns}, search_document, search_tags) SELECT {columns}, "
                "setweight(to_tsvector('simple', a), 'A') || setweight(to_tsvector('simple', b), 'B') "
                "|| setweight(to_tsvector('simple', c), 'C'), array_to_tsvector(string_to_array(t, ' ')) "
                "FROM bench_stage"
            )
            cursor.execute("TRUNCATE bench_stage")
            _copy(cursor, "articles_articleregion", ["content_object_id", "tag_id"], links_r)
            _copy(cursor, "articles_articleactor", ["content_object_id", "tag_id"], links_a)
            _copy(cursor, "articles_article_authors", ["article_id", "author_id", "position"], links_au)
            log(f"  generated {min(total, start + batch):,} / {total:,} stories ({time.monotonic() - started:.0f}s)")
        log("  building the search index")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(SEARCH_INDEX)
        cursor.execute("SELECT setval(pg_get_serial_sequence('articles_article', 'id'), MAX(id)) FROM articles_article")
        cursor.execute("ANALYZE")
    return time.monotonic() - started


def sample_paths(count=2000, seed=7):
    """Addresses of random generated stories (canonical, so no redirect), for the load tool."""
    ids = list(Article.objects.filter(source=TAG_ARTICLE).values_list("pk", "slug", "language").order_by("?")[:count])
    return [f"{'/ar' if lang == 'ar' else ''}/article/{pk}/{slug}/" for pk, slug, lang in ids]
