"""Reading a desk page's form as a browser would post it, for tests that post it back."""

from html.parser import HTMLParser


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""
        name = found.get("name")
        if not name:
            return
        if tag == "input":
            kind = found.get("type") or "text"
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    self.values[name] = found.get("value") or "on"
            elif kind not in ("submit", "button"):
                self.values[name] = found.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None


def hidden_and_visible(html: str) -> dict[str, str]:
    """Return the named inputs, text areas and selects of a page with the values they post."""
    parser = _Inputs()
    parser.feed(html)
    return parser.values
