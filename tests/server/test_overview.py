"""The overview's counts are the same in every process (no order that follows Python's string hash)."""

from __future__ import annotations

from server.overview import Case, Overview

FRACTIES = [f"https://kamergraph.nl/id/fractie/{name}" for name in
            ("vvd", "cda", "d66", "pvda", "sp", "groenlinks", "pvv", "christenunie", "sgp", "pvdd", "denk", "ja21")]


def test_equal_counts_in_a_list_s_bars_come_in_iri_order() -> None:
    ov = Overview()
    # one question asked by members of twelve fracties, another by a PvdA member only
    ov.cases = [Case(iri="https://kamergraph.nl/id/kamervraag/1", askers=[(f"p{i}", f, "indiener") for i, f in enumerate(FRACTIES)]),
                Case(iri="https://kamergraph.nl/id/kamervraag/2", askers=[("p3", FRACTIES[3], "indiener")])]
    ov.lists[("kabinet", "rutte-iii")] = [0, 1]
    top = ov.top("kabinet", "rutte-iii", "fractie", 20)
    # eleven ties: in set order (the string hash) they come sorted once in 11! runs
    assert top == [(FRACTIES[3], 2), *sorted((f, 1) for f in FRACTIES if f != FRACTIES[3])]
    assert ov.top("kabinet", "rutte-iii", "fractie", 3) == top[:3]
