"""The search ranking (``docs/_ext/search.py``, ``docs/_ext/searchrank.js``) without a browser.

``searchrank.js`` replaces ``Search._performSearch`` of Sphinx's ``searchtools.js`` and runs
inside ``language_data.js`` as ``html_search_scorer``; these tests fail when the installed
Sphinx no longer has what it replaces or relies on, so the workaround is looked at again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import sphinx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import search  # noqa: E402  (docs/_ext/search.py)

STATIC = Path(sphinx.__file__).parent / "themes" / "basic" / "static"
SEARCHTOOLS = (STATIC / "searchtools.js").read_text(encoding="utf-8")
SCORER = search.SCORER.read_text(encoding="utf-8")


def test_sphinx_still_has_what_searchrank_replaces() -> None:
    signature = re.compile(
        r"_performSearch: \(\s*query,\s*searchTerms,\s*excludedTerms,\s*highlightTerms,"
        r"\s*objectTerms,?\s*\) =>"
    )
    assert signature.search(SEARCHTOOLS), "Search._performSearch changed its arguments"
    # query() shows what _performSearch returns, last first (pop), with these fields
    assert "_displayNextItem(results, results.length, searchTerms, highlightTerms)" in SEARCHTOOLS
    assert "const [docName, title, anchor, descr, score, _filename, kind] =" in SEARCHTOOLS
    for name in ("performObjectSearch: (", "_removeChildren", "class SearchResultKind"):
        assert name in SEARCHTOOLS, name


def test_the_scorer_runs_where_search_and_stemmer_exist() -> None:
    """html_search_scorer's code goes into language_data.js after the stop words and stemmer."""
    template = next(STATIC.glob("language_data.js*")).read_text(encoding="utf-8")
    assert template.index("search_language_stemming_code") < template.index("search_scorer_tool")
    assert template.index("stopwords") < template.index("search_scorer_tool")
    for name in ("Search._performSearch", "new Stemmer()", "stopwords.has", "Search._index"):
        assert name in SCORER, name


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("output[:, -1, :] vs h_n[-1]", ["[:,-1]", "[-1]", "output", "vs", "h_n"]),
        ("Expected input to be 2-D or 3-D", ["expect", "input", "2d", "3d"]),
        ("input must have 3 dimensions, got 4", ["input", "must", "3d", "got"]),
        ("batch_first=True", ["batch_first", "batch", "first", "true"]),
        ("tensor([[0.25, -1.5]])", ["tensor"]),
        ("Why doesn't it work, please help", ["work"]),
        ("layer0_forward l1", ["layer0_forward", "layer0", "forward", "layer", "l1"]),
        ("h0 float32 layer１", ["h0", "float32", "float", "layer１"]),  # ASCII digits number
        ("size (1, 64, 256), got (64, 256)", ["size", "got"]),  # a page's shapes are numbers
        (
            "hidden_size = 0, dropout=0.5 lr=1.5e-3 x=1.5.3",
            [
                "hidden_size=0",
                "dropout=0.5",
                "lr=1.5e-3",
                "hidden_s",
                "hidden",
                "size",
                "dropout",
                "lr",
                "5e",
            ],
        ),
    ],
)
def test_tokens(text: str, words: list[str]) -> None:
    assert search.tokens(text) == words


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ("Expected hidden size (2, 3, 5), got [1, 3, 5]", ["3d:0"]),  # layers
        ("Expected hidden[0] size (1, 32, 256), got [1, 8, 256]", ["3d:1"]),  # batch
        ("Expected hidden size (2, 3, 5), got [3, 2, 5]", ["3d:01"]),  # batch-major
        ("Expected hidden size (1, 4, 256), got (4, 256)", []),  # axes: "3d", "2d" in a query
        ("[torch.FloatTensor [3, 5]] is at version 1", []),
    ],
)
def test_where_two_shapes_differ_is_a_word(message: str, where: list[str]) -> None:
    """(Each captured message on its own: see test_messages_pair_no_shapes_across_them.)"""
    assert search.mismatches(message) == where
    assert search.tokens(message, messages=True)[: len(where)] == where
    assert search.tokens(message, query=True)[: len(where)] == where
    assert not set(where) & set(search.tokens(message))  # not in prose or code


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("Expected hidden[0] size (1, 64, 256), got (64, 256)",
         ["[0]", "expect", "hidden", "size", "3d", "got", "2d"]),
        ("input torch.Size([64, 256]) x[0, 1]", ["[0,1]", "input", "torch", "size", "2d"]),
        ("got [3, 5] for (3, 5, 4,)", ["got", "2d", "3d"]),
        ("hidden_size = 0", ["hidden_size=0", "zero", "hidden_s", "hidden", "size"]),  # "= 0"
        # shapes that agree in their axes differ in sizes: where they differ is the word
        ("Expected hidden size (1, 32, 256), got [1, 8, 256]",
         ["3d:1", "expect", "hidden", "size", "got"]),
    ],
)  # fmt: skip
def test_a_querys_shapes_are_their_axes(query: str, words: list[str]) -> None:
    assert search.tokens(query, query=True) == words


