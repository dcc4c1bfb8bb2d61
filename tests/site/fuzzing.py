"""Shared pieces of the fuzz and CSRF tests: what a visitor can type, how an answer is judged,
a snapshot of the database to prove that a refused request changed nothing, and a request budget that
each fuzz test spends and then asserts it really spent.

    budget = Budget()
    run_fuzz(strategy, one_request, examples=300, budget=budget)   # hypothesis, one example per request
    assert budget.requests >= 300

`run_fuzz` runs `one_request` for each generated example inside a savepoint that is rolled back, so every
example starts from the same small world (hypothesis needs examples that do not depend on each other to
shrink a failure), and a failed query on PostgreSQL cannot poison the next example.
"""

import contextlib
import time
import unicodedata
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# --- What a visitor can type -------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r\nSet-Cookie: x=1",
    "\u202e\u200b\ufeff\u2028",
    "-1",
    "0",
    "-0",
    "00000",
    "-99999999999999999999",
    "99999999999999999999999999",
    "9" * 400,
    "1e9999",
    "NaN",
    "inf",
    "3.5",
    "0x1F",
    "４",  # fullwidth digit
    "٣",  # Arabic-Indic digit: str.isdecimal() says yes
    "Ⅳ",
    "' OR 1=1 --",
    "'; DROP TABLE producers_producer; --",
    '" OR ""="',
    "%",
    "%00",
    "%%",
    "_",
    "\\",
    "\\x00",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    "/admin/",
    "//evil.example/",
    "javascript:alert(1)",
    "đ" * 300,
    "Đặc sản Hà Giang",
    "Đặc sản Hà Giang",  # decomposed (NFD)
    "chè shan tuyết mộc châu",
    "1032/QĐ-UBND",
    "😀🇻🇳",
    "x" * 10_000,
]
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐĂÂÊÔƠƯ"
SLUG_WORDS = ["son-la", "ha-giang", "quang-ninh", "tuyen-quang", "che", "mat-ong", "gao", "ha-noi", "cao-bang"]
# Values the catalogue understands somewhere, so that generated requests also reach the code behind a filter.
KNOWN_VALUES = [
    *SLUG_WORDS,
    *"123456",
    "gi",
    "ocop",
    "certification_mark",
    "collective_mark",
    "cooperative",
    "enterprise",
    "household",
    "cooperative_group",
    "name",
    "-stars",
    "newest",
    "valid",
    "expiring",
    "expired",
    "revoked",
    "vi",
    "en",
]
TRACEBACK = b"Traceback"


def _no_traceback(text):
    # A generated value is echoed by pages (a search box, "ignored: …"); it must never be the one word we look for.
    return "traceback" not in text.casefold()


# Short texts: hypothesis spends its time per character drawn, and the long cases are in NASTY.
text_values = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=VIETNAMESE + " /-.", max_size=16),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn"]), max_size=12),
    st.sampled_from(NASTY),
).filter(_no_traceback)
number_values = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-3, max_value=10).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e9999", "-0", "0x10", "１２", "٣", "2147483648", "9223372036854775808", "-9223372036854775809"]),
)
values = st.one_of(text_values, number_values, st.sampled_from(KNOWN_VALUES))
junk_keys = st.one_of(st.text(max_size=10), st.sampled_from(["", "\x00", "page[]", "q[0]", "__proto__", "utm_source"]))


def query(names, max_keys=6, known=None):
    """A query as a dict of lists (the test client repeats a key for each value): known names and junk.

    `known` maps parameters to values the page understands (real slugs, paths of the site). Most queries
    look like what a page's own links and forms send: each parameter at most once, those of `known` always
    there and mostly with a known value, so that generated requests also get past the first check and
    reach the code behind it. The others repeat keys, invent keys and send any value."""
    known = known or {}
    key = st.one_of(st.sampled_from(names), junk_keys) if names else junk_keys
    extra = sorted({v for vs in known.values() for v in vs})
    value = st.one_of(values, st.sampled_from(extra)) if extra else values
    anything = st.dictionaries(key, st.lists(value, min_size=1, max_size=4), max_size=max_keys)
    if not names:
        return anything

    def likely(name):
        return st.one_of(*[st.sampled_from(known[name])] * 2, values) if known.get(name) else values

    plausible = st.fixed_dictionaries(
        {name: likely(name).map(lambda v: [v]) for name in names if name in known},
        optional={name: likely(name).map(lambda v: [v]) for name in names if name not in known},
    )
    return st.one_of(anything, plausible, plausible)


