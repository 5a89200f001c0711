"""Resolve a parsed published text: its Kamervraag (the OData Zaak), askers, posts, answerer.

The Kamervraag is matched by the Zaak number where the text prints one, else by the first
asker and the submission date (and, among several, the subject); a conflict between what the
text says and the OData record is reported, never silently overridden.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.records import AddresseeLink, AskerLink, PostEvidence, PostMention, ReferenceData, TextDocument, ZaakRecord
from ingest.resolve import Resolver
from ontology.namespaces import slug


def _fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text)
    return re.sub(r"\s+", " ", "".join(c for c in norm if not unicodedata.combining(c))).strip().lower()


@dataclass(frozen=True, slots=True)
class ResolvedText:
    doc: TextDocument
    kamervraag: str  # the Zaak number, or "pub-<publication key>" when no Zaak could be matched
    match: str  # "zaaknummer", "indiener+datum", "indiener+datum+onderwerp", "geen"
    publication_key: str  # the publication id, or "doc-<slug of the file name>"
    askers: tuple[AskerLink, ...]
    addressed_posts: tuple[str | None, ...]  # post keys, aligned with doc.addressed
    answering_person: str | None
    answering_post: str | None
    on_behalf_posts: tuple[str | None, ...]
    addressees: tuple[AddresseeLink, ...] = field(default=())  # the addressed posts with their holders
    notes: tuple[str, ...] = field(default=())

    @property
    def described_elsewhere(self) -> bool:
        """Whether another record (an OData case, or the published questions) already says who
        asked whom and when; if not, this text's graph says it."""
        return not self.match.startswith(("geen", "eigen"))


def publication_key(doc: TextDocument) -> str:
    if doc.publication_id:
        return doc.publication_id
    name = doc.source.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return name if name.startswith("doc-") else f"doc-{slug(name)}"


