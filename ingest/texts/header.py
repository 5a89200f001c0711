"""The header of a published text: who asked (askers and their fractie), whom they asked (the
addressed posts), the subject, the dates sent and received, and who answered (person, post, on
behalf of whom), read from the statement of the title ("Vragen van het lid X (fractie) aan de
minister van Y over Z (ingezonden …)") and the answer's heading ("Antwoord van minister …")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ingest.records import PersonMention, PostMention, Span
from ingest.texts.clean import _LETTER_START, _SENTENCE_END, _SPACING_ACCENTS, _TAIL, _keep_hyphen, _trailing_word, clean_text
from ingest.texts.evidence import _date, _post_names
from ingest.texts.lines import _FRONT, _Line


@dataclass
class _Flat:
    """Text built from ranges of the source, with a map back to source offsets."""

    s: str = ""
    pos: list[int] = field(default_factory=list)

    def span(self, a: int, b: int) -> Span:
        if not self.pos:
            return Span(0, 0)
        a = min(max(a, 0), len(self.pos) - 1)
        b = min(max(b, a + 1), len(self.pos))
        return Span(self.pos[a], self.pos[b - 1] + 1)


def _flatten(text: str, lines: list[_Line]) -> _Flat:
    """The lines joined into one text (paragraph and sentence ends as newlines, line-end hyphens
    repaired), with the source offset of every character. Each line costs its own length only: the
    decisions look at the last characters joined so far (``end``), never at the whole text."""
    parts: list[str] = []
    pos: list[int] = []
    end = ""  # the last _TAIL characters of the text so far
    prev_blank = False
    for ln in lines:
        if ln.kind == "blank":
            prev_blank = True
            continue
        if ln.kind in ("footer", "footnote"):
            continue
        s = ln.text.strip()
        if not s:
            continue
        off = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        left = _trailing_word(end) if end.endswith("-") else None
        if left and _LETTER_START.match(s):
            right = _LETTER_START.match(s).group(0)  # type: ignore[union-attr]
            if not _keep_hyphen(left, right, text, True):
                parts[-1] = parts[-1][:-1]
                pos.pop()
                end = end[:-1]
        elif parts and (prev_blank or _SENTENCE_END.search(end[-2:])):
            parts.append("\n")  # a paragraph (or sentence) ends with the line
            pos.append(pos[-1])
            end += "\n"
        elif parts:
            parts.append(" ")
            pos.append(pos[-1])
            end += " "
        prev_blank = False
        parts.append(s)
        pos.extend(range(off, off + len(s)))
        end = (end + s)[-_TAIL:]
    return _Flat("".join(parts), pos)


_ROLE = re.compile(
    r"(?P<role>minister-president|viceminister-president|ministers?|staats?secretaris(?:sen)?)(?-i:(?![a-z]))", re.I
)


def _norm_post(role: str, prep: str | None, name: str | None, notes: list[str]) -> str:
    role = role.lower()
    if role.startswith("minister-president"):
        return "minister-president"
    if role.startswith("viceminister"):
        return "viceminister-president"
    if role.startswith("staat"):
        if not role.startswith("staatssecretaris"):  # "Staatsecretaris": a known misspelling
            notes.append(f"'{role}' is a misspelling of 'staatssecretaris'; read as staatssecretaris")
        role = "staatssecretaris"
    else:
        role = "minister"
    if not name:
        return role
    printed_prep = prep
    prep = (prep or "van").lower()
    known = next((p for p in _post_names() if p.name.lower() == name.lower()), None)
    if known is not None:
        name = known.name
        if printed_prep is None and prep not in known.preps and len(known.preps) == 1:
            prep = next(iter(known.preps))  # nothing printed ("Minister Agema (…)"): the reference's own
        elif prep not in known.preps and role == "minister":
            # kept as printed: the text is the evidence; which post is meant is for resolution to decide
            notes.append(
                f"post printed as '{role} {prep} {name}', which the reference list does not know "
                f"(it has '{role} {'/'.join(sorted(known.preps))} {name}'); kept as printed"
            )
    return f"{role} {prep} {name}"


_LIST_SEP = re.compile(r"\s*(?:,\s*|en\s+|en(?=(?:de|het)[A-Z]))?(?:(?:de|het)(?:\s+|(?=[A-Z])))?")


_LIST_GOES_ON = re.compile(r"\s*(?:,\s*|en\s*)(?:(?:de|het)(?:\s+|(?=[A-Z])))?(?:" + _ROLE.pattern + r"|(?i:van|voor)(?:\b|(?=[A-Z])))", re.I)


def _known_post_at(s: str, k: int) -> tuple[str, int] | None:
    """The post name of the reference list printed at ``s[k:]`` (the longest that fits), ending where
    a word ends ("Defensie", not "Defensiebeleid"); with its end."""
    for pn in _post_names():
        nm = pn.pattern.match(s, k)
        if nm:
            after = s[nm.end():]
            if not after or not after[0].isalpha() or after.lower().startswith("over"):
                return pn.name, nm.end()
    return None


def _unknown_post_at(s: str, k: int, stop_words: str, notes: list[str]) -> tuple[str, int] | None:
    """A post name the reference list does not know, printed at ``s[k:]`` up to the next post, the
    subject or a parenthesis; noted. None where nothing is printed."""
    fm = re.match(r"(.+?)(?=\s+en\s+(?:de|het|van|voor)\b|\s*,\s*(?:de|het)\b|\s*(?:" + stop_words + r")\b|\s*\(|$)", s[k:])
    if not fm or not fm.group(1).strip():
        return None
    name = fm.group(1).strip(" ,.")
    if name:
        notes.append(f"post name '{name}' is not in the reference list of ministries and posts")
    return name, k + fm.end()


def _shared_role_posts(f: _Flat, i: int, role: str, prep: str | None, posts: list[PostMention], notes: list[str]) -> int:
    """One role printed over several posts: "de Staatssecretarissen van Onderwijs, Cultuur en
    Wetenschap en Volksgezondheid, Welzijn en Sport", "de Minister van Buitenlandse Zaken en Defensie".
    The names are split by the reference list of ministries and posts (never by the first " en ",
    which ministry names hold themselves): after ``f.s[:i]``, each ", " or " en " followed by a whole
    known name adds a post with the same role. Returns where the reading stopped."""
    s = f.s
    while True:
        sep = re.match(r"\s*(?:,\s*|en\s+)", s[i:])
        if not sep:
            return i
        k = i + sep.end()
        hit = _known_post_at(s, k)
        if hit is None:
            return i
        name, end = hit
        label = _norm_post(role, None, name, notes)
        posts.append(PostMention(label, s[k:end].strip(), f.span(k, end)))
        notes.append(f"'{role} {prep or ''} … en {name}': one role printed over several posts; '{name}' read as the post '{label}'")
        i = end


def _parse_posts(f: _Flat, start: int, stop_words: str = r"over|op|\(|mede namens") -> tuple[list[PostMention], int, list[str]]:
    """Posts from ``f.s[start:]``: "de ministers van A en voor B en de staatssecretaris van C"."""
    s = f.s
    i = start
    posts: list[PostMention] = []
    notes: list[str] = []
    role: str | None = None
    pending: list[tuple[str, int]] = []
    groups: list[tuple[str, int]] = []  # each role printed, with the index of its first post
    while i < len(s):
        m = _LIST_SEP.match(s, i)
        j = m.end() if m else i
        rm = _ROLE.match(s, j)
        glued = re.search(r"(?:de|het|en)$", m.group(0)) if rm and m else None
        if glued:  # "en deStaatssecretaris": the extraction lost the space before the post
            notes.append(f"'{glued.group(0)}{rm.group('role')}' read as '{glued.group(0)} {rm.group('role')}' (a space lost in the extraction)")
        pstart = j
        if rm:
            role = rm.group("role")
            j = rm.end()
            groups.append((role, len(posts)))
            if role.lower().endswith("president"):
                posts.append(PostMention(_norm_post(role, None, None, notes), s[pstart:j], f.span(pstart, j)))
                i = j
                continue
        if role is None:
            break
        # "de Minister en de Staatssecretaris van VWS": a role without a name shares the next one's
        em = re.match(r"\s+en\s+(?:(?:de|het)(?:\s+|(?=[A-Z])))?(?=" + _ROLE.pattern + r")", s[j:], re.I) if rm else None
        if em:
            pending.append((role, pstart))
            i = j + em.end()
            continue
        pm = re.match(r"\s*(van|voor)(?:\s+|(?=[A-Z]))", s[j:])
        if not pm and not rm:
            break
        prep = pm.group(1) if pm else None
        k = j + (pm.end() if pm else 0)
        hit = _known_post_at(s, k) or _unknown_post_at(s, k, stop_words, notes)
        if hit is None:
            break
        name, end = hit
        for prole, ppos in pending:
            posts.append(PostMention(_norm_post(prole, prep, name, notes), s[ppos:end].strip(), f.span(ppos, end)))
        pending = []
        posts.append(PostMention(_norm_post(role, prep, name, notes), s[pstart:end].strip(), f.span(pstart, end)))
        i = end
        # the list goes on: ", de minister …", "en van B", "en vanBuitenlandse Zaken" (a lost space),
        # "en deStaatssecretaris" (ditto); or one role over two posts: "de Staatssecretarissen van A en B"
        if not _LIST_GOES_ON.match(s, i):
            k = _shared_role_posts(f, i, role, prep, posts, notes)
            if k == i or not _LIST_GOES_ON.match(s, k):
                i = k
                break
            i = k
    _note_plural_roles(groups, posts, notes)
    return posts, i, notes


def _note_plural_roles(groups: list[tuple[str, int]], posts: list[PostMention], notes: list[str]) -> None:
    """A plural role ("de Staatssecretarissen van Financiën") printed with one post name: several
    holders of posts of that name are meant (two state secretaries of one ministry). The post is
    kept once, as printed; which posts are meant is for resolution, from the date. Noted."""
    for k, (role, first) in enumerate(groups):
        if not re.search(r"(?:ministers|sen)$", role, re.I):
            continue
        last = groups[k + 1][1] if k + 1 < len(groups) else len(posts)
        if last - first == 1:
            notes.append(f"'{role}' (plural) is printed with one post name, '{posts[first].label}': "
                         "several posts of that name are meant; kept once, as printed")


def _split_name(name: str) -> str:
    name = re.sub(r"([a-zà-ÿ])([A-Z])", r"\1 \2", name)  # "DaniëlleJansen" -> "Daniëlle Jansen"
    name = re.sub(r"([^\W\d_]) ?([´¨ˇ])", lambda m: unicodedata.normalize("NFC", m.group(1) + _SPACING_ACCENTS[m.group(2)]), name)
    return re.sub(r"\s+", " ", name).strip(" ,")


def _parse_askers(f: _Flat, a: int, b: int) -> list[PersonMention]:
    seg = f.s[a:b]
    out: list[PersonMention] = []
    for m in re.finditer(r"(?P<names>[^()]+?)\s*\((?P<fr>[^()]*)\)", seg):
        names, fr = m.group("names"), m.group("fr")
        fr = re.sub(r"^\s*(?:beiden|beide|allen|alle)\s+", "", fr).strip() or None
        base = m.start("names")
        for nm in re.finditer(r"[^,]+?(?=\s*,|\s+en\s+|$)", names):
            raw = nm.group(0)
            raw = re.sub(r"^\s*(?:en\s+)?(?:lid\s+|leden\s+)?", "", raw)
            name = _split_name(raw)
            if not name or name.lower() in ("en",):
                continue
            off = base + names.find(raw, nm.start())
            out.append(PersonMention(name, fr, f.span(a + off, a + off + len(raw))))
    if not out:  # no parentheses: names only
        for nm in re.finditer(r"[^,]+?(?=\s*,|\s+en\s+|$)", seg):
            raw = re.sub(r"^\s*(?:en\s+)?(?:lid\s+)?", "", nm.group(0))
            name = _split_name(raw)
            if name:
                off = seg.find(raw, nm.start())
                out.append(PersonMention(name, None, f.span(a + off, a + off + len(raw))))
    return out


@dataclass
class _Header:
    askers: list[PersonMention] = field(default_factory=list)
    addressed: list[PostMention] = field(default_factory=list)
    subject: str | None = None
    submitted: dt.date | None = None
    received: dt.date | None = None
    person: str | None = None
    post: PostMention | None = None
    on_behalf: list[PostMention] = field(default_factory=list)
    found: bool = False
    notes: list[str] = field(default_factory=list)


_VRAGEN_VAN = re.compile(
    r"(?:Kamer)?[Vv]ra(?:ag|gen)\s+van\s+(?:het\s+van\s+het\s+|het\s+|de\s+)?(?:lid|leden)\s+(?:van\s+)?"
    r"|(?:hebben|heeft)\s+(?:de\s+leden|het\s+lid)\s+"
)
_ANSWER_BY = re.compile(
    r"(?P<kind>Antwoord(?:en)?|Mededeling)\s+van\s+(?:de\s+|het\s+)?(?P<role>minister-president|minister|staatssecretaris)\b", re.I
)


_AAN = re.compile(r"\s+aan\s+(?=(?:de|het)(?:\s|[A-Z]))")  # "aan deMinister": a space lost in the extraction
_OVER = re.compile(r"\s+over\s+")
_LONGEST_ASKERS = 2000  # characters: the askers of a statement (the longest printed list is a few hundred)
_MOST_STATEMENTS = 20  # statements of the title ("Vragen van …") read for their addressees, the last first


def _parse_header(f: _Flat, text: str) -> _Header:
    """The header facts in ``f`` (the flattened header lines of ``text``): the statement of the
    title, the dates, the answering post."""
    h = _Header()
    ms = list(_VRAGEN_VAN.finditer(f.s))
    if ms:
        _parse_title(h, f, text, ms)
    _parse_dates(h, f.s)
    _parse_answering(h, f)
    return h


def _parse_title(h: _Header, f: _Flat, text: str, ms: list[re.Match[str]]) -> None:
    """Askers, addressed posts and subject from the statement of the title: the last one of ``ms``
    (letterheads before it repeat the title in short)."""
    s = f.s
    m = ms[-1]
    h.found = True
    a = m.end()
    rest = s[a:]
    am = _AAN.search(rest)
    om = re.search(r"\s+over\s+", rest)
    stop = min([x.start() for x in (am, om) if x] or [min(len(rest), 300)])
    h.askers = _parse_askers(f, a, a + min(stop, _LONGEST_ASKERS))
    j = a + stop
    if am and am.start() == stop:
        posts, j, pnotes = _parse_posts(f, a + am.end())
        h.addressed = posts
        h.notes += pnotes
    elif len(ms) > 1:
        _addressed_from_letter_head(h, f, ms)
    sm = re.match(r"\s*,?\s*over\s*", s[j:])
    if not sm:
        sm2 = re.search(r"[\s,]over\s+", s[j:])
        if sm2:
            between = s[j: j + sm2.start()].strip(" ,")
            if between:
                h.notes.append(f"text between the addressed posts and the subject not parsed: {between!r}")
            sm = sm2
    if sm:
        k = j + sm.end()
        em = re.search(r"\s*\((?:ingezonden|ontvangen)\b|\.?\s*(?:Antwoord(?:en)?|Mededeling)\s+van\b|\n|$", s[k:])
        end = k + (em.start() if em else len(s) - k)
        subj = s[k:end].strip().rstrip(".")
        h.subject = clean_text([subj], text) if subj else None


def _addressed_from_letter_head(h: _Header, f: _Flat, ms: list[re.Match[str]]) -> None:
    """The last statement of the title names no addressee ("Antwoorden … op Kamervragen van het lid X
    over …"): a letter head repeats the full title ("Onderwerp", "Projectnaam"); take its posts,
    preferring a statement whose posts are all in the reference list (the copies have slips)."""
    s = f.s
    cands: list[tuple[list[PostMention], list[str]]] = []
    for m2 in reversed(ms[-1 - _MOST_STATEMENTS:-1]):
        am2 = _AAN.search(s, m2.end())
        om2 = _OVER.search(s, m2.end())
        if am2 and am2.start() - m2.end() < 300 and (not om2 or am2.start() < om2.start()):
            p2, _, n2 = _parse_posts(f, am2.end())
            if p2:
                cands.append((p2, n2))
    if cands:
        p2, n2 = next((c for c in cands if not any("not in the reference list" in n for n in c[1])), cands[0])
        h.addressed = p2
        h.notes += n2
        h.notes.append("the addressees are read from the letter head's statement of the title")


def _parse_dates(h: _Header, s: str) -> None:
    """The dates "(ingezonden 30 oktober 2024)" and "(ontvangen 19 november 2024)"."""
    im = re.search(r"\(\s*ingezonden\s+([^)]*?)\)", s) or re.search(r"ingezonden\s+(\d{1,2}\s*\w+\s*\d{4})", s)
    if im:
        h.submitted = _date(im.group(1))
        h.found = True
    rm = re.search(r"\(\s*ontvangen\s+([^)]*?)\)", s) or re.search(r"ontvangen\s+(\d{1,2}\s*\w+\s*\d{4})", s)
    if rm:
        h.received = _date(rm.group(1))


def _parse_answering(h: _Header, f: _Flat) -> None:
    """Who answers: "Antwoorden van de minister van Justitie en Veiligheid" (with the signature
    before it) or "Antwoord van Minister Agema (Volksgezondheid, Welzijn en Sport)", and on behalf
    of whom ("mede namens …")."""
    s = f.s
    bm = _ANSWER_BY.search(s)
    if not bm:
        return
    h.found = True
    j = bm.end()
    pm = re.match(r"\s*(van|voor)\s*", s[j:])
    if pm and not any(pn.pattern.match(s, j + pm.end()) for pn in _post_names()):
        pm = None
    if pm:  # "Antwoorden van de minister van Justitie en Veiligheid"
        posts, j, pnotes = _parse_posts(f, bm.start("role"))
        h.notes += pnotes
        h.post = posts[0] if posts else None
        # the signature: "D. Yeşilgöz-Zegerius" on a line of its own before the heading
        sig = None
        for sm2 in re.finditer(r"(?:^|\s)((?:[A-Z][a-z]?\.\s*){1,4}(?:[a-z]+\s+)*[A-ZÀ-Ý][^\s(),]+)", s[: bm.start()]):
            sig = sm2.group(1)
        h.person = _split_name(sig) if sig else None
    else:  # "Antwoord van Minister Agema (Volksgezondheid, Welzijn en Sport)"
        j = _parse_minister_named(h, f, bm, j)
    mn = re.search(r"mede\s+namens\s+", s[j: j + 400])
    if mn:
        posts, _, pnotes = _parse_posts(f, j + mn.end())
        h.on_behalf = posts
        h.notes += pnotes
    _on_behalf_in_signature(h, f, bm.start())


def _on_behalf_in_signature(h: _Header, f: _Flat, upto: int) -> None:
    """A letter's signature before the answers' heading (``f.s[:upto]``): "Mede namens de Minister
    van B, de Minister van A, <name>". Where the heading names no "mede namens", the signature's
    posts are those on whose behalf the answer is given (noted); where both do and disagree, the
    heading's are kept and the disagreement is noted."""
    s = f.s[:upto]
    sig = None
    for sig in re.finditer(r"(?:^|(?<=[\s.]))[Mm]ede\s+namens\s+(?=(?:de|het)(?:\s|[A-Z]))", s):
        pass
    if sig is None:
        return
    nl = s.find("\n", sig.end())  # the list ends with its line ("…,"); the signatory's post follows
    line = _Flat(s[:nl], f.pos[:nl]) if nl >= 0 else f
    posts, _, pnotes = _parse_posts(line, sig.end())
    if not posts:
        return
    labels = [p.label for p in posts]
    if not h.on_behalf:
        h.on_behalf = posts
        h.notes += pnotes
        h.notes.append(f"answered on behalf of {labels}: read from the letter's signature ('Mede namens …')")
    elif labels != [p.label for p in h.on_behalf]:
        h.notes.append(f"the letter's signature answers on behalf of {labels}, the heading on behalf of "
                       f"{[p.label for p in h.on_behalf]}; the heading's are kept")


def _parse_minister_named(h: _Header, f: _Flat, bm: re.Match[str], j: int) -> int:
    """The person and post of "Antwoord van Minister Agema (Volksgezondheid, Welzijn en Sport)",
    read from offset ``j`` of ``f.s`` (after the role of ``bm``); returns where the reading stopped."""
    s = f.s
    nm = re.match(r"\s*([^(),]+?)\s*\(", s[j:])
    if not nm:
        return j
    h.person = _split_name(nm.group(1))
    k = j + nm.end()
    name = None
    for pn in _post_names():
        x = pn.pattern.match(s, k)
        if x:
            name, end = pn.name, x.end()
            break
    if name is None:
        x = re.match(r"[^()]+", s[k:])
        end = k + (x.end() if x else 0)
        name = s[k:end].strip() or None
        if name:
            h.notes.append(f"answering post '{name}' is not in the reference list")
    prep = "voor" if name and any(p.name == name and p.preps == {"voor"} for p in _post_names()) else "van"
    label = _norm_post(bm.group("role"), prep, name, h.notes)
    h.post = PostMention(label, s[bm.start("role"): end + 1].strip(), f.span(bm.start("role"), end + 1))
    j = end
    also = re.match(r"\)?\s*en\s+(?:van\s+)?((?:" + _ROLE.pattern + r")\s+[^()]+\([^()]*\)?)", s[j:], re.I)
    if also:
        h.notes.append(f"also answered by {also.group(1).strip()!r} (not a 'mede namens'; kept only in this note)")
    return j


def _header_lines(text: str, lines: list[_Line], first_mark: int | None) -> list[_Line]:
    """The header area: everything before the first heading or numbered question (``first_mark``).
    Without one, the paragraph (up to a blank line or a question) holding "Vragen van …" /
    "Antwoord van …"; in a notice ("Mededeling van …") the whole text, whose body names the askers
    ("hebben de leden … vragen gesteld")."""
    if first_mark is not None:
        return lines[:first_mark]
    idx = next((i for i, ln in enumerate(lines) if _VRAGEN_VAN.search(ln.text) or _ANSWER_BY.search(ln.text)), None)
    if re.search(r"^[^\S\n]*Mededeling\s+van\b", text, re.M):
        return lines
    if idx is not None:
        end = idx
        while end + 1 < len(lines) and lines[end + 1].kind not in ("blank",) and not lines[end + 1].text.rstrip().endswith("?"):
            end += 1
        return lines[: end + 1]
    return lines


def _read_header(text: str, header_lines: list[_Line]) -> tuple[_Header, _Flat]:
    """The header facts of ``text`` from its header lines (the front page's furniture left out), and
    the flattened header they were read from."""
    hflat = _flatten(text, [ln for ln in header_lines if not any(p.match(ln.text) for p in _FRONT)])
    return _parse_header(hflat, text), hflat
