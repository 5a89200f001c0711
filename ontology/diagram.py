"""The class diagram of the ontology as SVG, drawn from the OWL file in plain Python.

Nodes are the kg classes (and the outside classes that are the domain or range of a kg object
property, such as ``eli:LegalResource``); arrows are the kg object properties from their domain to
their range (one arrow per pair of classes, naming every property between them) and the
``rdfs:subClassOf`` links between drawn classes (dashed, hollow head). Each class box also names its
outside superclasses.

The layout is a small layered (Sugiyama-style) drawing, deterministic for a given file:

1. cycles are broken by the greedy Eades–Lin–Smyth order (an arrow against the order is drawn
   reversed, its head at the other end), classes get layers by longest path, classes without any
   drawn arrow go to a last row of their own;
2. every arrow gets a *label slot* in the row just below its source's row and a thin *passage slot*
   in every further row it crosses, so that a label or a line never lies on a box or another label
   (boxes, labels and passages are placed side by side in their rows, never on top of each other);
3. the order within each row is improved by barycentre sweeps, down and up, each followed by swaps
   of neighbours that remove crossings (keeping the order with the fewest crossings), and the x positions by repeated least-squares placement under the no-overlap
   constraints (isotonic regression), pulling each slot towards its neighbours to straighten arrows.

Text widths are estimated from the character classes of DejaVu Sans (the font named first), with a margin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from ontology.namespaces import KG, OWL, RDFS
from ontology.vocabulary import Vocabulary

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
NAME_SIZE = 13
SMALL_SIZE = 11
LABEL_SIZE = 11
PAD_X = 10
LINE = 1.35  # line height, in font sizes
ROW_GAP = 40
NODE_GAP = 28
SLOT_GAP = 12
PASSAGE = 10
PORT_SPACING = 13  # px between arrow ends on a box's edge
MARGIN = 16
SKIPPED_RANGES = {RDFS + "Resource", OWL + "Thing", RDFS + "Literal"}

_NARROW = set("ijlI.,:;'|!ft()[] ")
_WIDE = set("mwMW@")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """An upper estimate of the width of ``text`` in DejaVu Sans at ``size`` px."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.36
        elif ch in _WIDE:
            em += 0.92
        elif ch.isupper() or ch.isdigit():
            em += 0.72
        else:
            em += 0.62
    return em * size * (1.1 if bold else 1.0)


@dataclass
class Slot:
    """A box, an arrow's label or an arrow's passage in one row."""

    id: str
    row: int
    width: float
    height: float
    kind: str  # node | label | passage
    lines: list[tuple[str, float, bool]] = field(default_factory=list)  # (text, size, bold)
    iri: str | None = None
    x: float = 0.0  # centre
    pos: float = 0.0  # order within the row (for the sweeps)


@dataclass
class Arrow:
    source: str  # IRI, in the drawn direction (top to bottom)
    target: str
    kind: str  # property | subclass
    names: list[str]
    reversed: bool = False
    chain: list[str] = field(default_factory=list)  # slot ids from source to target


def _node_lines(vocab: Vocabulary, iri: str) -> list[tuple[str, float, bool]]:
    term = vocab.get(iri)
    name = term.local if term is not None else vocab.curie(iri)
    lines = [(name, NAME_SIZE, True)]
    if term is not None:
        for sup in term.supers:
            if not sup.startswith(KG):
                lines.append(("⊑ " + vocab.curie(sup), SMALL_SIZE, False))
    return lines


def _box(lines: list[tuple[str, float, bool]], pad: float = PAD_X) -> tuple[float, float]:
    width = max(text_width(t, s, b) for t, s, b in lines) + 2 * pad
    height = sum(s * LINE for _, s, _ in lines) + 10
    return width, height


def _arrows(vocab: Vocabulary) -> tuple[list[str], list[Arrow]]:
    """The drawn classes (kg first, in the file's order) and the merged arrows between them."""
    nodes = [t.iri for t in vocab.classes]
    pairs: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for p in vocab.of_kind("object"):
        for d in p.domain:
            for r in p.range:
                if r in SKIPPED_RANGES or d in SKIPPED_RANGES:
                    continue
                for x in (d, r):
                    if x not in nodes:
                        nodes.append(x)
                pairs[(d, r, "property")].append(p.local)
    for c in vocab.classes:
        for sup in c.supers:
            if sup in nodes and sup != c.iri:
                pairs[(c.iri, sup, "subclass")].append("subClassOf")
    arrows = [Arrow(s, t, k, sorted(names, key=str.lower)) for (s, t, k), names in sorted(pairs.items())]
    return nodes, arrows