class TextResolver:
    """Resolves texts against the reference data and the OData cases (indexed once)."""

    def __init__(self, ref: ReferenceData, resolver: Resolver, zaken: Iterable[ZaakRecord]) -> None:
        self.ref = ref
        self.resolver = resolver
        self.zaken: dict[str, ZaakRecord] = {}
        self.by_date: dict[dt.date, list[ZaakRecord]] = defaultdict(list)
        for z in zaken:
            self.zaken[z.nummer] = z
            self.by_date[z.gestart_op].append(z)
        self.text_cases: set[str] = set()
        # printed fractie name -> fractie keys
        self.fractie_names: dict[str, set[str]] = defaultdict(set)
        for f in ref.fracties.values():
            for n in (f.name, f.short_name, *f.alt_names, f.key):
                if n:
                    self.fractie_names[_fold(n)].add(f.key)
        # (folded surname, fractie key) -> fractie memberships
        self.members: dict[tuple[str, str], list] = defaultdict(list)
        for fm in ref.fractie_memberships:
            p = ref.persons.get(fm.person_key)
            if p:
                surname = _fold(f"{p.prefix} {p.family_name}" if p.prefix else p.family_name)
                self.members[(surname, fm.fractie_key)].append(fm)
                self.members[(_fold(p.family_name), fm.fractie_key)].append(fm)
        # post label -> post keys
        self.posts: dict[str, list[str]] = defaultdict(list)
        for po in ref.posts.values():
            self.posts[_fold(po.label)].append(po.key)
        self.holdings_by_post: dict[str, list] = defaultdict(list)
        for h in ref.holdings:
            self.holdings_by_post[h.post_key].append(h)

    def add_question_texts(self, docs: Iterable[TextDocument]) -> None:
        """Published question sets that no OData case covers become cases to match answers to."""
        for d in docs:
            if d.kind != "vragen" or not d.zaak or d.zaak in self.zaken or d.submitted is None:
                continue
            names = tuple(m.name for m in d.askers)
            z = ZaakRecord(id="", nummer=d.zaak, soort="Schriftelijke vragen", onderwerp=d.subject,
                           gestart_op=d.submitted, vergaderjaar=None, status=None, afgedaan=None, gewijzigd_op=None,
                           verwijderd=False, indieners=names[:1], medeindieners=names[1:], gericht_aan=(),
                           voortouwcommissie=(), source=d.source)
            self.zaken[z.nummer] = z
            self.by_date[z.gestart_op].append(z)
            self.text_cases.add(z.nummer)

    # -- the Kamervraag
    def _match(self, doc: TextDocument, askers: tuple[AskerLink, ...]) -> tuple[str | None, str, list[str]]:
        notes: list[str] = []
        if doc.zaak:
            z = self.zaken.get(doc.zaak)
            if z is None:
                return doc.zaak, "eigen zaaknummer", [f"Zaak {doc.zaak} is not among the bundled OData cases"]
            if z.nummer in self.text_cases and z.source == doc.source:
                return z.nummer, "eigen zaaknummer", [f"Zaak {doc.zaak} is not among the bundled OData cases"]
            if doc.submitted and doc.submitted != z.gestart_op:
                notes.append(f"submission date in the text {doc.submitted} differs from OData GestartOp {z.gestart_op}")
            return z.nummer, "zaaknummer", notes
        first = next((a for a in askers if a.person_key), None)
        if doc.submitted is None or first is None:
            return None, "geen", ["no Zaak number, and no submission date or resolved asker to match by"]
        surname = _fold(first.name_in_source.split()[-1])
        cands = [
            z for z in self.by_date.get(doc.submitted, [])
            if any(surname in _fold(n) for n in (*z.indieners, *z.medeindieners))
        ]
        if len(cands) == 1:
            return cands[0].nummer, "indiener+datum", notes
        if len(cands) > 1 and doc.subject:
            subj = set(_fold(doc.subject).split())
            scored = sorted(
                ((len(subj & set(_fold(z.onderwerp or "").split())), z.nummer) for z in cands), reverse=True
            )
            if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                return scored[0][1], "indiener+datum+onderwerp", notes
            notes.append(f"{len(cands)} OData cases of that asker on {doc.submitted}; the subject does not decide")
            return None, "geen", notes
        notes.append(f"no OData case of asker {first.name_in_source!r} on {doc.submitted}")
        return None, "geen", notes

    # -- askers, posts, the answerer
    def _asker(self, name: str, fractie: str | None, role: str, pos: int, on: dt.date | None) -> AskerLink:
        if on is None:
            return AskerLink(name, role, pos, unresolved_reason="no date in the text to resolve the name on")
        link = self.resolver.resolve_asker(name, role, pos, on)  # type: ignore[arg-type]
        if link.person_key or not fractie:
            return link
        keys = self.fractie_names.get(_fold(fractie), set())
        hits = {
            fm.key: fm for k in keys for fm in self.members.get((_fold(name), k), [])
            if fm.start <= on and (fm.end is None or on <= fm.end)
        }
        if len(hits) == 1:
            (fm,) = hits.values()
            return AskerLink(name, role, pos, person_key=fm.person_key, fractie_membership_key=fm.key,
                             fractie_key=fm.fractie_key, kamer_membership_key=self._kamer(fm.person_key, on),
                             method="achternaam+fractie+datum")
        return link

    def _kamer(self, person_key: str, on: dt.date) -> str | None:
        for k in self.ref.kamer_memberships:
            if k.person_key == person_key and k.start <= on and (k.end is None or on <= k.end):
                return k.key
        return None

    def post_key(self, mention: PostMention | None, on: dt.date | None) -> str | None:
        if mention is None:
            return None
        keys = self.posts.get(_fold(mention.label), [])
        if len(keys) <= 1 or on is None:
            return keys[0] if keys else None
        held = [k for k in keys if any(h.start <= on and (h.end is None or on <= h.end) for h in self.holdings_by_post[k])]
        return held[0] if len(held) == 1 else None

    def _addressee(self, mention: PostMention, pos: int, on: dt.date | None) -> AddresseeLink:
        """An addressed post as printed, with the person holding it on the date."""
        key = self.post_key(mention, on)
        if key is None:
            return AddresseeLink(mention.text, pos, unresolved_reason=f"no post named {mention.label!r} in the reference data")
        if on is None:
            return AddresseeLink(mention.text, pos, post_key=key, unresolved_reason="no date in the text")
        held = [h for h in self.holdings_by_post[key] if h.start <= on and (h.end is None or on <= h.end)]
        if len(held) != 1:
            why = "nobody" if not held else f"{len(held)} persons"
            return AddresseeLink(mention.text, pos, post_key=key, unresolved_reason=f"{why} held {key} on {on}")
        h = held[0]
        return AddresseeLink(mention.text, pos, person_key=h.person_key, post_key=key, holding_key=h.key,
                             method="post+datum")

    def _answerer(self, doc: TextDocument, on: dt.date | None) -> str | None:
        if not doc.answering_person or on is None:
            return None
        link = self.resolver.resolve_addressee(doc.answering_person, 1, on)
        return link.person_key

    def resolve(self, doc: TextDocument) -> ResolvedText:
        on = doc.submitted
        askers = tuple(
            self._asker(m.name, m.fractie, "indiener" if i == 0 else "medeindiener", i + 1, on)
            for i, m in enumerate(doc.askers)
        )
        nummer, how, notes = self._match(doc, askers)
        answer_date = doc.received or on
        return ResolvedText(
            doc=doc,
            kamervraag=nummer or f"pub-{publication_key(doc)}",
            match=how,
            publication_key=publication_key(doc),
            askers=askers,
            addressed_posts=tuple(self.post_key(m, on) for m in doc.addressed),
            answering_person=self._answerer(doc, answer_date),
            answering_post=self.post_key(doc.answering_post, answer_date),
            on_behalf_posts=tuple(self.post_key(m, answer_date) for m in doc.on_behalf_of),
            addressees=tuple(self._addressee(m, i + 1, on) for i, m in enumerate(doc.addressed)),
            notes=tuple(notes),
        )


def post_evidence(texts: Iterable[ResolvedText]) -> dict[str, tuple[PostEvidence, ...]]:
    """Per Zaak number, the posts its matched published texts name: each post of a heading ("aan de
    Minister van Justitie") and each answering post, with the document that names it. Texts matched
    to no Zaak give none. The resolver settles a person holding several posts with them."""
    out: dict[str, list[PostEvidence]] = defaultdict(list)
    for rt in texts:
        if not rt.described_elsewhere:
            continue
        for key in rt.addressed_posts:
            if key:
                out[rt.kamervraag].append(PostEvidence(key, rt.publication_key, "aanhef"))
        if rt.answering_post:
            out[rt.kamervraag].append(PostEvidence(rt.answering_post, rt.publication_key, "beantwoording"))
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}
