"""The dataset description on the web: ``/.well-known/void``, ``/dataset`` and the SPARQL service description.

``install_dataset(app, endpoint, settings)`` adds:

- ``/.well-known/void`` (RFC 5785, VoID §7.2): the description (VoID, DCAT and the SPARQL 1.1 Service
  Description) as Turtle by default, JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``; a
  client that prefers ``text/html`` gets the page;
- ``/dataset``: the same description as a page (nl/en) for browsers — the figures, the dumps with their
  size and checksum, the linksets, the licence and the attribution of every source — and as RDF by
  ``Accept`` or ``?format=``;
- the service description at ``GET /sparql`` without a query (the SPARQL 1.1 Service Description,
  §2): ``app.state.service_description`` answers it, Turtle by default.

Every answer says ``Vary: Accept``. The server never computes or writes the description: it reads
the graph ``{base}graph/dataset/beschrijving`` that the build (or ``kamergraph describe``) put in the
store, through the query workers like any other query. Without that graph it answers the parts that
need no counting (what the dataset is, its licence and sources, the endpoint) and says that the
figures have not been computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode, RdfFormat, Triple, serialize

from kamergraph.dataset import (
    DCAT, DESCRIPTION_PREFIXES, SD, SPDX, VOID, dataset_iri, describe, description_graph, service_iri,
)
from kamergraph.settings import Settings
from ontology.namespaces import DCTERMS, FOAF, PROV, RDF, RDFS, Iris
from server import describe as D
from server.endpoint import Endpoint, run_rows
from server.render import PageError, render
from server.i18n import page_lang, tr
from server.errors import error_response
from server.negotiation import best_of
from store.pool import Job

HTML = "html"
#: format name -> (media type, pyoxigraph format)
RDF_FORMATS: dict[str, tuple[str, RdfFormat]] = {
    "turtle": ("text/turtle", RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    "ntriples": ("application/n-triples", RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", RdfFormat.RDF_XML),
}
_RDF_MEDIA = [
    ("text/turtle", "turtle"), ("application/ld+json", "jsonld"), ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"), ("application/x-turtle", "turtle"), ("application/json", "jsonld"),
    ("application/xml", "rdfxml"), ("text/xml", "rdfxml"),
]
_HTML_MEDIA = [("text/html", HTML), ("application/xhtml+xml", HTML)]
FORMAT_NAMES = {
    "html": HTML, "turtle": "turtle", "ttl": "turtle", "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld",
    "ntriples": "ntriples", "nt": "ntriples", "n-triples": "ntriples", "rdfxml": "rdfxml", "rdf": "rdfxml",
    "xml": "rdfxml",
}
READ = "SELECT ?desc ?s ?p ?o WHERE { GRAPH ?desc { ?s ?p ?o } }"


class NotAcceptable(Exception):
    pass


def negotiate(accept: str | None, format_param: str | None, offers: list[tuple[str, str]]) -> str:
    """The format for a request: ``?format=`` first, else the offer with the highest q in ``Accept``
    (ties, no ``Accept`` and ``*/*`` go to the first offer). Raises NotAcceptable (406) or ValueError (400)."""
    names = {fmt for _, fmt in offers}
    if format_param:
        fmt = FORMAT_NAMES.get(format_param.strip().lower())
        if fmt is None or fmt not in names:
            raise ValueError(f"unknown format {format_param!r}; one of {', '.join(sorted(names))}")
        return fmt
    best = best_of(offers, accept)
    if best is None:
        raise NotAcceptable(f"none of the accepted media types ({accept}) is offered; offered: "
                            + ", ".join(dict.fromkeys(m for m, _ in offers)))
    return best


def negotiate_request(request: Request, offers: list[tuple[str, str]]) -> str | Response:
    """The format a request asks for (:func:`negotiate` on its ``Accept`` and ``?format=``), or the JSON error
    that says why none fits: 406 when nothing accepted is offered, 400 for an unknown ``format``."""
    try:
        return negotiate(request.headers.get("accept"), request.query_params.get("format"), offers)
    except NotAcceptable as exc:
        return error_response(406, str(exc), {"Vary": "Accept"})
    except ValueError as exc:
        return error_response(400, str(exc), {"Vary": "Accept"})


def serialize_description(triples: list[Triple], fmt: str) -> bytes:
    ordered = sorted(triples, key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    rdf_format = RDF_FORMATS[fmt][1]
    prefixes = DESCRIPTION_PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.RDF_XML) else None
    return serialize(ordered, format=rdf_format, prefixes=prefixes) or b""


@dataclass
class Description:
    triples: list[Triple]
    loaded: bool  # False: the graph is not in the store; the static parts only


async def read_description(endpoint: Endpoint) -> Description:
    """The description graph from the store (through the query workers, cached per store generation)."""
    iris = Iris(endpoint.settings.base)
    answer = await run_rows(endpoint, Job(READ, output="rows", bindings={"desc": NamedNode(description_graph(iris))}))
    result = answer.result
    rows = result.rows if result is not None else []
    if rows:
        return Description([Triple(s, p, o) for _, s, p, o in rows], True)
    return Description(describe(iris, None, None), False)


def _rdf_response(triples: list[Triple], fmt: str, headers: dict[str, str]) -> Response:
    media = RDF_FORMATS[fmt][0]
    if media.startswith("text/") or media == "application/n-triples":
        media += "; charset=utf-8"
    return Response(serialize_description(triples, fmt), media_type=media, headers=headers)


_json_error = error_response  # the one JSON error shape (server.errors)


def install_dataset(app: FastAPI, endpoint: Endpoint, settings: Settings) -> None:
    """Add ``/.well-known/void``, ``/dataset`` and the service description of ``GET /sparql``."""
    iris = Iris(settings.base)

    async def answer(request: Request, offers: list[tuple[str, str]], self_path: str) -> Response:
        headers = {"Vary": "Accept", "Link": _links(self_path)}
        fmt = negotiate_request(request, offers)
        if isinstance(fmt, Response):
            return fmt
        try:
            desc = await read_description(endpoint)
        except PageError as exc:
            return _json_error(exc.status, exc.message, {**headers, **exc.headers})
        if not desc.loaded:
            headers["X-Kamergraph-Description"] = "not computed"
        if fmt == HTML:
            return dataset_page(request, iris, desc, headers)
        return _rdf_response(desc.triples, fmt, headers)

    @app.get("/.well-known/void", name="well_known_void", include_in_schema=False)
    async def well_known_void(request: Request) -> Response:
        """The VoID description (with DCAT and the service description): Turtle unless asked otherwise."""
        return await answer(request, [*_RDF_MEDIA, *_HTML_MEDIA], "/.well-known/void")

    @app.get("/dataset", name="dataset", include_in_schema=False)
    async def dataset(request: Request) -> Response:
        """The dataset page for browsers; the description as RDF by Accept or format=."""
        return await answer(request, [*_HTML_MEDIA, *_RDF_MEDIA], "/dataset")

    async def service_description(request: Request) -> Response:
        """GET /sparql without a query: the SPARQL 1.1 Service Description (and the dataset's description)."""
        return await answer(request, _RDF_MEDIA, "/sparql")

    app.state.service_description = service_description


def _links(self_path: str) -> str:
    parts = ['</dataset>; rel="alternate"; type="text/html"']
    for name, (media, _) in RDF_FORMATS.items():
        parts.append(f'<{self_path}?format={name}>; rel="alternate"; type="{media}"')
    parts.append('</.well-known/void>; rel="describedby"; type="text/turtle"')
    return ", ".join(parts)


# --------------------------------------------------------------------------- the page

@dataclass
class Row:
    label: str
    iri: str | None
    n: int | None


def _num(g: D.Graph, s: str, p: str) -> int | None:
    v = g.objects(s, p)
    try:
        return int(v[0].value) if v else None
    except ValueError:
        return None


def _lit(g: D.Graph, s: str, p: str, lang: str) -> str | None:
    return g.literal(s, p, lang)


def _size(n: int | None, lang: str) -> str:
    if n is None:
        return ""
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= div:
            text = f"{n / div:.1f}"
            return (text.replace(".", ",") if lang == "nl" else text) + f" {unit}"
    return f"{n} B"


def _figures(g: D.Graph, ds: str, iris: Iris, lang: str) -> list[tuple[str, int]]:
    """The dataset's counts that the description holds, labelled in ``lang`` (named graphs from the
    service's dataset)."""
    figures = [
        (tr(lang, "Triples (uitspraken)", "Triples (statements)"), _num(g, ds, VOID + "triples")),
        (tr(lang, "Benoemde grafen", "Named graphs"), None),
        (tr(lang, "Entiteiten (IRI's als subject)", "Entities (IRIs as subject)"), _num(g, ds, VOID + "entities")),
        (tr(lang, "Verschillende subjecten", "Distinct subjects"), _num(g, ds, VOID + "distinctSubjects")),
        (tr(lang, "Verschillende objecten", "Distinct objects"), _num(g, ds, VOID + "distinctObjects")),
        (tr(lang, "Klassen", "Classes"), _num(g, ds, VOID + "classes")),
        (tr(lang, "Eigenschappen", "Properties"), _num(g, ds, VOID + "properties")),
    ]
    svc_ds = service_iri(iris) + "/dataset"
    extent = g.iris(svc_ds, DCTERMS + "extent")
    graphs = _num(g, extent[0], RDF + "value") if extent else None
    figures[1] = (figures[1][0], graphs)
    return [(k, v) for k, v in figures if v is not None]


def _period(g: D.Graph, ds: str, lang: str) -> tuple[str | None, str | None, str | None]:
    """The first and last day of the period the records are complete for (``dcterms:temporal``), and what
    the description says of it in ``lang`` (the earlier, incomplete records), where the description says."""
    period = g.iris(ds, DCTERMS + "temporal")
    if not period:
        return None, None, None
    return (g.literal(period[0], DCAT + "startDate"), g.literal(period[0], DCAT + "endDate"),
            g.literal(period[0], RDFS + "comment", lang))


def _partitions(g: D.Graph, ds: str) -> tuple[list[Row], list[Row]]:
    """The class partitions (by entities) and the property partitions (by triples), largest first."""
    classes = sorted(
        (Row(c, c, _num(g, part, VOID + "entities"))
         for part in g.iris(ds, VOID + "classPartition") for c in g.iris(part, VOID + "class")),
        key=lambda r: (-(r.n or 0), r.iri or ""))
    properties = sorted(
        (Row(p, p, _num(g, part, VOID + "triples"))
         for part in g.iris(ds, VOID + "propertyPartition") for p in g.iris(part, VOID + "property")),
        key=lambda r: (-(r.n or 0), r.iri or ""))
    return classes, properties


def _linksets(g: D.Graph, ds: str) -> list[dict[str, Any]]:
    """The linksets to other datasets: target, its homepage and URI space, the link predicate, the count."""
    linksets = []
    for ls in g.iris(ds, VOID + "subset"):
        if VOID + "Linkset" not in g.types(ls):
            continue
        for target in g.iris(ls, VOID + "objectsTarget"):
            linksets.append({
                "target": g.literal(target, DCTERMS + "title") or target,
                "homepage": (g.iris(target, FOAF + "homepage") or [None])[0],
                "space": g.literal(target, VOID + "uriSpace"),
                "predicate": (g.iris(ls, VOID + "linkPredicate") or [""])[0],
                "n": _num(g, ls, VOID + "triples"),
            })
    linksets.sort(key=lambda x: (x["target"], -(x["n"] or 0)))
    return linksets


def _distributions(g: D.Graph, ds: str, iris: Iris, lang: str) -> list[dict[str, Any]]:
    """The dumps: title, download URL (a local path for our own), media type, size, triples, checksum, date."""
    dists = []
    for dist in sorted(g.iris(ds, DCAT + "distribution")):
        chk = (g.iris(dist, SPDX + "checksum") or [None])[0]
        media = (g.iris(dist, DCAT + "mediaType") or [""])[0]
        url = (g.iris(dist, DCAT + "downloadURL") or [""])[0]
        size = _num(g, dist, DCAT + "byteSize")
        dists.append({
            "title": g.literal(dist, DCTERMS + "title"),
            "url": url,
            "href": "/" + url[len(iris.base):] if url.startswith(iris.base) else url,
            "file": url.rsplit("/", 1)[-1],
            "media": media.rsplit("media-types/", 1)[-1],
            "gzip": bool(g.iris(dist, DCAT + "compressFormat")),
            "bytes": size,
            "size": _size(size, lang),
            "triples": _num(g, dist, VOID + "triples"),
            "sha256": g.literal(chk, SPDX + "checksumValue") if chk else None,
            "issued": g.literal(dist, DCTERMS + "issued"),
        })
    return dists


def _sources(g: D.Graph, ds: str) -> list[dict[str, Any]]:
    """The sources the dataset is made from: title, how it is read, licence and homepage."""
    sources = []
    for src in sorted(g.iris(ds, DCTERMS + "source")):
        sources.append({
            "title": g.literal(src, DCTERMS + "title"),
            "via": g.literal(src, RDFS + "comment"),
            "licence": (g.iris(src, DCTERMS + "license") or [None])[0],
            "licence_label": g.literal(src, DCTERMS + "rights"),
            "homepage": (g.iris(src, FOAF + "homepage") or [None])[0],
        })
    return sources


def page_context(iris: Iris, desc: Description, lang: str) -> dict[str, Any]:
    """What the page shows, read from the description graph."""
    g = D.Graph(desc.triples)
    ds = dataset_iri(iris)
    start, end, period_note = _period(g, ds, lang)
    classes, properties = _partitions(g, ds)
    svc = service_iri(iris)
    return {
        "iri": ds,
        "title": g.literal(ds, DCTERMS + "title", lang) or "kamergraph",
        "description": g.literal(ds, DCTERMS + "description", lang),
        "comment": g.literal(ds, RDFS + "comment", lang),
        "loaded": desc.loaded,
        "figures": _figures(g, ds, iris, lang),
        "start": start,
        "end": end,
        "period_note": period_note,
        "classes": classes,
        "properties": properties,
        "linksets": _linksets(g, ds),
        "distributions": _distributions(g, ds, iris, lang),
        "issued": g.literal(ds, DCTERMS + "issued"),
        "licence": (g.iris(ds, DCTERMS + "license") or [None])[0],
        "rights": g.literal(ds, DCTERMS + "rights"),
        "sources": _sources(g, ds),
        "attributions": len(g.iris(ds, PROV + "qualifiedAttribution")),
        "vocabularies": sorted(g.iris(ds, VOID + "vocabulary")),
        "uri_space": g.literal(ds, VOID + "uriSpace"),
        "endpoint": (g.iris(svc, SD + "endpoint") or [iris.base + "sparql"])[0],
        "graph": description_graph(iris),
        "formats": [(name, f"/dataset?format={name}", media) for name, (media, _) in RDF_FORMATS.items()],
    }


def dataset_page(request: Request, iris: Iris, desc: Description, headers: dict[str, str]) -> Response:
    lang = page_lang(request)
    ctx = page_context(iris, desc, lang)
    ctx.update({"lang": lang, "nav": "dataset"})
    return render(request, "dataset.html", ctx, 200, headers)
