"""One spelling per URL, so that two copies of an article that cite the same page say so.

courlan (installed with trafilatura) was considered and not used: it sorts the query, rewrites
`%20` as `+`, keeps fragments and drops any parameter whose name merely contains `source`, `ref`
or `session`, which changes what some sites serve. The rules here are few and explicit."""

import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that identify a campaign or a click, never the page.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid", "yclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src",
        "ref_url", "spm", "xtor", "cmpid", "li_fat_id", "oly_anon_id", "oly_enc_id", "vero_id",
        "vero_conv", "s_cid", "wt_mc", "ncid",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "itm_")

# Sentence punctuation that text glues to a URL: "see https://x.vn/a." or "(https://x.vn/a)".
TRAILING_PUNCTUATION = ".,;:!?'\"”’»›」』》>।॥。，；：！？、"
CLOSING_BRACKETS = {")": "(", "]": "[", "}": "{", "）": "（"}
OPENING_PUNCTUATION = "<(['\"“‘«‹「『《（"

# Characters a URI may carry as they are; anything else in a path or query is percent-encoded
# (so an IRI and its encoded form compare equal). "%" is safe: existing escapes stay.
URI_SAFE = "/?#[]@!$&'()*+,;=-._~:%"
PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def canonical_url(url: str) -> str | None:
    """The canonical spelling of an http(s) URL, or None when `url` is not one.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters (the
    others keep their order and spelling), non-ASCII path and query percent-encoded, punctuation
    that text glued to the end stripped. The path keeps its case: servers treat it as
    case-sensitive."""
    candidate = _strip_glued_punctuation(url.strip())
    if not candidate or any(char.isspace() for char in candidate):
        return None
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if not host:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    path = _encode(parts.path) or "/"
    query = "&".join(
        _encode(pair) for pair in parts.query.split("&") if pair and not _is_tracking(pair)
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def _is_tracking(pair: str) -> bool:
    name = unquote(pair.split("=", 1)[0]).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _encode(part: str) -> str:
    encoded = quote(part, safe=URI_SAFE)
    return PERCENT_ESCAPE.sub(lambda escape: escape.group(0).upper(), encoded)


def _strip_glued_punctuation(text: str) -> str:
    text = text.lstrip(OPENING_PUNCTUATION)
    while text:
        last = text[-1]
        if last in TRAILING_PUNCTUATION:
            text = text[:-1]
        elif last in CLOSING_BRACKETS and text.count(CLOSING_BRACKETS[last]) < text.count(last):
            # "(https://x.vn/a)" loses its ")", "https://en.wikipedia.org/wiki/A_(b)" keeps it
            text = text[:-1]
        else:
            break
    return text
