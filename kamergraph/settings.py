"""The one settings object: environment variables with the ``KAMERGRAPH_`` prefix.

Every setting has a default and a help text (shown by ``kamergraph settings``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAMERGRAPH_", extra="ignore")

    store: str = Field(
        default="var/store",
        description="Where the graph lives: a directory for the embedded Oxigraph store "
        "(created if missing), or the http(s):// URL of a SPARQL endpoint (Oxigraph server "
        "…/query, Virtuoso …/sparql, any SPARQL 1.1 server) that holds the {base}graph/… graphs.",
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
        description="Time limit of one query in seconds; the query's worker is stopped at the deadline "
        "(on a remote store the request is given up, and Virtuoso is told the limit too).",
    )
    query_row_limit: int = Field(
        default=10_000,
        description="Most rows a query returns; more are cut off and the result is flagged truncated.",
    )
    max_body_bytes: int = Field(
        default=1_000_000,
        description="Largest request body the server accepts, in bytes.",
    )
    host: str = Field(
        default="127.0.0.1",
        description="Address `kamergraph serve` listens on (0.0.0.0 for every interface).",
    )
    port: int = Field(
        default=8000,
        description="Port `kamergraph serve` listens on.",
    )
    allowed_services: list[str] = Field(
        default_factory=list,
        description="SPARQL endpoints a query may call with SERVICE (a JSON list of IRIs); "
        "empty: every SERVICE is refused.",
    )
    query_workers: int = Field(
        default=4,
        description="Query worker processes the server keeps ready; each runs one query at a time, "
        "so this many queries run at once and a slow one never blocks the others.",
    )
    query_memory_mb: int = Field(
        default=1024,
        ge=64,
        description="Megabytes of memory one query worker may use for a query beyond what it holds idle; "
        "a query past it is stopped and answered with an error (503) naming the limit.",
    )
    pool_memory_mb: int = Field(
        default=3072,
        ge=64,
        description="Megabytes all query workers together may use for queries; when running queries pass "
        "it, the largest is stopped (503). Bounds the server's memory under any mix of queries.",
    )
    long_query_after: float = Field(
        default=1.0,
        gt=0,
        description="Seconds after which a running query counts as long: its worker runs at the lowest "
        "CPU priority and no longer takes a place from short queries (a fresh worker is started).",
    )
    max_long_queries: int = Field(
        default=4,
        ge=1,
        description="Most long queries (see long_query_after) that run at once; one more is stopped with "
        "503, so that slow queries cannot take every worker from point queries and pages.",
    )
    max_answer_bytes: int = Field(
        default=64_000_000,
        ge=1_000,
        description="Largest answer body a query may produce, in bytes (a single huge value counts too): "
        "a larger answer is cut at the last whole row and flagged truncated.",
    )
    max_text_bytes: int = Field(
        default=2_000_000,
        ge=1_000,
        description="Largest published text (.txt, or the text of a .docx) `kamergraph ingest` reads; a "
        "larger file is refused with an error naming it.",
    )
    max_docx_unpacked_bytes: int = Field(
        default=50_000_000,
        ge=100_000,
        description="Most bytes the parts of a .docx may unpack to; a larger (or zip-bomb) file is "
        "refused before it is unpacked.",
    )
    result_cache_mb: int = Field(
        default=256,
        description="Megabytes the server keeps for repeated queries on the embedded store: the answers and "
        "everything their keys hold (query texts, bindings); every write to the store (a build, an ingest) "
        "empties it. 0 turns it off.",
    )
    dumps_dir: Path = Field(
        default=Path("var/dumps"),
        description="The dump release folder: the dump files and their manifest.json, downloadable at "
        "{base}dumps/{file} and listed as distributions in the dataset description (VoID/DCAT).",
    )
    tk_odata_url: str = Field(
        default="https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0/",
        description="The Tweede Kamer open-data OData v4 API that `kamergraph sync` reads the changes from.",
    )
    tk_syncfeed_url: str = Field(
        default="https://gegevensmagazijn.tweedekamer.nl/SyncFeed/2.0/",
        description="The Tweede Kamer SyncFeed (Atom) that `kamergraph sync --source syncfeed` reads ({url}Feed?category=…).",
    )
    ob_url: str = Field(
        default="https://zoek.officielebekendmakingen.nl/",
        description="Where `kamergraph sync` fetches the publication texts: {url}{id}.xml, else {url}{id}.pdf.",
    )
    sync_source: Literal["odata", "syncfeed"] = Field(
        default="odata",
        description="What `kamergraph sync` reads: the OData v4 API (since the last GewijzigdOp) or the SyncFeed "
        "(from the last skiptoken).",
    )
    sync_state: Path | None = Field(
        default=None,
        description="The sync state file (cursors); beside it, a folder of the same name without .json holds the "
        "records mirror and the fetched texts. Default: {store}.sync.json (required for a remote store).",
    )
    sync_report: Path = Field(
        default=Path("var/sync-report.json"),
        description="Where `kamergraph sync` writes its run report (every fetched record and its fate, JSON).",
    )
    sync_page_size: int = Field(default=250, ge=1, description="Entities per OData page `kamergraph sync` asks for ($top).")
    sync_rate: float = Field(
        default=4.0,
        ge=0,
        description="Most requests per second `kamergraph sync` sends upstream (0: no limit).",
    )
    sync_retries: int = Field(
        default=6,
        ge=0,
        description="How often `kamergraph sync` retries a request after a 429, a 5xx or a dropped connection.",
    )
    sync_backoff: float = Field(
        default=1.0,
        ge=0,
        description="Seconds `kamergraph sync` waits before its first retry (doubling each time) when the answer "
        "has no Retry-After.",
    )
    sync_backoff_max: float = Field(default=60.0, ge=0, description="Longest wait between two retries, in seconds.")
    sync_timeout: float = Field(default=60.0, gt=0, description="Time limit of one upstream request, in seconds.")
    validate_batch: int = Field(
        default=50_000,
        description="How many record graphs the build validates together in one batch.",
    )
    update_endpoint: str = Field(
        default="",
        description="Remote store: where SPARQL Update requests go. Empty: derived from the store URL "
        "(Oxigraph …/query -> …/update; Virtuoso …/sparql with a store user -> …/sparql-auth; "
        "otherwise the store URL itself).",
    )
    gsp_endpoint: str = Field(
        default="auto",
        description="Remote store: the SPARQL Graph Store Protocol endpoint graphs are loaded through. "
        "'auto': derived (Oxigraph …/query -> …/store; Virtuoso …/sparql -> …/sparql-graph-crud-auth "
        "with a store user, …/sparql-graph-crud without); empty: load with SPARQL Update "
        "(INSERT DATA in chunks of 500 statements).",
    )
    store_user: str = Field(
        default="",
        description="Remote store: user name for updates and Graph Store requests (and queries, if the "
        "endpoint asks); empty: no credentials are sent.",
    )
    store_password: SecretStr = Field(
        default=SecretStr(""),
        description="Remote store: the store user's password (never printed).",
    )
    store_auth: Literal["digest", "basic"] = Field(
        default="digest",
        description="Remote store: HTTP authentication for the store user: digest (Virtuoso's "
        "…-auth endpoints) or basic.",
    )
    store_timeout: float = Field(
        default=300.0,
        description="Remote store: seconds one HTTP request may take for loads, dumps, counts and "
        "other requests without a query time limit.",
    )
    store_dialect: Literal["auto", "oxigraph", "virtuoso", "generic"] = Field(
        default="auto",
        description="Remote store: which server is behind the URL; 'auto' reads its Server header. "
        "Decides the union default graph (Oxigraph's union-default-graph parameter, Virtuoso's "
        "exclusion of its own graphs), paging and the result formats asked for.",
    )
    export_gzip_level: int = Field(
        default=6,
        ge=1,
        le=9,
        description="gzip level (1 fastest … 9 smallest) of `kamergraph dumps` and `kamergraph export --gzip`.",
    )
    export_workers: int = Field(
        default=0,
        ge=0,
        description="Threads that write and compress N-Quads and N-Triples graph by graph in `kamergraph "
        "export` and `kamergraph dumps` (0: one per CPU).",
    )
    export_sort_buffer_mb: int = Field(
        default=32,
        ge=1,
        description="Megabytes of N-Triples lines an export sorts in memory at a time (N-Triples, Turtle and "
        "RDF/XML hold each distinct triple once: longer exports are sorted in runs on disk and merged).",
    )
    dumps_keep: int = Field(
        default=2,
        ge=1,
        description="How many dump releases `kamergraph dumps` keeps (the newest is served; downloads "
        "still running from an older one finish).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
