"""HTML forms and links as a browser sees them, read from a page: what the fuzz and CSRF tests post back.

for form in html_forms(response.content, page):
    data = form.data(submit="_save")   # what the browser would send
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

# --- HTML forms, as a browser sees them ----------------------------------------------------------------


@dataclass
class HtmlField:
    tag: str
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list = field(default_factory=list)  # [(value, selected)]


@dataclass
class HtmlForm:
    attrs: dict
    page: str
    fields: list = field(default_factory=list)

    @property
    def method(self):
        return (self.attrs.get("method") or "get").lower()

    @property
    def action(self):
        """The path the form posts to (its page when the action is empty), with its query string."""
        url = urljoin(self.page, self.attrs.get("action") or self.page)
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def path(self):
        return urlsplit(self.action).path

    @property
    def multipart(self):
        return (self.attrs.get("enctype") or "").lower() == "multipart/form-data"

    def names(self):
        return {f.name for f in self.fields}

    def field(self, name):
        return next(f for f in self.fields if f.name == name)

    def data(self, submit=None):
        """What a browser sends: {name: [values]}, the named submit button `submit` (or the first one) included."""
        data = {}
        buttons = [f for f in self.fields if f.type in ("submit", "image") and f.name]
        chosen = next((b for b in buttons if b.name == submit), buttons[0] if buttons else None)
        for f in self.fields:
            if f.type in ("submit", "image", "button", "reset", "file"):
                continue
            if f.type in ("checkbox", "radio") and not f.checked:
                continue
            if f.tag == "select":
                selected = [value for value, on in f.options if on]
                if not selected and f.options and not f.multiple:
                    selected = [f.options[0][0]]
                if selected:
                    data.setdefault(f.name, []).extend(selected)
                continue
            data.setdefault(f.name, []).append(f.value)
        if chosen is not None:
            data.setdefault(chosen.name, []).append(chosen.value)
        return data

    def file_fields(self):
        return [f.name for f in self.fields if f.type == "file"]


class _FormParser(HTMLParser):
    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms = []
        self.links = []
        self.form = None
        self.select = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        if tag == "form":
            self.form = HtmlForm(attrs=attrs, page=self.page)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            self.form.fields.append(
                HtmlField("input", name, kind, attrs.get("value", default), checked="checked" in attrs)
            )
        elif tag == "button" and name:
            self.form.fields.append(
                HtmlField("button", name, attrs.get("type", "submit").lower(), attrs.get("value", ""))
            )
        elif tag == "select" and name:
            self.select = HtmlField("select", name, "select", multiple="multiple" in attrs)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select.options.append(self.option)
        elif tag == "textarea" and name:
            self.textarea = HtmlField("textarea", name, "textarea")
            self.form.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        elif self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            # An option without a value attribute sends its text.
            self.select.options = [(v if v is not None else text.strip(), on) for v, on, text in self.select.options]
            self.select = self.option = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            # Browsers drop the newline right after <textarea>.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None


def _parse(body, page):
    parser = _FormParser(page)
    parser.feed(body.decode("utf-8", "replace") if isinstance(body, bytes) else body)
    parser.close()
    return parser


def html_forms(body, page):
    """Every <form> of an HTML page, with its fields and their current values."""
    return _parse(body, page).forms


def html_links(body, page):
    """Every link of an HTML page, as an absolute path with its query string (fragment dropped)."""
    out = []
    for url in _parse(body, page).links:
        parts = urlsplit(url)
        if parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver"):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out
