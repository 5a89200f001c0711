"""The government steps of :func:`ingest.reference.load_reference`: ministries, cabinets, posts and holdings.

- Ministries: one per TOOI code, named by its latest label; OpenKamer ministries map onto the
  TOOI code having a label of that name valid on the cabinet's start (else any code with that
  label still existing then, else a slug key). ``replaced_by`` follows the merge events
  ("Samenvoeging <date> <decree>") shared between rows of different codes.
- Posts: key ``slug(label)``; when the same label belongs to two ministries (the pre-2010
  Ministry of Economic Affairs vs. the one since 2010) the older one gets ``-<ministry key>``.
  The CSV's "minister-president, minister van Algemene Zaken" becomes two holdings: the
  minister-president post and the minister van Algemene Zaken post.
- Holdings: OpenKamer for cabinets up to Rutte II, the CSV from Rutte III on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ingest.names import norm_name
from ingest.periods import KIND_RANK, ymd
from ingest.records import Cabinet, Ministry, Post, PostHolding, SourceRef
from ingest.reference_state import ReferenceState
from ingest.sources import reference as src
from ontology.namespaces import slug

OK_TYPOS = {"ontwikkelinssamenwerking": "ontwikkelingssamenwerking"}
OK_PORTFOLIO_LABEL = {"programma jeugd en gezin": "jeugd en gezin"}
# ministry of an OpenKamer "minister voor ..." without a ministry in the fixture, by portfolio
OK_PORTFOLIO_MINISTRY = {
    "buitenlandse handel en ontwikkelingssamenwerking": "buitenlandse zaken",
    "ontwikkelingssamenwerking": "buitenlandse zaken",
    "wonen en rijksdienst": "binnenlandse zaken en koninkrijksrelaties",
    "immigratie, integratie en asiel": "binnenlandse zaken en koninkrijksrelaties",
    "wonen, wijken en integratie": "volkshuisvesting, ruimtelijke ordening en milieubeheer",
    "jeugd en gezin": "volksgezondheid, welzijn en sport",
}
_LOWER_WORDS = {"en", "van", "voor", "de", "der", "het"}


def title_case(text: str) -> str:
    """"binnenlandse zaken en koninkrijksrelaties" -> "Binnenlandse Zaken en Koninkrijksrelaties"."""
    out = []
    for w in text.split(" "):
        out.append(w if w in _LOWER_WORDS or not w else w[0].upper() + w[1:])
    return " ".join(out)


def cabinet_key(name: str) -> str:
    """"Kabinet-Rutte III" and "Rutte III" -> "rutte-iii"."""
    return slug(re.sub(r"^kabinet[- ]", "", name.strip(), flags=re.I))


# --------------------------------------------------------------------------- ministries


def _successors(code: str, rows: list[src.MinistryRow], valid_to: dt.date, by_code: dict[str, list[src.MinistryRow]],
                event_codes: dict[str, set[str]], report: list[str]) -> set[str]:
    """The codes that replaced an ended ministry: the other codes of its merge, extension or
    abolition events that live on after it ended (an event without one is reported)."""
    replaced: set[str] = set()
    for r in rows:
        for e in r.events:
            if e.startswith(("Samenvoeging", "Uitbreiding", "Opheffing")):
                # successors: the other codes of the event that live on after this one ended
                others = {c for c in event_codes[e] - {code}
                          if any(o.valid_to is None or o.valid_to > valid_to for o in by_code[c])}
                replaced |= others
                if not others:
                    report.append(f"{r.source}: ministry {code} ended with event {e!r}; no successor in the list")
    return replaced


def read_ministries(state: ReferenceState) -> None:
    """Reads the ministries CSV (``min_rows``); adds one :class:`Ministry` per TOOI code
    (``ministries``): its latest name, its whole validity, its successors."""
    state.min_rows = list(src.read_ministries(state.data_dir))
    by_code: dict[str, list[src.MinistryRow]] = defaultdict(list)
    for r in state.min_rows:
        by_code[r.tooi_code].append(r)
    event_codes: dict[str, set[str]] = defaultdict(set)
    for r in state.min_rows:
        for e in r.events:
            event_codes[e].add(r.tooi_code)
    for code, rows in by_code.items():
        rows_sorted = sorted(rows, key=lambda r: (r.valid_to or dt.date.max, r.valid_from or dt.date.min))
        latest = rows_sorted[-1]
        valid_from = None if any(r.valid_from is None for r in rows) else min(r.valid_from for r in rows)  # type: ignore[type-var]
        valid_to = None if any(r.valid_to is None for r in rows) else max(r.valid_to for r in rows)  # type: ignore[type-var]
        replaced: set[str] = set()
        if valid_to is not None:
            replaced = _successors(code, rows, valid_to, by_code, event_codes, state.report)
        wd = latest.wikidata or next((r.wikidata for r in reversed(rows_sorted) if r.wikidata), None)
        state.ministries[code] = Ministry(code, latest.name, latest.abbreviation, latest.tooi_iri, wd, valid_from,
                                          valid_to, tuple(sorted(replaced)))


def ministry_for(state: ReferenceState, name_lc: str, on: dt.date) -> str:
    """TOOI code for an OpenKamer ministry name (lower case, without 'ministerie van') on a date;
    a name without one code gets a slug-keyed :class:`Ministry` of its own (reported)."""
    ministries = state.ministries
    want = norm_name(name_lc)
    named = [r for r in state.min_rows if norm_name(re.sub(r"^Ministerie van ", "", r.name)) == want]
    valid = [r for r in named if (r.valid_from or dt.date.min) <= on <= (r.valid_to or dt.date.max)]
    codes = {r.tooi_code for r in valid}
    if len(codes) != 1:
        codes = {r.tooi_code for r in named
                 if (ministries[r.tooi_code].valid_from or dt.date.min) <= on <= (ministries[r.tooi_code].valid_to or dt.date.max)}
    if len(codes) == 1:
        return codes.pop()
    k = slug(f"ministerie van {name_lc}")
    if k not in ministries:
        ministries[k] = Ministry(k, f"Ministerie van {title_case(name_lc)}")
        state.report.append(f"openkamer ministry {name_lc!r} on {on}: no single TOOI match ({sorted(codes)}); slug key {k}")
    return k


# --------------------------------------------------------------------------- cabinets


def read_cabinets(state: ReferenceState) -> None:
    """Reads the OpenKamer governments (``ok_govs``) and the cabinets of the CSV's holdings
    (``csv_cabs``); adds one :class:`Cabinet` per cabinet (``cabinets``): a CSV cabinet's start is
    its first holding's and its end the next CSV cabinet's start (or its last end)."""
    cabinets = state.cabinets
    state.ok_govs = {g.pk: g for g in src.read_openkamer_governments(state.data_dir)}
    for g in state.ok_govs.values():
        k = cabinet_key(g.name)
        cabinets[k] = Cabinet(k, g.name, g.start, g.end, g.wikidata)
    for r in state.holding_rows:
        state.csv_cabs[r.cabinet].append(r)
    ordered = sorted(state.csv_cabs.items(), key=lambda kv: min(r.start for r in kv[1]))
    for i, (name, rows) in enumerate(ordered):
        k = cabinet_key(name)
        start = min(r.start for r in rows)
        ends = [r.end for r in rows]
        end = None if any(e is None for e in ends) else max(ends)  # type: ignore[type-var]
        if i + 1 < len(ordered):
            end = min(r.start for r in ordered[i + 1][1])
        old = cabinets.get(k)
        if old:
            if old.start != start:
                state.report.append(f"cabinet {k}: start {old.start} (openkamer) vs {start} (CSV); CSV kept")
            cabinets[k] = Cabinet(k, old.name, start, end if end else old.end, old.wikidata)
        else:
            cabinets[k] = Cabinet(k, f"Kabinet-{name}", start, end, None)


# --------------------------------------------------------------------------- posts and holdings


def post_for(state: ReferenceState, label: str, kind: str, ministry_key: str | None, portfolio: str | None) -> str:
    """The key of the post ``label`` of a ministry, added to ``posts`` when new (a label already
    taken by another ministry's post gets ``-<ministry key>``)."""
    posts = state.posts
    k = slug(label)
    old = posts.get(k)
    if old is not None and old.ministry_key != ministry_key:
        k2 = f"{k}-{ministry_key}" if ministry_key else f"{k}-x"
        if k2 not in posts:
            state.report.append(f"post {label!r}: ministry {ministry_key} differs from {old.ministry_key} of {k}; key {k2}")
            posts[k2] = Post(k2, label, kind, ministry_key, portfolio)  # type: ignore[arg-type]
        return k2
    if old is None:
        posts[k] = Post(k, label, kind, ministry_key, portfolio)  # type: ignore[arg-type]
    return k


def add_holding(state: ReferenceState, post_key: str, pk: str, cab: str | None, start: dt.date, end: dt.date | None,
                acting: bool, source: SourceRef) -> None:
    """Add a :class:`PostHolding` keyed ``<person>-<post>-<YYYYMMDD>`` (one ending before it starts,
    or a duplicate key, is reported and not added)."""
    if end is not None and end < start:
        state.report.append(f"{source}: holding of {post_key} by {pk} ends {end} before it starts {start}; dropped")
        return
    k = f"{pk}-{post_key}-{ymd(start)}"
    if k in state.hold_keys:
        state.report.append(f"{source}: duplicate holding {k}; skipped")
        return
    state.hold_keys.add(k)
    state.holdings.append(PostHolding(k, post_key, pk, cab, start, end, acting, source))


def csv_holdings(state: ReferenceState) -> None:
    """Reads the cabinet CSV's holdings (Rutte III onwards); adds their posts and holdings
    (``posts``, ``holdings``). They come first, so their labels take the plain post keys."""
    for r in state.holding_rows:
        pk = state.person_key[id(state.csv_person[r.person_wikidata or r.person_name])]
        cab = cabinet_key(r.cabinet)
        mk = r.ministry_tooi
        if mk and mk not in state.ministries:
            state.report.append(f"{r.source}: ministry {mk} not in ministries.csv")
        title = r.post_title
        m = re.match(r"^(.*?)\s*\((.+)\)$", title)
        portfolio = m.group(2) if m else None
        if title == "minister-president, minister van Algemene Zaken":
            add_holding(state, post_for(state, "minister-president", "minister-president", mk, None), pk, cab,
                        r.start, r.end, r.acting, r.source)
            add_holding(state, post_for(state, "minister van Algemene Zaken", "minister", mk, None), pk, cab,
                        r.start, r.end, r.acting, r.source)
            continue
        kind = r.post_kind
        if kind not in KIND_RANK:
            state.report.append(f"{r.source}: unknown post kind {kind!r}; row skipped")
            continue
        if kind == "minister zonder portefeuille" and title.startswith("minister voor "):
            portfolio = re.sub(r"\s*\(tijdelijk\)$", "", title[len("minister voor "):])
        add_holding(state, post_for(state, title, kind, mk, portfolio), pk, cab, r.start, r.end, r.acting, r.source)


def _openkamer_post(state: ReferenceState, mrow: src.OkMemberRow, pos: src.OkPositionRow, mname: str | None,
                    gov: src.OkGovernmentRow, pk: str) -> tuple[str, str, str | None, str | None] | None:
    """Label, kind, ministry key and portfolio of an OpenKamer position (None: skipped, reported)."""
    extra = pos.extra_info.lower()
    for bad, good in OK_TYPOS.items():
        extra = extra.replace(bad, good)
    extra = OK_PORTFOLIO_LABEL.get(extra, extra)
    if pos.position == "PMI":
        return "minister-president", "minister-president", ministry_for(state, "algemene zaken", gov.start), None
    if pos.position == "DPM":
        return "viceminister-president", "viceminister-president", None, None
    if pos.position == "SOS":
        if mname is None:
            state.report.append(f"{mrow.source}: staatssecretaris without ministry; skipped")
            return None
        return (f"staatssecretaris van {title_case(mname)}", "staatssecretaris", ministry_for(state, mname, gov.start),
                None)
    if pos.position == "MWP" or (pos.position == "MIN" and mname is None):
        if extra:
            portfolio = title_case(extra)
            mn = mname or OK_PORTFOLIO_MINISTRY.get(extra)
            mk = ministry_for(state, mn, gov.start) if mn else None
            label = f"minister voor {portfolio}"
        else:
            portfolio, mk = None, (ministry_for(state, mname, gov.start) if mname else None)
            label = "minister zonder portefeuille"
            state.report.append(f"{mrow.source}: openkamer minister ({pos.position}) without portfolio or ministry "
                                f"for {state.persons[pk].name} in {gov.name}; post 'minister zonder portefeuille'")
        return label, "minister zonder portefeuille", mk, portfolio
    # MIN with ministry
    return f"minister van {title_case(mname)}", "minister", ministry_for(state, mname, gov.start), None  # type: ignore[arg-type]


def openkamer_holdings(state: ReferenceState) -> None:
    """Reads OpenKamer's ministries, positions and members; adds the posts and holdings of the
    cabinets the CSV does not cover (up to Rutte II), newest cabinet first so that newer labels
    keep the plain keys. A holding ending before it starts but within its cabinet starts with the
    cabinet (reported)."""
    ok_govs = state.ok_govs
    ok_mins = {m.pk: m for m in src.read_openkamer_ministries(state.data_dir)}
    ok_pos = {p.pk: p for p in src.read_openkamer_positions(state.data_dir)}
    csv_cab_keys = {cabinet_key(c) for c in state.csv_cabs}
    ok_members = sorted(src.read_openkamer_members(state.data_dir),
                        key=lambda m: (-ok_govs[ok_pos[m.position].government].start.toordinal(), m.source.line or 0))
    skipped = 0
    for mrow in ok_members:
        pos = ok_pos[mrow.position]
        gov = ok_govs[pos.government]
        cab = cabinet_key(gov.name)
        if cab in csv_cab_keys:
            skipped += 1
            continue
        pk = state.person_key[id(state.ok_person[mrow.person])]
        start, end = mrow.start, mrow.end
        if end is not None and end < start:
            if gov.start <= end and (gov.end is None or end <= gov.end):
                state.report.append(f"{mrow.source}: holding of {pk} ends {end} before it starts {start}; start set "
                                    f"to the cabinet's start {gov.start}")
                start = gov.start
        mname = ok_mins[pos.ministry].name if pos.ministry is not None else None
        post = _openkamer_post(state, mrow, pos, mname, gov, pk)
        if post is None:
            continue
        label, kind, mk, portfolio = post
        add_holding(state, post_for(state, label, kind, mk, portfolio), pk, cab, start, end, False, mrow.source)
    state.report.append(f"openkamer: {skipped} holdings of cabinets covered by the CSV (Rutte III) not used")


def report_post_gaps(state: ReferenceState) -> None:
    """Reads the holdings; reports each span in which a post has no holder between two holdings of it
    within one cabinet (adds only report lines)."""
    by_post_cab: dict[tuple[str, str | None], list[PostHolding]] = defaultdict(list)
    for h in state.holdings:
        by_post_cab[(h.post_key, h.cabinet_key)].append(h)
    for (post, cab), hs in sorted(by_post_cab.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        hs.sort(key=lambda h: h.start)
        covered = hs[0].end
        for h in hs[1:]:
            if covered is not None and h.start > covered + dt.timedelta(days=1):
                state.report.append(f"gap: post {post} ({cab}) has no holder from {covered} to {h.start}")
            if covered is not None and (h.end is None or h.end > covered):
                covered = h.end
            elif covered is None:
                break