emails = st.one_of(
    st.builds(
        lambda user, domain: f"{user}@{domain}",
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=10),
        st.sampled_from(["example.org", "sieuthi.vn", "xn--tr-xla.vn", "a.b", "localhost", "[127.0.0.1]", "ví-dụ.vn"]),
    ),
    st.sampled_from(["a@b", "@", "a@", "a@@b.vn", "a b@c.vn", "a@b.c\x00", '"a"@b.vn', "x" * 250 + "@b.vn"]),
)
raw_query_strings = st.lists(
    st.one_of(
        st.binary(max_size=12).map(lambda b: "".join(f"%{x:02X}" for x in b)),
        st.sampled_from(
            ["%", "%z", "%zz", "%C3", "%C3%28", "%ED%A0%80", "%FF%FE", "=", "&", "&&", "==", "+", ";", "%00"]
        ),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=8),
    ),
    max_size=10,
).map("".join)

# Headers a client controls (the test client's defaults otherwise): junk, including CR/LF and NUL. A WSGI
# server hands Django each header as its bytes read as Latin-1, so UTF-8 text arrives that way too.
header_values = text_values.map(lambda s: s.encode("utf-8").decode("latin-1"))
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT_LANGUAGE": st.one_of(header_values, st.sampled_from(["en", "vi", "en;q=x", "*", "zz-ZZ,,;;"])),
        "HTTP_COOKIE": st.one_of(
            header_values,
            st.sampled_from(
                ["sessionid=abc", "sessionid=\x00", "csrftoken=" + "x" * 64, "sessionid=; sessionid=1", "a=b=c;;;"]
            ),
        ),
        "HTTP_X_REQUEST_ID": header_values,
        "HTTP_X_FORWARDED_FOR": header_values,
        "HTTP_USER_AGENT": header_values,
        "HTTP_REFERER": header_values,
    },
)


def vietnamese_variants(text):
    """Ways a person may type `text`: other case, no diacritics, decomposed, spaces around / and -."""
    stripped = "".join(
        ch
        for ch in unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(ch)
    )
    return [
        text,
        text.lower(),
        text.upper(),
        stripped,
        stripped.lower(),
        unicodedata.normalize("NFD", text),
        f"  {text}  ",
        text.replace("/", " / ").replace("-", " - "),
        text.replace("-", "\u2013"),
    ]


# --- Judging an answer ---------------------------------------------------------------------------------


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def check(response, context="", *, allow=()):
    """No server error and no traceback in the body, whatever was sent; returns the body."""
    body = body_of(response)
    assert response.status_code < 500 or response.status_code in allow, (response.status_code, context, body[:300])
    assert TRACEBACK not in body, (context, body[:300])
    return body


# --- Request budgets -----------------------------------------------------------------------------------


@dataclass
class Budget:
    """How many requests a test made, per label; the test asserts the total at the end."""

    requests: int = 0
    by_label: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)

    def spend(self, label, n=1):
        self.requests += n
        self.by_label[label] = self.by_label.get(label, 0) + n

    def note(self, label, status):
        """The answer's status code, to report how many generated requests got how far."""
        counts = self.statuses.setdefault(label, {})
        counts[status] = counts.get(status, 0) + 1

    def report(self):
        """One line per label: requests, seconds and status codes (pytest shows it with -s or -rP)."""
        lines = [f"{self.requests} requests"]
        for label, n in self.by_label.items():
            spent = self.seconds.get(label, 0.0)
            codes = ", ".join(f"{code}: {k}" for code, k in sorted(self.statuses.get(label, {}).items(), key=str))
            lines.append(f"  {label}: {n} requests, {spent:.1f} s ({spent / n * 1000:.0f} ms each) [{codes}]")
        return "\n".join(lines)


HYPOTHESIS_SETTINGS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
}


@contextlib.contextmanager
def rolled_back():
    """A savepoint undone at the end: each generated example starts from the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def run_fuzz(strategy, one_example, *, examples, budget=None, label=""):
    """Run `one_example(value)` for `examples` generated values, each inside `rolled_back()`.

    Hypothesis stops after `examples` examples that ran to the end (or earlier on a failure, which
    it then shrinks); the caller asserts its budget, so a run that did less than promised fails."""

    @settings(max_examples=examples, **HYPOTHESIS_SETTINGS)
    @given(strategy)
    def fuzz(value):
        with rolled_back():
            one_example(value)
        if budget is not None:
            budget.spend(label)

    started = time.monotonic()
    fuzz()
    if budget is not None:
        budget.seconds[label] = budget.seconds.get(label, 0.0) + time.monotonic() - started


# --- The database, before and after --------------------------------------------------------------------


def _tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def row_counts(exclude=("django_session",)):
    """{table: rows} for every table of every installed model, in one query."""
    tables = [t for t in _tables() if t not in exclude]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # Table names come from the models, never from a request.
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))  # noqa: S608
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed_tables(before, after):
    return {table: (before[table], after[table]) for table in before if before[table] != after.get(table)}


def row_values(obj):
    """Every stored column of `obj` as it is in the database now (None once it is gone)."""
    model = type(obj)
    names = [f.attname for f in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=obj.pk).values_list(*names).first()
    return None if row is None else dict(zip(names, row, strict=True))