def test_synonyms_and_question_words_are_words_of_the_index() -> None:
    """Every synonym's phrase becomes words (none lost to stop words), and no question word is a
    word the site's subject needs."""
    for phrase, alternatives in (search.SYNONYMS | search.SAME).items():
        assert search.tokens(phrase), phrase
        assert all(search.tokens(a) for a in alternatives), phrase
    assert not search.SYNONYMS.keys() & search.SAME.keys()
    assert not search.QUESTION_WORDS & {"output", "state", "hidden", "batch", "step", "last"}


def test_priors() -> None:
    assert search.prior("troubleshooting/pack-zero-length") == 1.0
    assert search.prior("reference/claims") < 1.0
    assert search.prior("how-to/index") < 1.0
    assert search.prior("auto_examples/plot_01_output_vs_h_n") < 1.0


def test_python_stems_as_the_browser_does() -> None:
    """The Python stemmer is built from the same Snowball release as the one Sphinx ships to the
    browser (they differ between releases: 3.1 keeps "internal", 3.0 makes it "intern")."""
    import snowballstemmer

    header = re.compile(r"Generated from english\.sbl by Snowball ([\d.]+)")
    js = Path(sphinx.__file__).parent / "search" / "non-minified-js" / "english-stemmer.js"
    py = Path(snowballstemmer.__file__).parent / "english_stemmer.py"
    versions = [header.search(p.read_text(encoding="utf-8")) for p in (js, py)]
    assert all(versions), "a stemmer without its Snowball header"
    assert versions[0][1] == versions[1][1], [v[1] for v in versions if v]


def test_synonym_keys_stem_to_themselves() -> None:
    """A one-word key that stems to a word of the site's subject would fire on every question
    about it ("stateful" is "state"): each key's stem is its own."""
    core = {search.tokens(w)[0] for w in ("state", "output", "hidden", "step", "layer", "batch")}
    for key in search.SYNONYMS | search.SAME:
        words = search.tokens(key)
        if len(words) == 1 and key != "hidden":  # "hidden" is meant: a hidden state is h_n
            assert words[0] not in core, key


def test_a_heading_many_pages_share_is_not_a_heading() -> None:
    """ "The fix" on every troubleshooting page names a part of a page: a query with "fix" in it
    ("_fix_enc_hidden") must not rank those sections as if their heading were its subject."""

    def unit(heading: str) -> dict[str, object]:
        words = search._counts([heading])
        fields = {"title": {}, "headings": words, "entries": {}, "text": words, "code": {}}
        return {"anchor": heading.lower().replace(" ", "-"), "heading": heading, "fields": fields}

    pages = {f"p{i}": [unit("The fix"), unit(f"Gate {i}")] for i in range(search.TEMPLATE)}
    env = type("Env", (), {"searchrank": pages, "found_docs": set(pages)})()
    data = search.index_data(env)  # type: ignore[arg-type]
    fields = data["fields"]
    headings, text = fields.index("headings"), fields.index("text")
    fix = data["postings"][search.tokens("fix")[0]]
    gate = data["postings"][search.tokens("gate")[0]]
    step = len(fields) + 1
    assert [fix[i + 1 + headings] for i in range(0, len(fix), step)] == [0] * search.TEMPLATE
    assert [fix[i + 1 + text] for i in range(0, len(fix), step)] == [1] * search.TEMPLATE
    assert all(gate[i + 1 + headings] == 1 for i in range(0, len(gate), step))
    pages.pop("p0")  # on fewer pages, it is a heading again
    fix = search.index_data(env)["postings"][search.tokens("fix")[0]]  # type: ignore[arg-type]
    assert all(fix[i + 1 + headings] == 1 for i in range(0, len(fix), step))


def test_messages_pair_no_shapes_across_them() -> None:
    """Two captured messages of one section: the last shape of one and the first of the next are
    no mismatch."""
    one = "Expected hidden size (2, 3, 5), got [1, 3, 5]"
    two = "Expected hidden[0] size (2, 3, 5), got [1, 3, 5]"
    assert search._counts([one, two], messages=True)["3d:0"] == 2