def _order(nodes: list[str], arrows: list[Arrow]) -> list[str]:
    """Greedy Eades–Lin–Smyth order: sinks to the end, sources to the front, else the largest out - in."""
    out: dict[str, set[str]] = defaultdict(set)
    inc: dict[str, set[str]] = defaultdict(set)
    for a in arrows:
        if a.source != a.target:
            out[a.source].add(a.target)
            inc[a.target].add(a.source)
    left: list[str] = []
    right: list[str] = []
    rest = list(nodes)
    while rest:
        changed = True
        while changed:
            changed = False
            for v in [v for v in rest if not (out[v] & set(rest))]:
                rest.remove(v)
                right.insert(0, v)
                changed = True
            for v in [v for v in rest if not (inc[v] & set(rest))]:
                rest.remove(v)
                left.append(v)
                changed = True
        if rest:
            live = set(rest)
            v = max(rest, key=lambda n: (len(out[n] & live) - len(inc[n] & live), len(out[n]) - len(inc[n]),
                                         -rest.index(n)))
            rest.remove(v)
            left.append(v)
    return left + right


def _crossings(rows: list[list[Slot]], links: dict[str, list[str]], r: int) -> int:
    """Crossings between row ``r`` and row ``r + 1``."""
    pos = {s.id: i for i, s in enumerate(rows[r + 1])}
    segs = [(i, pos[b]) for i, s in enumerate(rows[r]) for b in links[s.id] if b in pos]
    n = 0
    for i in range(len(segs)):
        for j in range(i + 1, len(segs)):
            (a1, b1), (a2, b2) = segs[i], segs[j]
            if (a1 - a2) * (b1 - b2) < 0:
                n += 1
    return n


