"""Resolve the names of an OData Zaak (askers and addressees) to persons, fracties and posts.

Names come in two styles: ``"Roepnaam [tussenvoegsel] Achternaam (Voorletters)"`` ("Bram van
Ojik (A.)", "Ine Aasted-Madsen-van Stiphout (J.D.M.P.)") and ``"Voorletters [tussenvoegsel]
Achternaam"`` ("I.W. Opstelten", "Th.J.A.M. de Bruijn").

Evidence, in this order (a step only narrows; nothing is guessed):

1. surname: every tail of the name (prefix words dropped, hyphen parts as weaker keys) is looked
   up in an index of the persons' surnames; whole-surname matches beat hyphen-part matches;
2. date: an asker must have a Kamer membership on the submission date, an addressee a post
   holding on that date;
3. initials: all initials equal, else the first initial equal; a first initial that differs
   from every remaining candidate leaves the name unresolved;
4. roepnaam (given name) against the person's roepnaam or official first names.

If more than one candidate is left, the name is unresolved ("ambiguous"), never guessed.

Boundary days (documented choices):

- fractie: on a day where one fractie period ends and another starts, the period starting
  that day is taken (the change is in effect from that day);
- post: the CSV's end date is the handover day. On a day where one holding of the person ends
  and another starts, the one starting is taken.

A person holding several posts on the date (Hirsch Ballin, 2010-02-23..2010-10-14: minister van
Justitie and minister van BZK) is never settled by a rank. In this order:

1. a post a published text of the Kamervraag names: its heading ("aan de Minister van
   Justitie"), else the answering post of an answer; ``method`` says which document proved it
   ("...; post uit tekst kv-tk-2010Z11782");
2. one office: a post of no ministry (viceminister-president) beside a ministry's post is a title
   of that minister; the minister van Algemene Zaken beside the minister-president is the same
   office (``method``: "...; 2 posten op datum, één ambt: ...");
3. else the addressing is ambiguous: the person, every post and every holding of the date
   (``candidate_posts``, ``candidate_holdings``), no post, the reason in ``unresolved_reason``.

An asker with several fractie periods on the date (other than a change on that day) gets the
fractie when they all name the same one (a period listed twice; the first listed is linked), and
otherwise no fractie, with the candidates in ``unresolved_reason``.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.records import (
    AddresseeLink,
    AskerLink,
    FractieMembership,
    KamerMembership,
    PostEvidence,
    PostHolding,
    ReferenceData,
    ResolvedKamervraag,
    ZaakRecord,
)
from ingest.names import (
    PREFIX_WORDS,
    initial_letters,
    letters_of_names,
    norm_name,
    strip_prefix,
    surname_keys,
)
from ingest.periods import INFERRED_PREFIX, OK_FILL_PREFIX, election_eves, has_open_end, is_listed

_PAREN_RE = re.compile(r"^(?P<body>.*?)\s*\((?P<ini>[^)]*)\)\s*$")
_INI_TOKEN_RE = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ]{0,2}\.)+$")


@dataclass(frozen=True, slots=True)
class ParsedName:
    text: str
    given: str | None  # first word of the roepnaam style
    initials: str  # letters: "SA"
    tails: tuple[tuple[str, int], ...]  # (index key, strength) candidates for the surname
    surname_guess: str  # for messages: "van Ojik"


def parse_name(text: str) -> ParsedName:
    s = " ".join(text.replace("\u00a0", " ").split())
    m = _PAREN_RE.match(s)
    given: str | None = None
    if m:
        body, initials = m.group("body"), initial_letters(m.group("ini"))
        words = body.split()
        if len(words) > 1:
            given = words[0]
        surname_words = words[1:] if len(words) > 1 else words
        all_words = words
    else:
        words = s.split()
        ini = []
        while words and _INI_TOKEN_RE.match(words[0]) and len(words) > 1:
            ini.append(words.pop(0))
        initials = initial_letters("".join(ini))
        surname_words = words
        all_words = words
    tails: dict[str, int] = {}
    # every tail of the words (the roepnaam may have several words: "Jan Kees de Jager")
    for i in range(len(all_words)):
        tail = " ".join(all_words[i:])
        for k, strength in surname_keys(tail).items():
            if k not in tails or strength < tails[k]:
                tails[k] = strength
    # the last word alone and its hyphen parts are already covered; a tail that is only prefix words is not a surname
    tails = {k: v for k, v in tails.items() if k and not all(w in PREFIX_WORDS for w in k.split())}
    guess = " ".join(surname_words) if surname_words else s
    return ParsedName(s, given, initials, tuple(sorted(tails.items(), key=lambda kv: (kv[1], kv[0]))), guess)


def sound(name: str) -> str:
    """A roepnaam folded to how it sounds: capitals, accents and hyphens dropped (:func:`norm_name`) and a
    final d written t, as Dutch says it ("Gerd" and "Gert" are one name: the Kamer's OData writes "Gert
    Leers", parlement.com "G.B.M. (Gerd) Leers")."""
    return re.sub(r"d\b", "t", norm_name(name))


def _on(start: dt.date, end: dt.date | None, d: dt.date) -> bool:
    return start <= d and (end is None or d <= end)


def term_of(eves: tuple[dt.date, ...], on: dt.date) -> int:
    """Index i of the Kamer sitting on ``on``: eves[i] < on <= eves[i+1] (-1 before the first eve)."""
    return bisect_left(eves, on) - 1


def reelection_basis(fms: list[FractieMembership], on: dt.date, eves: tuple[dt.date, ...]) -> FractieMembership | None:
    """The period a re-elected member's inferred membership on ``on`` would continue, else None.

    ``fms``: the person's fractie periods sorted by start. With E the election eve opening the
    Kamer sitting on ``on``, the person qualifies when their latest period before ``on`` (none
    running on ``on``, so also none starting in (E, on]) either
    - ended on E (listed, filled or inferred), or
    - is a derived period whose end is only the last date known (``has_open_end``) and lies in this
      Kamer (after E: it may run on) or in the previous one (chain: it runs to E, and on from E+1).
    """
    i = term_of(eves, on)
    if i < 0:
        return None
    prior = [f for f in fms if f.start <= on]
    if not prior:
        return None
    last = max(prior, key=lambda f: (f.start, f.end or dt.date.max))
    if any(f.end is None or f.end >= on for f in prior):
        return None  # sitting on the date
    e = eves[i]
    if last.end == e:
        return last
    if has_open_end(last) and last.end is not None:
        if e < last.end < on:
            return last
        if i >= 1 and eves[i - 1] < last.end < e:
            return last
    return None


class Resolver:
    """Indexes built once from the reference data; resolves names on a date."""

    def __init__(self, ref: ReferenceData) -> None:
        self.ref = ref
        self.index: dict[str, dict[str, int]] = defaultdict(dict)
        for p in ref.persons.values():
            for k, strength in surname_keys(p.family_name, p.prefix).items():
                old = self.index[k].get(p.key)
                if old is None or strength < old:
                    self.index[k][p.key] = strength
        # initials from every source (OpenKamer/CSV initials, the member list's first names): any may match
        self.letters: dict[str, str] = {
            p.key: initial_letters(p.initials) or letters_of_names(p.first_names) for p in ref.persons.values()
        }
        self.all_letters: dict[str, set[str]] = {
            p.key: {x for x in (initial_letters(p.initials), letters_of_names(p.first_names)) if x}
            for p in ref.persons.values()
        }
        self.given: dict[str, set[str]] = {}
        for p in ref.persons.values():
            names = set()
            if p.given_name:
                names.update(norm_name(p.given_name).split())
            if p.first_names:
                names.update(norm_name(p.first_names).split())
            self.given[p.key] = names
        self.kms: dict[str, list[KamerMembership]] = defaultdict(list)
        for km in ref.kamer_memberships:
            self.kms[km.person_key].append(km)
        self.fms: dict[str, list[FractieMembership]] = defaultdict(list)
        for fm in ref.fractie_memberships:
            self.fms[fm.person_key].append(fm)
        self.holds: dict[str, list[PostHolding]] = defaultdict(list)
        for h in ref.holdings:
            self.holds[h.person_key].append(h)
        for lst in (*self.kms.values(), *self.fms.values(), *self.holds.values()):
            lst.sort(key=lambda x: x.start)  # type: ignore[attr-defined]
        listed = [fm for fm in ref.fractie_memberships if is_listed(fm)]  # the list's own periods, not inferred ones
        self.list_end = max((fm.end or fm.start) for fm in listed) if listed else None
        self.list_last_start = max(fm.start for fm in listed) if listed else None
        self.holdings_end = max((h.end or h.start) for h in ref.holdings) if ref.holdings else None
        self.eves = election_eves(ref.fractie_memberships)
        self._parse_cache: dict[str, ParsedName] = {}
        self._cand_cache: dict[str, dict[str, int]] = {}

    # ------------------------------------------------------------------ shared steps

    def _parsed(self, name: str) -> ParsedName:
        p = self._parse_cache.get(name)
        if p is None:
            p = self._parse_cache[name] = parse_name(name)
        return p

    def _candidates(self, parsed: ParsedName) -> dict[str, int]:
        c = self._cand_cache.get(parsed.text)
        if c is None:
            c = {}
            for k, strength in parsed.tails:
                for pk, s2 in self.index.get(k, {}).items():
                    st = max(strength, s2)
                    if pk not in c or st < c[pk]:
                        c[pk] = st
            self._cand_cache[parsed.text] = c
        return c

    def other_roepnaam(self, parsed: ParsedName, k: str) -> bool:
        """Whether ``parsed`` prints a roepnaam ("Albert de Vries (A.A.)") that is none of person ``k``'s names
        (roepnaam and first names, as they sound: :func:`sound`), the person's names being known. A first
        word that is a word of the person's surname or a tussenvoegsel ("Hirsch Ballin (EMH)") is no roepnaam."""
        if not parsed.given or not self.given.get(k):
            return False
        g = norm_name(parsed.given)
        p = self.ref.persons[k]
        if not g or g in PREFIX_WORDS or g in norm_name(f"{p.prefix} {p.family_name}").split():
            return False
        return sound(g) not in {sound(w) for w in self.given[k]}

    def _narrow(self, parsed: ParsedName, cands: dict[str, int]) -> tuple[list[str], list[str], str | None]:
        """Apply strength, initials and roepnaam; return (left, evidence, reason if none left).

        Initials that are all a candidate's are evidence enough (a roepnaam the lists do not know is often
        a nickname: "Tony van Dijck (A.P.C.)", OpenKamer's Teun). Where only the first initial agrees (or the
        candidate's are unknown), a printed roepnaam that is none of the candidate's names makes it another
        person: "Albert de Vries (A.A.)" is not Aukje de Vries (A.), 2017Z03962."""
        best = min(cands.values())
        left = [k for k, s in cands.items() if s == best]
        evidence = ["achternaam" if best == 0 else "deel-achternaam"]
        if parsed.initials:
            exact = [k for k in left if parsed.initials in self.all_letters.get(k, ())]
            if exact:
                left = exact
                evidence.append("voorletters")
            else:
                first = [k for k in left if any(x[:1] == parsed.initials[:1] for x in self.all_letters.get(k, ()))]
                if not first and len(parsed.initials) == 1:
                    # a single initial may be the roepnaam's ("Rosenthal (U)" for Uri Rosenthal, initials D.)
                    first = [k for k in left if norm_name(self.ref.persons[k].given_name or "")[:1].upper() == parsed.initials]
                unknown = [k for k in left if not self.all_letters.get(k)]
                # the initials do not all agree: a roepnaam that is none of the person's names is another person
                other = {k for k in (*first, *unknown) if self.other_roepnaam(parsed, k)}
                if other:
                    first = [k for k in first if k not in other]
                    unknown = [k for k in unknown if k not in other]
                    if not first and not unknown:
                        who = ", ".join(f"{self.ref.persons[k].name} ({self.ref.persons[k].given_name or '-'}, "
                                        f"{self.letters.get(k) or '-'})" for k in sorted(other))
                        return [], evidence, (f"roepnaam {parsed.given!r} and initials {parsed.initials!r} are not "
                                              f"those of {who}")
                g = norm_name(parsed.given) if parsed.given else None
                by_roepnaam = [k for k in left if best == 0 and g and self.ref.persons[k].given_name
                               and norm_name(self.ref.persons[k].given_name or "") == g]
                if first:
                    left = first
                    evidence.append("eerste voorletter")
                elif unknown:
                    left = unknown
                elif len(by_roepnaam) == 1:
                    # the roepnaam and the whole surname agree; the reference's initials differ
                    k = by_roepnaam[0]
                    left = by_roepnaam
                    evidence.append(f"roepnaam (voorletters {parsed.initials} wijken af van {self.letters.get(k)})")
                else:
                    who = ", ".join(f"{self.ref.persons[k].name} ({self.letters.get(k)})" for k in sorted(left))
                    return [], evidence, f"initials {parsed.initials!r} match none of {who}"
        if len(left) > 1 and parsed.given:
            g = norm_name(parsed.given)
            by_given = [k for k in left if g in self.given.get(k, ())]
            if by_given:
                left = by_given
                evidence.append("roepnaam")
        return left, evidence, None

    # ------------------------------------------------------------------ askers

    def resolve_asker(
        self, name: str, role: Literal["indiener", "medeindiener"], position: int, on: dt.date
    ) -> AskerLink:
        parsed = self._parsed(name)
        cands = self._candidates(parsed)
        if not cands:
            return AskerLink(name, role, position, unresolved_reason=f"no person with surname '{parsed.surname_guess}' in the reference lists")
        on_date = {k: s for k, s in cands.items() if any(_on(m.start, m.end, on) for m in self.kms.get(k, ()))}
        if not on_date:
            reason = f"no member with surname '{parsed.surname_guess}' on {on.isoformat()}"
            if self.list_last_start and on > self.list_last_start:
                reason += f"; list ends {self.list_last_start:%Y-%m}"
            members = [k for k in cands if self.kms.get(k)]
            if members:
                near = []
                for k in sorted(members)[:3]:
                    kms = self.kms[k]
                    near.append(f"{self.ref.persons[k].name} {kms[0].start}..{kms[-1].end or ''}")
                reason += f" (known members of that name: {'; '.join(near)})"
            return AskerLink(name, role, position, unresolved_reason=reason + self._reelection_hint(cands, on))
        left, evidence, why = self._narrow(parsed, on_date)
        if why:
            return AskerLink(name, role, position,
                             unresolved_reason=f"{why} on {on.isoformat()}" + self._reelection_hint(cands, on))
        if len(left) > 1:
            who = "; ".join(f"{k} {self.ref.persons[k].name}" for k in sorted(left))
            return AskerLink(name, role, position,
                             unresolved_reason=f"ambiguous: {len(left)} members on {on.isoformat()} ({who})")
        pk = left[0]
        km = next(m for m in self.kms[pk] if _on(m.start, m.end, on))
        fms = [f for f in self.fms.get(pk, ()) if _on(f.start, f.end, on)]
        method = "+".join(evidence + ["datum"])
        if not fms:
            if km.derivation:
                method += "+afgeleide periode"
            return AskerLink(name, role, position, person_key=pk, kamer_membership_key=km.key, method=method,
                             unresolved_reason=f"no fractie membership of {pk} on {on.isoformat()}")
        if len(fms) > 1:
            fm, why = self._fractie_period(fms, on)
            if fm is None:
                return AskerLink(name, role, position, person_key=pk, kamer_membership_key=km.key,
                                 method=method + "; meerduidig", unresolved_reason=why)
            method += why
        else:
            fm = fms[0]
        if fm.derivation:
            method += "+afgeleide periode" if fm.derivation.startswith(INFERRED_PREFIX) else "+periode uit OpenKamer"
            if fm.derivation.startswith(OK_FILL_PREFIX) and INFERRED_PREFIX in fm.derivation:
                method += "+afgeleide verlenging"
        return AskerLink(name, role, position, person_key=pk, kamer_membership_key=km.key,
                         fractie_membership_key=fm.key, fractie_key=fm.fractie_key, method=method)

    def _fractie_period(self, fms: list[FractieMembership], on: dt.date) -> tuple[FractieMembership | None, str]:
        """Of a member's several fractie periods on ``on``: (the period, a note for ``method``), or
        (None, why) when they name different fracties. A change on that day: the period starting."""
        starting = [f for f in fms if f.start == on]
        if starting and len({f.fractie_key for f in starting}) == 1 and all(f.end == on for f in fms if f not in starting):
            return starting[0], f"; wissel op datum: de periode vanaf {on}"
        if len({f.fractie_key for f in fms}) == 1:
            return fms[0], f"; {len(fms)} periodes van {fms[0].fractie_key} op datum (dezelfde fractie): {fms[0].key}"
        spans = ", ".join(f"{f.fractie_key} {f.start}..{f.end or ''}" for f in fms)
        who = self.ref.persons[fms[0].person_key].family_name
        return None, f"ambiguous: {who} had {len(fms)} fractie periods on {on.isoformat()} ({spans})"

    def reelection_candidates(self, cands: Iterable[str], on: dt.date) -> dict[str, FractieMembership]:
        """Persons among ``cands`` who qualify as re-elected members without a period on ``on``."""
        out = {}
        for k in cands:
            b = reelection_basis(self.fms.get(k, []), on, self.eves)
            if b is not None:
                out[k] = b
        return out

    def _reelection_hint(self, cands: dict[str, int], on: dt.date) -> str:
        q = self.reelection_candidates(cands, on)
        if not q:
            return ""
        who = "; ".join(f"{self.ref.persons[k].name} (laatste periode tot {b.end})" for k, b in sorted(q.items()))
        return f"; no period inferred: {len(q)} possibly re-elected member(s) of that name, not one certain ({who})"

    # ------------------------------------------------------------------ addressees

    def resolve_addressee(self, name: str, position: int, on: dt.date,
                          evidence_posts: Sequence[PostEvidence] = ()) -> AddresseeLink:
        """The person named and the post held on ``on``; ``evidence_posts``: the posts published
        texts of the Kamervraag name (a person holding several posts is settled by them)."""
        parsed = self._parsed(name)
        cands = self._candidates(parsed)
        if not cands:
            return AddresseeLink(name, position, unresolved_reason=f"no person with surname '{parsed.surname_guess}' in the reference lists")
        on_date = {k: s for k, s in cands.items() if any(_on(h.start, h.end, on) for h in self.holds.get(k, ()))}
        if not on_date:
            holders = [k for k in cands if self.holds.get(k)]
            reason = f"no holder of a post with surname '{parsed.surname_guess}' on {on.isoformat()}"
            if holders:
                left, _, _ = self._narrow(parsed, {k: cands[k] for k in holders})
                if len(left) == 1:
                    hs = self.holds[left[0]]
                    spans = ", ".join(f"{h.post_key} {h.start}..{h.end or ''}" for h in hs)
                    reason = f"{self.ref.persons[left[0]].name} holds no post on {on.isoformat()} (holdings: {spans})"
            if self.holdings_end and on > self.holdings_end:
                reason += f"; holdings end {self.holdings_end}"
            return AddresseeLink(name, position, unresolved_reason=reason)
        left, evidence, why = self._narrow(parsed, on_date)
        if why:
            return AddresseeLink(name, position, unresolved_reason=f"{why} on {on.isoformat()}")
        if len(left) > 1:
            who = "; ".join(f"{k} {self.ref.persons[k].name}" for k in sorted(left))
            return AddresseeLink(name, position, unresolved_reason=f"ambiguous: {len(left)} post holders on {on.isoformat()} ({who})")
        pk = left[0]
        hs = [h for h in self.holds[pk] if _on(h.start, h.end, on)]
        method = "+".join(evidence + ["datum"])
        if len(hs) == 1:
            return AddresseeLink(name, position, person_key=pk, post_key=hs[0].post_key, holding_key=hs[0].key,
                                 method=method)
        return self._post_of(name, position, pk, hs, on, method, evidence_posts)

    def _post_of(self, name: str, position: int, pk: str, hs: list[PostHolding], on: dt.date, method: str,
                 evidence_posts: Sequence[PostEvidence]) -> AddresseeLink:
        """The post of a person holding several on ``on``: the one a published text names, else the one
        left by the two rules of what a post is (below), else every post, marked ambiguous.

        - handover day: a holding that ends on the date while another starts or runs on is left out
          (the CSV's end date is the handover day);
        - a post of no ministry (viceminister-president) held beside a post of a ministry is a title
          of that minister, not an addressee of its own; the minister van Algemene Zaken beside the
          minister-president is the same office ("de minister-president, minister van Algemene Zaken").
        """
        starting = [h for h in hs if h.end != on] or hs
        if len(starting) == 1:
            h = starting[0]
            ending = ", ".join(x.post_key for x in hs if x is not h)
            return AddresseeLink(name, position, person_key=pk, post_key=h.post_key, holding_key=h.key,
                                 method=f"{method}; wissel op datum: {h.post_key} (eindigt: {ending})")
        hs = starting
        for kind in ("aanhef", "beantwoording"):
            named: dict[str, str] = {}
            for e in evidence_posts:  # the first document id of those naming a post (any order of the texts)
                if e.kind == kind and (e.post_key not in named or e.document < named[e.post_key]):
                    named[e.post_key] = e.document
            hit = [h for h in hs if h.post_key in named]
            if len({h.post_key for h in hit}) == 1:
                h = hit[0]
                return AddresseeLink(name, position, person_key=pk, post_key=h.post_key, holding_key=h.key,
                                     method=f"{method}; post uit tekst {named[h.post_key]}")
        kept = self._offices(hs)
        if len(kept) == 1:
            h = kept[0]
            other = ", ".join(x.post_key for x in hs if x is not h)
            note = f"; {len(hs)} posten op datum, één ambt: {h.post_key} (ook: {other})" if other else ""
            return AddresseeLink(name, position, person_key=pk, post_key=h.post_key, holding_key=h.key,
                                 method=method + note)
        labels = ", ".join(self.ref.posts[h.post_key].label for h in kept)
        who = self.ref.persons[pk].family_name
        return AddresseeLink(
            name, position, person_key=pk, method=f"{method}; meerduidig",
            unresolved_reason=(f"ambiguous: {who} held {len(kept)} posts on {on.isoformat()} ({labels}); "
                               "no published text names the post"),
            candidate_posts=tuple(h.post_key for h in kept), candidate_holdings=tuple(h.key for h in kept))

    def _offices(self, hs: list[PostHolding]) -> list[PostHolding]:
        """The holdings that are offices of their own (see :meth:`_post_of`): without the post of no
        ministry beside a ministry's post, and without the minister van Algemene Zaken beside the
        minister-president."""
        posts = self.ref.posts
        kept = [h for h in hs if posts[h.post_key].ministry_key] or hs
        pm = [h for h in kept if posts[h.post_key].kind == "minister-president"]
        if pm:
            az = posts[pm[0].post_key].ministry_key
            kept = [h for h in kept if h in pm or posts[h.post_key].ministry_key != az]
        return kept

    # ------------------------------------------------------------------ a Zaak

    def resolve(self, zaak: ZaakRecord, publication_ids: Container[str] = (),
                evidence: Sequence[PostEvidence] = ()) -> ResolvedKamervraag:
        """The askers and addressees of ``zaak`` on its submission date; ``evidence``: the posts the
        published texts matched to it name (:func:`ingest.resolve_text.post_evidence`)."""
        on = zaak.gestart_op
        askers: list[AskerLink] = []
        pos = 0
        for n in zaak.indieners:
            pos += 1
            askers.append(self.resolve_asker(n, "indiener", pos, on))
        for n in zaak.medeindieners:
            pos += 1
            askers.append(self.resolve_asker(n, "medeindiener", pos, on))
        addressees = tuple(self.resolve_addressee(n, i, on, evidence) for i, n in enumerate(zaak.gericht_aan, start=1))
        notes = []
        for a in askers:
            if a.unresolved_reason:
                notes.append(f"vraagsteller {a.position} {a.name_in_source!r}: {a.unresolved_reason}")
        for b in addressees:
            if b.unresolved_reason:
                notes.append(f"adressering {b.position} {b.name_in_source!r}: {b.unresolved_reason}")
            elif b.method and ("posten op datum" in b.method or "post uit tekst" in b.method):
                notes.append(f"adressering {b.position} {b.name_in_source!r}: {b.method.split('; ', 1)[1]}")
        pub = f"kv-tk-{zaak.nummer}"
        return ResolvedKamervraag(
            zaak=zaak,
            askers=tuple(askers),
            addressees=addressees,
            publication_id=pub if pub in publication_ids else None,
            notes=tuple(notes),
        )


__all__ = ["Resolver", "parse_name", "ParsedName", "sound", "strip_prefix"]
