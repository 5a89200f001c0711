"""The one settings object: environment variables with the ``KAMERGRAPH_`` prefix.

Every setting has a default and a help text (shown by ``kamergraph settings``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAMERGRAPH_", extra="ignore")

    store: str = Field(
        default="var/store",
        description="Where the graph lives: a directory for the embedded Oxigraph store "
        "(created if missing), or later an http(s):// SPARQL endpoint.",
    )
    base: str = Field(
        default="https://kamergraph.nl/",
        description="Base of the data IRIs: resources are {base}id/{kind}/{key}, "
        "named graphs {base}graph/{kind}/{key}. Must end with '/'.",
    )
    data_dir: Path = Field(
        default=REPO_ROOT / "data",
        description="The bundled data folder (OData cases, reference lists, publication ids).",
    )
    report: Path = Field(
        default=Path("var/build-report.json"),
        description="Where `kamergraph build` writes its machine-readable run report (JSON).",
    )
    query_timeout: float = Field(
        default=10.0,
        description="Time limit of one query in seconds; the query's worker is stopped at the deadline.",
    )
    query_row_limit: int = Field(
        default=10_000,
        description="Most rows a query returns; more are cut off and the result is flagged truncated.",
    )
    max_body_bytes: int = Field(
        default=1_000_000,
        description="Largest request body the server accepts, in bytes.",
    )
    validate_batch: int = Field(
        default=50_000,
        description="How many record graphs the build validates together in one batch.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
