"""The shape of the index file: its version, the facet kinds and statuses, the FTS columns and
their weights, and the SQL that creates its tables (read by the builder and the reader alike)."""

from __future__ import annotations

#: Bumped whenever the index's tables or its text analysis change: an older index is rebuilt.
INDEX_VERSION = "6"  # 3: posts and ministries possibly addressed apart; 4: the names of askers and addressees;
#                        5: a member's other names (skos:altLabel), found but not shown; 6: common words ranked

KINDS = ("fractie", "lid", "post", "ministerie", "jaar", "status", "eu")
#: The kind in the IRI (``{base}id/{kind}/{key}``) of a facet's values, where it differs.
IRI_KINDS = {"lid": "persoon"}
STATUSES = ("beantwoord", "uitgesteld", "open")
STATUS_LABELS = {
    "beantwoord": ("beantwoord", "answered"),
    "uitgesteld": ("uitgesteld", "postponed"),
    "open": ("open", "open"),
}
#: The FTS columns: stemmed words of the subject and of the question and answer texts, the case
#: number, the names of who asked (and their fracties, and a member's other names) and who was addressed (posts,
#: holders, ministries), and the same texts' and names' words unstemmed (only for the prefix of a word being typed).
FTS_COLUMNS = ("subject", "body", "zaak", "subject_words", "body_words", "names", "names_words")
STEMMED = "subject body zaak names"
RAW = "subject_words body_words zaak names_words"
#: bm25 weights of those columns: the subject counts most.
WEIGHTS = (10.0, 1.0, 5.0, 4.0, 0.5, 6.0, 3.0)

EU_PREFIXES = ("http://data.europa.eu/eli/", "http://publications.europa.eu/resource/")

SCHEMA_SQL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE kv (
  id INTEGER PRIMARY KEY,        -- 1 = the newest
  iri TEXT NOT NULL UNIQUE,
  zaak TEXT NOT NULL,
  subject TEXT,
  date TEXT,
  year INTEGER,
  status TEXT NOT NULL,
  card TEXT NOT NULL             -- JSON: askers, addressees, eu (value ids and names)
);
CREATE TABLE value (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  iri TEXT,
  label_nl TEXT,
  label_en TEXT,
  short TEXT,
  alt TEXT,                      -- the other names it is found by (JSON), not shown: a member's name in the lists
  extra TEXT,                    -- a post: the value ids of its ministries (JSON)
  total INTEGER NOT NULL DEFAULT 0,
  UNIQUE (kind, key)
);
CREATE TABLE facet (value INTEGER NOT NULL, kv INTEGER NOT NULL, PRIMARY KEY (value, kv)) WITHOUT ROWID;
-- how many Kamervragen have both values: the facet counts of a list with one filter, read, not counted
CREATE TABLE cooc (a INTEGER NOT NULL, b INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE TABLE text (kv INTEGER NOT NULL, ord INTEGER NOT NULL, kind TEXT NOT NULL, nums TEXT NOT NULL,
                   body TEXT NOT NULL, PRIMARY KEY (kv, ord)) WITHOUT ROWID;
-- per one-word search matching many Kamervragen (its FTS5 expression), computed when the index is built
-- (server.search.frequent): all its matches in rank order (ids), its facet counts (value id, count pairs), both
-- as unsigned 32-bit little-endian integers, and its matches per month (JSON: [["YYYY-MM", n], ...])
CREATE TABLE ranked (expr TEXT PRIMARY KEY, n INTEGER NOT NULL, ids BLOB NOT NULL, counts BLOB NOT NULL,
                     months TEXT NOT NULL);
CREATE VIRTUAL TABLE fts USING fts5(subject, body, zaak, subject_words, body_words, names, names_words, content='',
                                    tokenize='unicode61 remove_diacritics 0');
"""
POST_INDEX_SQL = """
CREATE INDEX facet_kv ON facet (kv, value);
CREATE INDEX value_kind ON value (kind, total);
CREATE INDEX kv_date ON kv (date, id);
INSERT INTO fts(fts) VALUES ('optimize');
ANALYZE;
"""
