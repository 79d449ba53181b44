"""The original file one click away: served as an attachment of its own
type, only from the corpus folder, while links stay on the document page."""

import os
import sqlite3
from contextlib import closing

import pytest

from indexer import store
from indexer.build import build_index
from indexer.catalog import CATALOG
from search_app import create_app

from .conftest import CORPUS
from .word_samples import write_docx

K69 = "000_8b1cbe83c3de1fbc"


@pytest.fixture
def served(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in CORPUS.glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    write_docx((CORPUS / f"{K69}.txt").read_text(encoding="utf-8"), corpus / "word.docx")
    root = tmp_path / "index"
    build_index(corpus, root)
    return corpus, root, create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()


def test_the_document_page_offers_the_original_and_serves_it(served):
    corpus, _, client = served
    page = client.get(f"/doc/{K69}").get_data(as_text=True)
    assert f'href="/doc/{K69}/original"' in page and "Tải bản gốc (TXT)" in page
    with client.get(f"/doc/{K69}/original") as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.mimetype == "text/plain"
        assert response.data == (corpus / f"{K69}.txt").read_bytes()
    with client.get("/doc/word/original") as word:
        assert word.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert word.data == (corpus / "word.docx").read_bytes()
    assert "Tải bản gốc (DOCX)" in client.get("/doc/word").get_data(as_text=True)
    # The API names it; citations and section links still point at the page.
    full = client.get(f"/api/documents/{K69}").get_json()
    assert full["original_url"].endswith(f"/doc/{K69}/original")
    assert "/original" not in full["citation"]


def test_nothing_outside_the_corpus_folder_is_served(served, tmp_path):
    corpus, root, client = served
    assert client.get("/doc/khong-co/original").status_code == 404
    # A catalog naming a path out of the folder (tampered with) is not followed.
    generation = store.current_generation(root)
    secret = tmp_path / "secret.txt"
    secret.write_text("mật", encoding="utf-8")
    with closing(sqlite3.connect(generation / CATALOG)) as db, db:
        db.execute("UPDATE documents SET meta = json_set(meta, '$.file', '../secret.txt') WHERE doc_id = ?", (K69,))
    store.write_manifest(generation)
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert client.get(f"/doc/{K69}/original").status_code == 404
    assert "Tải bản gốc" not in client.get(f"/doc/{K69}").get_data(as_text=True)
    # A file replaced by a link out of the folder is not followed either.
    (corpus / "word.docx").unlink()
    os.symlink(secret, corpus / "word.docx")
    assert client.get("/doc/word/original").status_code == 404
    # A file gone since indexing: no link, and 404.
    (corpus / "001_b7d788ee9d07cfc0.txt").unlink()
    assert client.get("/doc/001_b7d788ee9d07cfc0/original").status_code == 404
    assert client.get("/api/documents/001_b7d788ee9d07cfc0").get_json()["original_url"] is None