def _isotonic(values: list[float]) -> list[float]:
    """The nondecreasing sequence nearest to ``values`` in least squares (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [sum, count]
    for v in values:
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    out: list[float] = []
    for s, c in blocks:
        out += [s / c] * int(c)
    return out


def _gap(a: Slot, b: Slot) -> float:
    return NODE_GAP if a.kind == "node" and b.kind == "node" else SLOT_GAP


def _place(row: list[Slot], desired: list[float]) -> None:
    """x of each slot nearest to ``desired`` with the slots in order and not overlapping."""
    offsets = [0.0]
    for a, b in zip(row, row[1:]):
        offsets.append(offsets[-1] + (a.width + b.width) / 2 + _gap(a, b))
    ys = _isotonic([d - o for d, o in zip(desired, offsets)])
    for s, y, o in zip(row, ys, offsets):
        s.x = y + o


def layout(vocab: Vocabulary) -> tuple[list[list[Slot]], list[Arrow], dict[str, Slot]]:
    """The diagram laid out: rows of slots (class boxes on even rows, arrow labels and passages between),
    the arrows with the chain of slots each passes, and the slots by id."""
    nodes, arrows = _arrows(vocab)
    order = _order(nodes, arrows)
    layer, connected = _layers(order, arrows)
    rows, slots, links, uplinks = _slots(vocab, order, arrows, layer)
    rows = _order_rows(rows, slots, links, uplinks)
    _place_rows(rows, slots, links, uplinks, unconnected=any(v not in connected for v in order))
    return rows, arrows, slots


def _layers(order: list[str], arrows: list[Arrow]) -> tuple[dict[str, int], set[str]]:
    """The layer of each class: arrows are turned to point down the order (marked ``reversed``), each class
    one layer below the lowest class pointing at it; classes without arrows go in a last layer of their own.
    Also the set of classes with arrows."""
    rank = {v: i for i, v in enumerate(order)}
    for a in arrows:
        if rank[a.source] > rank[a.target]:
            a.source, a.target, a.reversed = a.target, a.source, True
    connected = {a.source for a in arrows} | {a.target for a in arrows}
    layer: dict[str, int] = {}
    for v in order:
        if v in connected:
            layer[v] = max([layer[a.source] + 1 for a in arrows if a.target == v and a.source in layer], default=0)
    last = max(layer.values(), default=-1) + 1
    for v in order:
        if v not in connected:
            layer[v] = last
    return layer, connected


def _slots(vocab: Vocabulary, order: list[str], arrows: list[Arrow], layer: dict[str, int]
           ) -> tuple[list[list[Slot]], dict[str, Slot], dict[str, list[str]], dict[str, list[str]]]:
    """The slots of each row: a box per class (wide enough for its arrows' ends), and per arrow its label
    in the row below its source and a passage in each further row it crosses; also, per slot, the slots it
    links to in the next row and from in the row above (each arrow's ``chain``)."""
    n_rows = 2 * max(layer.values(), default=0) + 1
    rows: list[list[Slot]] = [[] for _ in range(n_rows)]
    slots: dict[str, Slot] = {}

    def add(slot: Slot) -> Slot:
        rows[slot.row].append(slot)
        slots[slot.id] = slot
        return slot

    ends: dict[str, int] = defaultdict(int)
    for a in arrows:
        ends[a.source + " out"] += 1
        ends[a.target + " in"] += 1
    for v in order:
        lines = _node_lines(vocab, v)
        w, h = _box(lines)
        ports = max(ends[v + " out"], ends[v + " in"])
        w = max(w, (ports + 1) * PORT_SPACING / 0.7)  # room for every arrow's end
        add(Slot("n:" + v, 2 * layer[v], w, h, "node", lines, iri=v))
    links: dict[str, list[str]] = defaultdict(list)  # slot id -> slot ids in the next row
    uplinks: dict[str, list[str]] = defaultdict(list)
    for i, a in enumerate(arrows):
        chain = ["n:" + a.source]
        top, bottom = 2 * layer[a.source], 2 * layer[a.target]
        for r in range(top + 1, bottom):
            if r == top + 1:
                lines = [(name, LABEL_SIZE, False) for name in a.names]
                w, h = _box(lines, pad=4)
                add(Slot(f"l:{i}", r, w, h - 6, "label", lines))
                chain.append(f"l:{i}")
            else:
                add(Slot(f"p:{i}:{r}", r, PASSAGE, 0, "passage"))
                chain.append(f"p:{i}:{r}")
        chain.append("n:" + a.target)
        a.chain = chain
        for x, y in zip(chain, chain[1:]):
            links[x].append(y)
            uplinks[y].append(x)
    return rows, slots, links, uplinks


def _order_rows(rows: list[list[Slot]], slots: dict[str, Slot], links: dict[str, list[str]],
                uplinks: dict[str, list[str]]) -> list[list[Slot]]:
    """The order within rows with the fewest crossings found: barycentre sweeps down and up, each followed
    by swapping neighbours while that removes crossings, twelve rounds, keeping the best (``pos`` set)."""
    for row in rows:
        for i, s in enumerate(row):
            s.pos = i

    def total() -> int:
        return sum(_crossings(rows, links, r) for r in range(len(rows) - 1))

    def local(r: int) -> int:
        """Crossings on both sides of row ``r``."""
        return (_crossings(rows, links, r - 1) if r > 0 else 0) + \
            (_crossings(rows, links, r) if r < len(rows) - 1 else 0)

    best = (total(), [list(r) for r in rows])
    sweeps = [(r, uplinks) for r in range(1, len(rows))] + [(r, links) for r in range(len(rows) - 2, -1, -1)]
    for _ in range(12):
        for r, nb in sweeps:  # down: by the row above; up: by the row below
            other = links if nb is uplinks else uplinks
            for s in rows[r]:
                ps = [slots[n].pos for n in nb[s.id]] or [slots[n].pos for n in other[s.id]]
                s.pos = sum(ps) / len(ps) if ps else s.pos
            rows[r].sort(key=lambda s: s.pos)
            for i, s in enumerate(rows[r]):
                s.pos = i
        improved = True
        while improved:  # transpose: swap neighbours while that removes crossings
            improved = False
            for r in range(len(rows)):
                for i in range(len(rows[r]) - 1):
                    before = local(r)
                    rows[r][i], rows[r][i + 1] = rows[r][i + 1], rows[r][i]
                    if local(r) < before:
                        improved = True
                    else:
                        rows[r][i], rows[r][i + 1] = rows[r][i + 1], rows[r][i]
            for row in rows:
                for i, s in enumerate(row):
                    s.pos = i
        c = total()
        if c < best[0]:
            best = (c, [list(r) for r in rows])
    rows = best[1]
    for row in rows:
        for i, s in enumerate(row):
            s.pos = i
    return rows


def _place_rows(rows: list[list[Slot]], slots: dict[str, Slot], links: dict[str, list[str]],
                uplinks: dict[str, list[str]], unconnected: bool) -> None:
    """The x positions: compact first, then each slot pulled towards its neighbours (40 sweeps down and
    up); the last row, of the classes without arrows (``unconnected``), from the left edge."""
    for row in rows:
        _place(row, [0.0] * len(row))
    for _ in range(40):
        for r in list(range(len(rows))) + list(range(len(rows) - 1, -1, -1)):
            desired = []
            for s in rows[r]:
                ns = [slots[n].x for n in links[s.id] + uplinks[s.id]]
                desired.append(sum(ns) / len(ns) if ns else s.x)
            _place(rows[r], desired)
    if unconnected:  # the row of classes without arrows: from the left edge
        start = min(s.x - s.width / 2 for row in rows[:-1] for s in row) if len(rows) > 1 else 0.0
        _place(rows[-1], [start + sum(s.width + NODE_GAP for s in rows[-1][:i]) + rows[-1][i].width / 2
                          for i in range(len(rows[-1]))])


#: (row top, slot top, slot bottom, row bottom) of a slot.
Band = Callable[[Slot], tuple[float, float, float, float]]


def diagram_svg(vocab: Vocabulary, title: str = "kamergraph", href: Callable[[str], str | None] | None = None,
                describe: Callable[[str], str] | None = None) -> str:
    """The class diagram as an SVG document (no XML declaration, so it can be put inline in HTML too).

    ``href(iri)``: where a class box links to (None: no link); ``describe(iri)``: its tooltip.
    """
    rows, arrows, slots = layout(vocab)
    heights = [max((s.height for s in row), default=0) for row in rows]
    y_top: list[float] = []
    y = MARGIN + 24
    for h in heights:
        y_top.append(y)
        y += h + ROW_GAP
    height = y - ROW_GAP + MARGIN
    left = min((s.x - s.width / 2 for s in slots.values()), default=0)
    shift = MARGIN - left
    for s in slots.values():
        s.x += shift
    width = max((s.x + s.width / 2 for s in slots.values()), default=0) + MARGIN
    width = max(width, text_width(title, 14, True) + 2 * MARGIN)

    def band(s: Slot) -> tuple[float, float, float, float]:
        """(row top, slot top, slot bottom, row bottom)"""
        top = y_top[s.row]
        h = heights[s.row]
        st = top + (h - s.height) / 2
        return top, st, st + s.height, top + h

    port = _ports(arrows, slots)
    out = _svg_head(width, height, title)
    # arrows first, so that labels and boxes lie on top of them
    for a in arrows:
        out.append(_edge_svg(a, slots, port, band))
    for row in rows:
        for s in row:
            if s.kind == "label":
                out += _label_svg(s, band)
            elif s.kind == "node":
                out += _node_svg(s, band, href, describe)
    out.append("</svg>")
    return "\n".join(out)


def _ports(arrows: list[Arrow], slots: dict[str, Slot]) -> dict[tuple[int, str], float]:
    """Where each arrow leaves its source's bottom and enters its target's top (by ``(id(arrow), "out"|"in")``):
    spread along the box's width in the order of the slots the arrows come from or go to."""
    out_ports: dict[str, list[Arrow]] = defaultdict(list)
    in_ports: dict[str, list[Arrow]] = defaultdict(list)
    for a in arrows:
        out_ports[a.chain[0]].append(a)
        in_ports[a.chain[-1]].append(a)
    port: dict[tuple[int, str], float] = {}
    for sid, lst in out_ports.items():
        lst.sort(key=lambda a: slots[a.chain[1]].x)
        s = slots[sid]
        for i, a in enumerate(lst):
            port[(id(a), "out")] = s.x - s.width * 0.35 + s.width * 0.7 * (i + 1) / (len(lst) + 1)
    for sid, lst in in_ports.items():
        lst.sort(key=lambda a: slots[a.chain[-2]].x)
        s = slots[sid]
        for i, a in enumerate(lst):
            port[(id(a), "in")] = s.x - s.width * 0.35 + s.width * 0.7 * (i + 1) / (len(lst) + 1)
    return port


def _svg_head(width: float, height: float, title: str) -> list[str]:
    """The ``<svg>`` element's opening, its title, the arrow markers, the background and the heading."""
    out: list[str] = []
    w = f"{width:.0f}"
    h = f"{height:.0f}"
    out.append(f'<svg xmlns="http://www.w3.org/2000/svg" class="kg-diagram" viewBox="0 0 {w} {h}" width="{w}" '
               f'height="{h}" role="img" aria-labelledby="kgd-title" font-family={quoteattr(FONT)}>')
    out.append(f'<title id="kgd-title">{escape(title)}</title>')
    out.append('<defs>'
               '<marker id="kgd-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
               'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#33475b"/></marker>'
               '<marker id="kgd-sub" viewBox="0 0 12 12" refX="12" refY="6" markerWidth="11" markerHeight="11" '
               'orient="auto-start-reverse"><path d="M0,0 L12,6 L0,12 z" fill="#fff" stroke="#33475b"/></marker>'
               '</defs>')
    out.append(f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>')
    out.append(f'<text x="{MARGIN}" y="{MARGIN + 10}" font-size="14" font-weight="bold" fill="#14314f">'
               f'{escape(title)}</text>')
    return out


def _edge_svg(a: Arrow, slots: dict[str, Slot], port: dict[tuple[int, str], float], band: Band) -> str:
    """An arrow's path: down from its source's port, through its label and passages, into its target's port."""
    d = []
    first, last = slots[a.chain[0]], slots[a.chain[-1]]
    x0 = port[(id(a), "out")]
    _, _, b0, rb0 = band(first)
    d.append(f"M{x0:.1f},{b0:.1f} L{x0:.1f},{rb0:.1f}")
    cx, cy = x0, rb0
    for sid in a.chain[1:-1]:
        s = slots[sid]
        rt, _, _, rb = band(s)
        d.append(_curve(cx, cy, s.x, rt) + f" L{s.x:.1f},{rb:.1f}")
        cx, cy = s.x, rb
    x1 = port[(id(a), "in")]
    rt, t1, _, _ = band(last)
    d.append(_curve(cx, cy, x1, rt) + f" L{x1:.1f},{t1:.1f}")
    marker = "kgd-sub" if a.kind == "subclass" else "kgd-arrow"
    attrs = f'marker-start="url(#{marker})"' if a.reversed else f'marker-end="url(#{marker})"'
    dash = ' stroke-dasharray="5 3"' if a.kind == "subclass" else ""
    names = ", ".join(a.names)
    return (f'<path class="edge" d="{" ".join(d)}" fill="none" stroke="#33475b" stroke-width="1.3"{dash} '
            f'{attrs}><title>{escape(names)}</title></path>')


def _label_svg(s: Slot, band: Band) -> list[str]:
    """An arrow's label: its property names in a small box."""
    out: list[str] = []
    _, top, bottom, _ = band(s)
    out.append(f'<g class="edge-label"><rect x="{s.x - s.width / 2:.1f}" y="{top:.1f}" '
               f'width="{s.width:.1f}" height="{s.height:.1f}" rx="3" fill="#fff" stroke="#c9d1d9"/>')
    ty = top + 3
    for text, size, _bold in s.lines:
        ty += size * LINE * 0.85
        out.append(f'<text x="{s.x:.1f}" y="{ty:.1f}" font-size="{size}" text-anchor="middle" '
                   f'fill="#1b1f24">{escape(text)}</text>')
        ty += size * LINE * 0.15
    out.append("</g>")
    return out


def _node_svg(s: Slot, band: Band, href: Callable[[str], str | None] | None,
              describe: Callable[[str], str] | None) -> list[str]:
    """A class box with its lines, a tooltip and a link; an outside class (not kg:) grey and dashed."""
    assert s.iri is not None
    out: list[str] = []
    _, top, bottom, _ = band(s)
    outside = not s.iri.startswith(KG)
    link = href(s.iri) if href else None
    tip = describe(s.iri) if describe else s.iri
    out.append(f'<g class="node" data-iri={quoteattr(s.iri)}>')
    if link:
        out.append(f'<a href={quoteattr(link)}>')
    out.append(f"<title>{escape(tip)}</title>")
    fill, stroke = ("#f4f6f8", "#8794a1") if outside else ("#eef4fb", "#0b57a4")
    dash = ' stroke-dasharray="4 3"' if outside else ""
    out.append(f'<rect x="{s.x - s.width / 2:.1f}" y="{top:.1f}" width="{s.width:.1f}" '
               f'height="{s.height:.1f}" rx="5" fill="{fill}" stroke="{stroke}" stroke-width="1.4"{dash}/>')
    ty = top + 5
    for text, size, bold in s.lines:
        ty += size * LINE * 0.8
        weight = ' font-weight="bold"' if bold else ""
        colour = "#14314f" if bold else "#4a5560"
        out.append(f'<text x="{s.x:.1f}" y="{ty:.1f}" font-size="{size}"{weight} text-anchor="middle" '
                   f'fill="{colour}">{escape(text)}</text>')
        ty += size * LINE * 0.2
    if link:
        out.append("</a>")
    out.append("</g>")
    return out


def _curve(x0: float, y0: float, x1: float, y1: float) -> str:
    dy = (y1 - y0) / 2
    return f" C{x0:.1f},{y0 + dy:.1f} {x1:.1f},{y1 - dy:.1f} {x1:.1f},{y1:.1f}"


__all__ = ["diagram_svg", "layout", "text_width"]
