"""Synthetic corpus for the fast validator: the founding case's Zaak graph copied n times.

Each copy gets its own Zaak number (2019Z00000 + i) and TK GUID; the reference graphs are loaded
once. ``bad_every`` makes every k-th copy invalid (a Zaak number with an X), so that a run can
check it finds exactly those.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

FIXTURE = Path(__file__).parent / "fixtures" / "valid" / "2019Z15231.trig"
ZAAK_GRAPH = "https://kamergraph.nl/graph/kamervraag/2019Z15231"
TK_ID = "fce4322a-bc32-4a16-88ed-14847ca93e84"


def _parts() -> tuple[str, list[ox.Quad]]:
    src = ox.Store()
    src.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    zaak = [q for q in src.quads_for_pattern(None, None, None, ox.NamedNode(ZAAK_GRAPH))]
    ref = [q for q in src if q.graph_name != ox.NamedNode(ZAAK_GRAPH)]
    text = ox.serialize(zaak, format=ox.RdfFormat.N_QUADS).decode()
    return text, ref


def synthetic_store(n: int, bad_every: int | None = None) -> tuple[ox.Store, list[str], set[str]]:
    """(store, Zaak graph names, focus IRIs of the copies made invalid)."""
    template, ref = _parts()
    chunks, graphs, bad = [], [], set()
    for i in range(n):
        nummer = f"2019Z{i:05d}"
        text = template.replace("2019Z15231", nummer).replace(TK_ID, f"{i:08x}{TK_ID[8:]}")
        if bad_every and i % bad_every == 0:
            text = text.replace(f'zaaknummer> "{nummer}"', f'zaaknummer> "{nummer.replace("Z", "X")}"', 1)
            bad.add(f"https://kamergraph.nl/id/kamervraag/{nummer}")
        chunks.append(text)
        graphs.append(f"https://kamergraph.nl/graph/kamervraag/{nummer}")
    store = ox.Store()
    store.bulk_load(input="".join(chunks).encode(), format=ox.RdfFormat.N_QUADS)
    store.extend(ref)
    store.optimize()
    return store, graphs, bad
