import os
import shutil
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.store import open_current
from search_app.search import Filters, search

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"

# The corpora tests make say nothing of access; outside test_access they are
# read as the sample corpus is (its _access.toml: public), whatever the
# deployment default. test_access sets the default itself.
os.environ["TRACUU_DEFAULT_ACCESS"] = "public"
# One test client asks as fast as many staff together; test_access checks the limit.
os.environ["TRACUU_SEARCH_RATE_LIMIT"] = "1000000/60"


@pytest.fixture(scope="session")
def index_root(tmp_path_factory):
    """The sample corpus, indexed once for the whole session."""
    root = tmp_path_factory.mktemp("index")
    build_index(CORPUS, root)
    return root


@pytest.fixture(scope="session")
def opened(index_root):
    return open_current(index_root)


@pytest.fixture
def find(opened):
    """Search the sample corpus: find("dân vận", year=2023) → SearchResult."""

    def _find(text, limit=200, **filters):
        return search(opened, text, Filters(**filters), limit=limit)

    return _find


@pytest.fixture
def corpus(tmp_path):
    """A copy of the sample corpus, for tests that change it."""
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


@pytest.fixture
def make_corpus(tmp_path):
    """A corpus folder from {file name: str or bytes}."""

    def _make(files):
        folder = tmp_path / "corpus"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return _make
